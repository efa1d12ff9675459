//! Monthly statements per agency and provider (GSI-7.5.3): read by the agency, the serving
//! provider and GIX; issued when the provider closes the month, and never changed after.

use std::collections::BTreeSet;

use gsi_domain::billing::{self, CostScope, Statement, StatementAction, StatementId, StatementStatus};
use gsi_domain::calendar::Month;
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_persistence::repos::statements::{self as repo, StatementFilter, StatementRecord};
use gsi_persistence::repos::subscriptions;
use gsi_persistence::repos::usage as usage_repo;
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events};
use crate::error::ApiError;

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: StatementFilter,
    page: PageRequest,
) -> Result<Page<StatementRecord>, ApiError> {
    match billing::cost_scope(&ctx.actor) {
        CostScope::Nothing => Err(ApiError::Forbidden("statements are for agencies, their providers and GIX".into())),
        scope @ (CostScope::Everything | CostScope::Agency(_) | CostScope::Provider(_)) => {
            Ok(repo::list(conn, scope, filter, page)?)
        }
    }
}

/// A statement with its lines; 403 for a role that reads no statements (as the list answers),
/// 404 for anyone but its agency, its provider and GIX.
pub fn get(conn: &mut DbConnection, ctx: &Context, id: StatementId) -> Result<(StatementRecord, Statement), ApiError> {
    if matches!(billing::cost_scope(&ctx.actor), CostScope::Nothing) {
        return Err(ApiError::Forbidden("statements are for agencies, their providers and GIX".into()));
    }
    read_tx(conn, |conn| {
        let record = repo::find(conn, id)?.ok_or(ApiError::NotFound("statement"))?;
        if !billing::statement_access(&ctx.actor, record.agency, record.provider).can_read() {
            return Err(ApiError::NotFound("statement"));
        }
        let statement = repo::with_lines(conn, &record)?;
        Ok((record, statement))
    })
}

/// What closing a month did.
pub struct Closed {
    pub month: Month,
    /// Statements issued by this request (0 when the month was already closed).
    pub newly_issued: usize,
    /// Every statement of the provider for the month, all issued now.
    pub statements: Vec<StatementRecord>,
}

/// The provider closes `month` for all the agencies it serves: their statements of the month
/// are issued at `now` and never change again; an agency served during the month without
/// usage gets an empty issued statement. Refused until the month has ended in Asia/Bangkok.
/// Closing again issues nothing. Call inside a write transaction.
pub fn close(conn: &mut DbConnection, ctx: &Context, month: Month) -> Result<Closed, ApiError> {
    let provider = ctx.actor.organisation;
    if !billing::may_close_month(&ctx.actor, provider) {
        return Err(ApiError::Forbidden("only a provider's operators close its months".into()));
    }
    // The month itself must be closable, whether or not it has statements yet.
    billing::transition(StatementStatus::Open, StatementAction::Close, month, ctx.now).map_err(refused)?;
    usage_repo::lock_provider(conn, provider)?;
    let months = BTreeSet::from([month]);
    let existing = repo::of_months(conn, provider, &months)?;
    for open in existing.iter().filter(|s| s.status == StatementStatus::Open) {
        let mut statement = Statement::from_parts(open.id, open.agency, provider, month, None, Vec::new());
        statement.close(ctx.now).map_err(refused)?;
    }
    let issued = repo::issue_open(conn, provider, month, ctx.now)?;
    let served = subscriptions::agencies_served_between(conn, provider, month.start(), month.end())?;
    let mut empty = Vec::new();
    for agency in served.into_iter().filter(|a| !existing.iter().any(|s| s.agency == *a)) {
        let mut statement = Statement::open(StatementId::new_v7(ctx.now), agency, provider, month);
        statement.close(ctx.now).map_err(refused)?;
        empty.push(StatementRecord::of(&statement, ctx.now)?);
    }
    repo::insert(conn, &empty)?;
    let newly_issued = issued + empty.len();
    let statements = repo::of_months(conn, provider, &months)?;
    if newly_issued > 0 {
        audit(
            conn,
            ctx,
            Change {
                action: "statements.month_closed",
                resource_type: "statement_month",
                resource_id: format!("{provider}/{month}"),
                owner: None,
                changes: serde_json::json!({
                    "month": month.to_string(),
                    "newly_issued": newly_issued,
                    "statements": statements.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(),
                }),
            },
        )?;
    }
    for s in statements.iter().filter(|s| s.issued_at == Some(ctx.now)) {
        events::emit(
            conn,
            ctx,
            EventType::StatementIssued,
            ResourceRef::new("statement", s.id, Some(s.status.as_str()), format!("/v1/statements/{}", s.id)),
            Audience::parties([s.agency, s.provider]),
            serde_json::json!({"month": month.to_string(), "total": s.total.to_string()}),
        )?;
    }
    Ok(Closed { month, newly_issued, statements })
}

fn refused(refused: billing::TransitionRefused) -> ApiError {
    ApiError::invalid_transition(&refused, refused.state, &refused.allowed)
}
