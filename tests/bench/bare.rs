//! The baseline for `GET /v1/subscriptions/{id}`: a bare actix-web handler doing the same
//! single-row diesel query on the same pool type and database, without authentication,
//! tenancy, middleware or the listing check, answering a small JSON body.

use actix_web::{App, HttpResponse, HttpServer, web};
use gsi_domain::billing::CostScope;
use gsi_domain::calendar::Month;
use gsi_domain::subscription::{SubscriptionFilter, SubscriptionScope};
use gsi_persistence::PageRequest;
use gsi_persistence::repos::subscriptions;
use gsi_persistence::repos::usage::{self, CostFilter};
use gsi_persistence::{DatabaseUrl, DbPool, PoolSettings, build_pool, checkout};
use serde::Serialize;

#[derive(Serialize)]
struct Body {
    id: String,
    agency_id: String,
    provider_id: String,
    offering_id: String,
    status: String,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

async fn get(pool: web::Data<DbPool>, path: web::Path<uuid::Uuid>) -> HttpResponse {
    let pool = pool.into_inner();
    let id = path.into_inner();
    let found = web::block(move || {
        let mut conn = checkout(&pool).map_err(|e| e.to_string())?;
        subscriptions::find(&mut conn, id.into()).map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(Some(stored))) => {
            let s = &stored.subscription;
            HttpResponse::Ok().json(Body {
                id: s.id.to_string(),
                agency_id: s.agency.to_string(),
                provider_id: s.provider.to_string(),
                offering_id: s.offering.to_string(),
                status: format!("{:?}", s.status),
                version: s.version,
                created_at: stored.created_at,
                updated_at: stored.updated_at,
            })
        }
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

#[derive(Serialize)]
struct Sum {
    month: String,
    subscription_id: String,
    metric: String,
    quantity: String,
    amount: String,
}

/// The same page query as `GET /v1/subscriptions` for one agency, no auth.
async fn list(pool: web::Data<DbPool>, path: web::Path<uuid::Uuid>) -> HttpResponse {
    let pool = pool.into_inner();
    let agency = path.into_inner().into();
    let found = web::block(move || {
        let mut conn = checkout(&pool).map_err(|e| e.to_string())?;
        subscriptions::list(
            &mut conn,
            SubscriptionScope::OfAgency(agency),
            &SubscriptionFilter::default(),
            PageRequest { after: None, limit: 50 },
        )
        .map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(page)) => HttpResponse::Ok().json(
            page.items
                .iter()
                .map(|stored| {
                    let s = &stored.subscription;
                    Body {
                        id: s.id.to_string(),
                        agency_id: s.agency.to_string(),
                        provider_id: s.provider.to_string(),
                        offering_id: s.offering.to_string(),
                        status: format!("{:?}", s.status),
                        version: s.version,
                        created_at: stored.created_at,
                        updated_at: stored.updated_at,
                    }
                })
                .collect::<Vec<_>>(),
        ),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// The same monthly sums as `GET /v1/costs/history` for one agency over the last twelve
/// months, no auth, no per-month totals.
async fn history(pool: web::Data<DbPool>, path: web::Path<uuid::Uuid>) -> HttpResponse {
    let pool = pool.into_inner();
    let agency = path.into_inner().into();
    let to = Month::containing(chrono::Utc::now()).previous();
    let mut from = to;
    for _ in 0..11 {
        from = from.previous();
    }
    let found = web::block(move || {
        let mut conn = checkout(&pool).map_err(|e| e.to_string())?;
        usage::sums(&mut conn, CostScope::Agency(agency), CostFilter { agency: None, provider: None }, from, to)
            .map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(sums)) => HttpResponse::Ok().json(
            sums.iter()
                .map(|s| Sum {
                    month: s.month.to_string(),
                    subscription_id: s.subscription.to_string(),
                    metric: s.metric.to_string(),
                    quantity: s.quantity.to_string(),
                    amount: s.amount.to_string(),
                })
                .collect::<Vec<_>>(),
        ),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// Serves until killed: `gsi-bench bare <database-url> <port>`.
pub fn serve(database_url: &str, port: u16) -> std::io::Result<()> {
    let url = DatabaseUrl::parse(database_url).map_err(std::io::Error::other)?;
    let pool = build_pool(url, &PoolSettings::default()).map_err(std::io::Error::other)?;
    let pool = web::Data::new(pool);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(pool.clone())
                .route("/healthz", web::get().to(HttpResponse::Ok))
                .route("/subscriptions/{id}", web::get().to(get))
                .route("/agencies/{id}/subscriptions", web::get().to(list))
                .route("/agencies/{id}/costs", web::get().to(history))
        })
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })
}
