//! Building and running the HTTP server.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpRequest, HttpServer, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::{DbPool, StoreError, build_pool, checkout, migrate};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{AuthConfigError, Authenticator};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::ApiError;
use crate::http::json::BodyLimit;
use crate::http::methods::PathMethods;
use crate::http::metrics::{self, Metrics, MetricsError};
use crate::http::request_id;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] StoreError),
    #[error("authentication: {0}")]
    Auth(#[from] AuthConfigError),
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    #[error("cannot listen on {address}: {error}")]
    Bind { address: String, error: std::io::Error },
    #[error("webhook worker: {0}")]
    Webhooks(String),
}

/// Opens the pool and applies pending migrations.
pub fn prepare_database(config: &Config) -> Result<DbPool, StoreError> {
    let pool = build_pool(config.database_url.clone(), &config.pool)?;
    let mut conn = checkout(&pool)?;
    let applied = migrate::run_pending(&mut conn)?;
    for name in applied {
        log::info!("applied migration {name}");
    }
    Ok(pool)
}

/// Adds every documented route, so the served app and the printed spec cannot differ.
fn mount<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi()).configure(routes::root).service(utoipa_actix_web::scope("/v1").configure(routes::v1))
}

/// The OpenAPI document of this build, from the same route table the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::openapi::finish(mount(App::new().into_utoipa_app()).split_for_parts().1)
}

/// Extractor failures (bad path or query values) answer problem+json like everything else.
fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    let invalid: Vec<&str> = req
        .match_info()
        .iter()
        .filter(|(_, value)| uuid::Uuid::parse_str(value).is_err())
        .map(|(name, _)| name)
        .collect();
    let field = invalid.first().copied().unwrap_or("path");
    log::debug!("path extraction failed: {err}");
    // `/v1/service-requests/preview` also matches `GET /v1/service-requests/{request_id}`;
    // the path's own template (a literal beats a parameter) decides: 405 when it lacks the method.
    if let Some(refused) = method_not_allowed(req) {
        return refused.into();
    }
    ApiError::invalid_parameter(
        field,
        "invalid_id",
        "must be an id (UUID) such as 0190f5c2-1a2b-7c3d-8e4f-000000000002",
    )
    .into()
}

fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    let name = message.split('`').nth(1).unwrap_or("query").to_owned();
    let code = if message.contains("unknown field") { "unknown_parameter" } else { "invalid_value" };
    let detail = message.replace("Query deserialize error: ", "").replace("unknown field", "unknown parameter");
    ApiError::InvalidParameters(ValidationErrors::single(name, code, detail)).into()
}

/// No route took the request: 405 with `Allow` when the path exists with other methods,
/// 404 otherwise.
async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    log::debug!("no route for {} {}", req.method(), req.path());
    Err(method_not_allowed(&req).unwrap_or(ApiError::NotFound("resource")))
}

/// 405 with `Allow` when the request's path exists without its method.
fn method_not_allowed(req: &HttpRequest) -> Option<ApiError> {
    let table = req.app_data::<web::Data<PathMethods>>()?;
    let allowed = table.refused(req.path(), req.method().as_str())?;
    Some(ApiError::MethodNotAllowed { method: req.method().to_string(), allowed: allowed.to_vec() })
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
            crate::http::idempotency::HEADER,
            request_id::HEADER,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            request_id::HEADER,
            crate::http::idempotency::REPLAYED_HEADER,
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The application: routes, Swagger UI, extractor error handlers, middleware.
pub fn app(
    state: web::Data<AppState>,
    body_limit: BodyLimit,
    cors_origins: std::sync::Arc<[String]>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, spec) = mount(App::new().into_utoipa_app()).split_for_parts();
    let spec = crate::openapi::finish(spec);
    let path_methods = web::Data::new(PathMethods::from_spec(&spec));
    app.app_data(state)
        .app_data(path_methods)
        .app_data(body_limit)
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec))
        .service(web::redirect("/swagger-ui", "/swagger-ui/"))
        .default_service(web::to(not_found))
        .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
        .wrap(from_fn(request_id::middleware))
        .wrap(from_fn(metrics::middleware))
        .wrap(cors(&cors_origins))
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    /// The webhook delivery worker, when this instance runs it (`GSI_WEBHOOK_WORKER`).
    worker: Option<actix_web::rt::task::JoinHandle<()>>,
}

impl Application {
    /// Prepares the database, binds the address (port 0 picks a free one) and builds the
    /// server. SIGTERM/SIGINT drain in-flight requests for `shutdown_timeout`, then exit.
    pub fn build(config: &Config, clock: Clock) -> Result<Self, StartError> {
        let auth = Authenticator::from_settings(&config.jwt)?;
        let pool = prepare_database(config)?;
        let listener = TcpListener::bind(config.bind)
            .map_err(|error| StartError::Bind { address: config.bind.to_string(), error })?;
        let port =
            listener.local_addr().map_err(|error| StartError::Bind { address: config.bind.to_string(), error })?.port();
        let worker = if config.webhooks.worker_enabled {
            // Its own few connections: however many receivers are being worked on, the
            // worker can never take the connections requests need.
            let settings = gsi_persistence::PoolSettings {
                max_size: crate::webhooks::worker::POOL_SIZE,
                connection_timeout: config.pool.connection_timeout,
            };
            let worker_pool = gsi_persistence::build_pool(config.database_url.clone(), &settings)?;
            Some(
                crate::webhooks::worker::spawn(worker_pool, clock.clone(), config.webhooks)
                    .map_err(StartError::Webhooks)?,
            )
        } else {
            None
        };
        let metrics = Metrics::new()?;
        let state = web::Data::new(AppState {
            pool,
            auth,
            clock,
            usage: config.usage,
            metrics,
            report_due_day: config.monthly_report_due_day,
            webhooks: config.webhooks,
        });
        let body_limit = BodyLimit(config.max_body_bytes);
        let origins: std::sync::Arc<[String]> = config.cors_origins.clone().into();
        // Database work runs on each worker's blocking threads and needs a pooled connection,
        // so more threads than connections only park (actix's default is 512 across the
        // workers, each with its own stack and allocator arena: measured as peak memory).
        let blocking_threads = usize::try_from(config.pool.max_size).unwrap_or(usize::MAX).max(4);
        let mut server = HttpServer::new(move || app(state.clone(), body_limit, origins.clone()))
            .shutdown_timeout(config.shutdown_timeout.as_secs())
            .worker_max_blocking_threads(blocking_threads);
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        let server = server
            .listen(listener)
            .map_err(|error| StartError::Bind { address: config.bind.to_string(), error })?
            .run();
        Ok(Application { port, server, worker })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        // Deliveries in flight are simply abandoned: their leases run out and they are
        // attempted again, by this instance after a restart or by another one.
        if let Some(worker) = self.worker {
            worker.abort();
        }
        result
    }

    /// A handle to stop the server (tests use it).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}
