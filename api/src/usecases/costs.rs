//! Costs for agencies (GSI-7.5.3): the current Asia/Bangkok month to date and the history of
//! past months, per subscription with a line per metric. Summed in the database from the
//! rated usage records; agencies see their own, providers those of the agencies they serve,
//! GIX everything (`billing::cost_scope`).

use gsi_domain::billing::{self, CostScope, MonthCosts};
use gsi_domain::calendar::Month;
use gsi_persistence::DbConnection;
use gsi_persistence::repos::usage::{self as usage_repo, CostFilter};

use super::Context;
use crate::error::ApiError;

fn scope(ctx: &Context) -> Result<CostScope, ApiError> {
    match billing::cost_scope(&ctx.actor) {
        CostScope::Nothing => Err(ApiError::Forbidden("costs are for agencies, their providers and GIX".into())),
        scope @ (CostScope::Everything | CostScope::Agency(_) | CostScope::Provider(_)) => Ok(scope),
    }
}

/// GSI-7.5.3 "current cost": the current Bangkok month so far.
pub fn current(conn: &mut DbConnection, ctx: &Context, filter: CostFilter) -> Result<MonthCosts, ApiError> {
    let scope = scope(ctx)?;
    let month = Month::containing(ctx.now);
    let sums = usage_repo::sums(conn, scope, filter, month, month)?;
    billing::month_costs_from_sums(month, &sums).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The months a history covers and their costs, newest first (months without usage are
/// left out).
pub struct CostHistory {
    pub from: Month,
    pub to: Month,
    pub months: Vec<MonthCosts>,
}

/// GSI-7.5.3 "historical cost": ended months `from..=to` (`billing::history_range`).
pub fn history(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: CostFilter,
    from: Option<Month>,
    to: Option<Month>,
) -> Result<CostHistory, ApiError> {
    let scope = scope(ctx)?;
    let (from, to) = billing::history_range(from, to, ctx.now).map_err(ApiError::InvalidParameters)?;
    let sums = usage_repo::sums(conn, scope, filter, from, to)?;
    let months = billing::costs_by_month(&sums).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(CostHistory { from, to, months })
}
