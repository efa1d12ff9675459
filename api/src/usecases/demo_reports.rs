//! Demo data for reports (GSI-7.6, 13.3): agency A's budget for the fiscal year of the
//! previous month (whole year and cloud), and GIX's report request to the demo cloud provider
//! for the previous month's usage, due in 14 days. Written through the same use cases as real
//! requests; idempotent (the budget is set only when absent, the request has a fixed id).

use chrono::{DateTime, Duration, Utc};
use gsi_domain::calendar::{Month, bangkok};
use gsi_domain::money::Money;
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::report::ReportRequestDraft;
use gsi_domain::service::ServiceFamily;
use gsi_domain::{Actor, Role, Subject};
use gsi_persistence::repos::reports as repo;
use gsi_persistence::{DbConnection, write_tx};
use uuid::Uuid;

use super::demo::{DEMO_AGENCY_A, DEMO_CLOUD_PROVIDER};
use super::{Context, reports};
use crate::error::ApiError;

/// GIX's demo report request to the cloud provider.
pub const DEMO_REPORT_REQUEST: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0e01);

fn context(
    subject: &str,
    organisation: gsi_domain::OrganisationId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Context, ApiError> {
    Ok(Context {
        actor: Actor {
            subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?,
            organisation,
            role,
        },
        request_id: format!("demo-seed-reports-{}", now.timestamp()),
        now,
    })
}

pub fn seed_reports(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let previous = Month::containing(now).previous();
    let fiscal_year = previous.fiscal_year();
    let admin = context("demo-seed-agency-admin", DEMO_AGENCY_A, Role::AgencyAdmin, now)?;
    let budgets =
        [(None, Money::from_satang(240_000_000)), (Some(ServiceFamily::Cloud), Money::from_satang(150_000_000))];
    for (family, amount) in budgets {
        if repo::find_budget(conn, DEMO_AGENCY_A, fiscal_year, family)?.is_none() {
            write_tx(conn, |tx| reports::set_budget(tx, &admin, fiscal_year, family, amount).map(|_| ()))?;
        }
    }
    if repo::find_request(conn, DEMO_REPORT_REQUEST)?.is_none() {
        let gix = context("gsi-demo-seed", GIX_ORGANISATION_ID, Role::GixOfficer, now)?;
        let due = (now.with_timezone(&bangkok()) + Duration::days(14)).date_naive();
        let draft = ReportRequestDraft {
            provider_id: DEMO_CLOUD_PROVIDER.to_string(),
            from: previous.to_string(),
            to: previous.to_string(),
            group_by: "agency,offering,metric".into(),
            due_date: due.format("%Y-%m-%d").to_string(),
            note: Some(format!("รายงานการใช้บริการและค่าใช้จ่ายประจำเดือน {previous} (GSI-7.6)")),
        };
        write_tx(conn, |tx| reports::create_request_as(tx, &gix, DEMO_REPORT_REQUEST, &draft).map(|_| ()))?;
    }
    Ok(())
}
