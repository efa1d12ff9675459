//! Reading the audit log: GIX sees everything; an organisation sees what its people did
//! and what was done to its data.

use gsi_domain::access;
use gsi_persistence::repos::audit::{self, AuditEvent, AuditFilter};
use gsi_persistence::{DbConnection, Page, PageRequest};

use super::Context;
use crate::error::ApiError;

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    Ok(audit::list(conn, access::audit_events(&ctx.actor), filter, page)?)
}
