//! `gsi-api`: serve, migrate, print the OpenAPI document, or issue a development token.

use std::process::ExitCode;
use std::str::FromStr;

use clap::Parser;
use gsi_api::auth::Authenticator;
use gsi_api::cli::{Cli, Command, parse_ttl};
use gsi_api::usecases::demo;
use gsi_api::{Application, Clock, Config};
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::{Actor, OrganisationId, Role, Subject};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Openapi => print_openapi(),
        Command::Token { role, org, sub, ttl } => print_token(&role, org.as_deref(), sub.as_deref(), &ttl),
        Command::Migrate => config().and_then(|c| {
            init_logging(&c);
            gsi_api::server::prepare_database(&c).map(|_| ()).map_err(|e| e.to_string())
        }),
        Command::Serve { demo } => config().and_then(|c| serve(&c, demo)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gsi-api: {message}");
            ExitCode::FAILURE
        }
    }
}

fn config() -> Result<Config, String> {
    Config::from_env().map_err(|e| e.to_string())
}

fn init_logging(config: &Config) {
    gsi_api::logging::init(&config.log_filter, config.log_format);
}

fn print_openapi() -> Result<(), String> {
    let json = gsi_api::openapi_spec().to_pretty_json().map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn print_token(role: &str, org: Option<&str>, sub: Option<&str>, ttl: &str) -> Result<(), String> {
    let config = config()?;
    let role = Role::from_str(role).map_err(|e| e.to_string())?;
    let organisation = match (org, role) {
        (Some(org), _) => {
            OrganisationId::from_str(org).map_err(|_| format!("--org `{org}` is not an organisation id (UUID)"))?
        }
        (None, Role::GixOfficer) => GIX_ORGANISATION_ID,
        (None, other) => return Err(format!("--org is required for role {other}")),
    };
    let subject =
        Subject::parse(&sub.map_or_else(|| format!("cli-{role}"), str::to_owned)).map_err(|e| e.to_string())?;
    let auth = Authenticator::from_settings(&config.jwt).map_err(|e| e.to_string())?;
    let token = auth.issue(&Actor { subject, organisation, role }, chrono::Utc::now(), parse_ttl(ttl)?)?;
    println!("{token}");
    Ok(())
}

fn serve(config: &Config, demo: bool) -> Result<(), String> {
    init_logging(config);
    let clock = Clock::system();
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(config, clock.clone()).map_err(|e| e.to_string())?;
        let base = format!("http://{}:{}", config.bind.ip(), app.port());
        log::info!("GSI Hub listening on {base} ({})", config.database_url.redacted());
        if demo {
            print_demo(config, &clock, &base)?;
        }
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn print_demo(config: &Config, clock: &Clock, base: &str) -> Result<(), String> {
    let pool = gsi_api::server::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = gsi_persistence::checkout(&pool).map_err(|e| e.to_string())?;
    let created = demo::seed(&mut conn, clock.now()).map_err(|e| e.to_string())?;
    let auth = Authenticator::from_settings(&config.jwt).map_err(|e| e.to_string())?;
    println!();
    println!("GSI Hub demo ({created} demo organisations created; existing ones kept)");
    println!("  Swagger UI:   {base}/swagger-ui/");
    println!("  OpenAPI JSON: {base}/api-docs/openapi.json");
    println!("  In Swagger UI press \"Authorize\" and paste one of these tokens (valid 12 hours):");
    for identity in demo::identities().map_err(|e| e.to_string())? {
        let token = auth.issue(&identity.actor, clock.now(), chrono::Duration::hours(12))?;
        println!();
        println!("  {} (org {}):", identity.label, identity.actor.organisation);
        println!("    {token}");
    }
    println!();
    println!("  Try: GET /v1/me, then GET /v1/agencies/{}/profile as agency A's admin.", demo::DEMO_AGENCY_A);
    println!();
    Ok(())
}
