//! Reports (GSI-7.5.9, 7.6, 13.2, 13.3): usage grouped in the database, GIX's report requests
//! with their frozen figures, budgets, and agencies' monthly reports with their revisions.
//!
//! Every figure is a `GROUP BY` over indexed columns returning one row per group; nothing
//! here loads usage records to add them up in the application.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use gsi_domain::OrganisationId;
use gsi_domain::billing::CostScope;
use gsi_domain::calendar::{FiscalYear, Month};
use gsi_domain::money::{Money, Quantity};
use gsi_domain::report::{
    Grouping, MonthRange, MonthlyFigures, MonthlyReportState, Named, ReportRequestState, SlaHighlight, SpendLine,
    UsageDimension, UsageGroup,
};
use gsi_domain::service::ServiceFamily;
use rust_decimal::Decimal;

use super::usage::CostFilter;
use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{
    budgets, monthly_report_lines, monthly_report_sla, monthly_reports, organisations, report_request_figures,
    report_requests, usage_records,
};
use crate::types::{DbTimestamp, DbUuid, sql as db_sql};

// ---- usage grouped in the database (GSI-7.6) ---------------------------------------

#[derive(Debug, QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Nullable<db_sql::Uuid>)]
    provider_id: Option<DbUuid>,
    #[diesel(sql_type = Nullable<Text>)]
    provider_name: Option<String>,
    #[diesel(sql_type = Nullable<db_sql::Uuid>)]
    agency_id: Option<DbUuid>,
    #[diesel(sql_type = Nullable<Text>)]
    agency_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    service_family: Option<String>,
    #[diesel(sql_type = Nullable<db_sql::Uuid>)]
    offering_id: Option<DbUuid>,
    #[diesel(sql_type = Nullable<Text>)]
    offering_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    metric: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    month: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    quantity_micros: Option<i64>,
    #[diesel(sql_type = BigInt)]
    record_count: i64,
    #[diesel(sql_type = BigInt)]
    amount_satang: i64,
}

fn named(table: &'static str, id: Option<DbUuid>, name: Option<String>) -> Result<Option<Named>, StoreError> {
    match (id, name) {
        (None, None) => Ok(None),
        (Some(id), Some(name)) => Ok(Some(Named { id: id.0, name })),
        (Some(id), None) => Err(corrupt(table, format!("{} has no name", id.0))),
        (None, Some(name)) => Err(corrupt(table, format!("`{name}` has no id"))),
    }
}

impl TryFrom<GroupRow> for UsageGroup {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("usage_records", format!("usage group: {e}"));
        Ok(UsageGroup {
            provider: named("organisations", r.provider_id, r.provider_name)?,
            agency: named("organisations", r.agency_id, r.agency_name)?,
            service_family: r.service_family.map(|f| f.parse::<ServiceFamily>().map_err(|e| bad(&e))).transpose()?,
            offering: named("offerings", r.offering_id, r.offering_name)?,
            metric: r.metric.map(|m| m.parse().map_err(|e| bad(&e))).transpose()?,
            month: r.month.map(|m| m.parse().map_err(|e| bad(&e))).transpose()?,
            quantity: r.quantity_micros.map(Quantity::from_micros),
            record_count: r.record_count,
            amount: Money::from_satang(r.amount_satang),
        })
    }
}

/// What narrows a usage report: the reader's scope and the caller's filters.
#[derive(Debug, Clone, Copy)]
pub struct UsageReportQuery<'a> {
    pub scope: CostScope,
    pub filter: CostFilter,
    pub period: MonthRange,
    pub grouping: &'a Grouping,
}

/// The SQL of a usage report with its text and id parameters in order. The dimensions are
/// a closed vocabulary, so the statement is assembled from fixed fragments only; every value
/// is a bound parameter. `placeholder(n)` spells the n-th parameter (`$n` or `?`).
///
/// The records are grouped by ids first; names are joined to the groups afterwards, so the
/// joins cost one lookup per group, not per record.
pub fn usage_report_sql(
    q: &UsageReportQuery<'_>,
    placeholder: impl Fn(usize) -> String,
) -> Option<(String, Vec<String>, Vec<uuid::Uuid>)> {
    let g = q.grouping;
    let has = |d| g.has(d);
    let column = |on: bool, expr: &str, alias: &str| {
        if on { format!("{expr} AS {alias}") } else { format!("NULL AS {alias}") }
    };
    let inner_select = [
        column(has(UsageDimension::Provider), "u.provider_id", "provider_id"),
        column(has(UsageDimension::Agency), "u.agency_id", "agency_id"),
        column(has(UsageDimension::ServiceFamily), "s.family", "service_family"),
        column(has(UsageDimension::Offering), "s.offering_id", "offering_id"),
        column(has(UsageDimension::Metric), "u.metric", "metric"),
        column(has(UsageDimension::Month), "u.usage_month", "month"),
        if g.shows_quantity() {
            "CAST(SUM(u.quantity_micros) AS BIGINT) AS quantity_micros".to_owned()
        } else {
            "NULL AS quantity_micros".to_owned()
        },
        "CAST(COUNT(*) AS BIGINT) AS record_count".to_owned(),
        "CAST(COALESCE(SUM(u.amount_satang), 0) AS BIGINT) AS amount_satang".to_owned(),
    ];
    let mut inner_group = Vec::new();
    let mut outer_joins = String::new();
    let mut order_by = Vec::new();
    let outer_select = [
        "g.provider_id AS provider_id".to_owned(),
        column(has(UsageDimension::Provider), "po.name_th", "provider_name"),
        "g.agency_id AS agency_id".to_owned(),
        column(has(UsageDimension::Agency), "ao.name_th", "agency_name"),
        "g.service_family AS service_family".to_owned(),
        "g.offering_id AS offering_id".to_owned(),
        column(has(UsageDimension::Offering), "o.name", "offering_name"),
        "g.metric AS metric".to_owned(),
        "g.month AS month".to_owned(),
        "g.quantity_micros AS quantity_micros".to_owned(),
        "g.record_count AS record_count".to_owned(),
        "g.amount_satang AS amount_satang".to_owned(),
    ];
    for d in g.dimensions() {
        match d {
            UsageDimension::Provider => {
                inner_group.push("u.provider_id");
                outer_joins.push_str(" JOIN organisations po ON po.id = g.provider_id");
                order_by.extend(["po.name_th", "g.provider_id"]);
            }
            UsageDimension::Agency => {
                inner_group.push("u.agency_id");
                outer_joins.push_str(" JOIN organisations ao ON ao.id = g.agency_id");
                order_by.extend(["ao.name_th", "g.agency_id"]);
            }
            UsageDimension::ServiceFamily => {
                inner_group.push("s.family");
                order_by.push("g.service_family");
            }
            UsageDimension::Offering => {
                inner_group.push("s.offering_id");
                outer_joins.push_str(" JOIN offerings o ON o.id = g.offering_id");
                order_by.extend(["o.name", "g.offering_id"]);
            }
            UsageDimension::Metric => {
                inner_group.push("u.metric");
                order_by.push("g.metric");
            }
            UsageDimension::Month => {
                inner_group.push("u.usage_month");
                order_by.push("g.month");
            }
        }
    }
    let inner_join = if has(UsageDimension::ServiceFamily) || has(UsageDimension::Offering) {
        " JOIN subscriptions s ON s.id = u.subscription_id"
    } else {
        ""
    };
    let texts = vec![q.period.from.to_string(), q.period.to.to_string()];
    let mut ids = Vec::new();
    let mut conditions =
        vec![format!("u.usage_month >= {}", placeholder(1)), format!("u.usage_month <= {}", placeholder(2))];
    let mut id_condition = |column: &str, id: OrganisationId, ids: &mut Vec<uuid::Uuid>| {
        ids.push(id.as_uuid());
        conditions.push(format!("{column} = {}", placeholder(2 + ids.len())));
    };
    match q.scope {
        CostScope::Everything => {}
        CostScope::Agency(a) => id_condition("u.agency_id", a, &mut ids),
        CostScope::Provider(p) => id_condition("u.provider_id", p, &mut ids),
        CostScope::Nothing => return None,
    }
    if let Some(a) = q.filter.agency {
        id_condition("u.agency_id", a, &mut ids);
    }
    if let Some(p) = q.filter.provider {
        id_condition("u.provider_id", p, &mut ids);
    }
    let mut inner = format!(
        "SELECT {} FROM usage_records u{inner_join} WHERE {}",
        inner_select.join(", "),
        conditions.join(" AND ")
    );
    if !inner_group.is_empty() {
        inner.push_str(&format!(" GROUP BY {}", inner_group.join(", ")));
    }
    // Without a grouping there is one row of grand totals, also when nothing matched.
    let mut statement = format!("SELECT {} FROM ({inner}) g{outer_joins}", outer_select.join(", "));
    if !order_by.is_empty() {
        statement.push_str(&format!(" ORDER BY {}", order_by.join(", ")));
    }
    Some((statement, texts, ids))
}

/// GSI-7.6: usage and charges of the period, one row per group, summed by the database.
pub fn usage_groups(conn: &mut DbConnection, q: &UsageReportQuery<'_>) -> Result<Vec<UsageGroup>, StoreError> {
    let rows: Vec<GroupRow> = match conn {
        DbConnection::Postgresql(c) => {
            let Some((statement, texts, ids)) = usage_report_sql(q, |n| format!("${n}")) else {
                return Ok(Vec::new());
            };
            let mut query = diesel::sql_query(statement).into_boxed::<diesel::pg::Pg>();
            for t in texts {
                query = query.bind::<Text, _>(t);
            }
            for id in ids {
                query = query.bind::<db_sql::Uuid, _>(DbUuid(id));
            }
            query.load(c)?
        }
        DbConnection::Sqlite(c) => {
            let Some((statement, texts, ids)) = usage_report_sql(q, |_| "?".to_owned()) else {
                return Ok(Vec::new());
            };
            let mut query = diesel::sql_query(statement).into_boxed::<diesel::sqlite::Sqlite>();
            for t in texts {
                query = query.bind::<Text, _>(t);
            }
            for id in ids {
                query = query.bind::<db_sql::Uuid, _>(DbUuid(id));
            }
            query.load(c)?
        }
    };
    rows.into_iter().map(UsageGroup::try_from).collect()
}

// ---- report requests (GSI-7.6) -------------------------------------------------------

/// A report request as stored; `figures` are loaded separately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequestRecord {
    pub id: uuid::Uuid,
    pub provider: OrganisationId,
    pub requested_by: OrganisationId,
    pub period: MonthRange,
    pub grouping: Grouping,
    pub due_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub note: Option<String>,
    pub state: ReportRequestState,
    pub submitted_at: Option<DateTime<Utc>>,
    pub content_hash: Option<String>,
    pub record_count: Option<i64>,
    pub total: Option<Money>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_requests, treat_none_as_default_value = false)]
struct ReportRequestRow {
    id: DbUuid,
    provider_id: DbUuid,
    requested_by: DbUuid,
    period_from: String,
    period_to: String,
    group_by: String,
    due_date: String,
    due_at: DbTimestamp,
    note: Option<String>,
    state: String,
    submitted_at: Option<DbTimestamp>,
    content_hash: Option<String>,
    record_count: Option<i64>,
    total_satang: Option<i64>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

impl TryFrom<ReportRequestRow> for ReportRequestRecord {
    type Error = StoreError;
    fn try_from(r: ReportRequestRow) -> Result<Self, StoreError> {
        let id = r.id.0;
        let bad = |e: &dyn std::fmt::Display| corrupt("report_requests", format!("{id}: {e}"));
        let from: Month = r.period_from.parse().map_err(|e| bad(&e))?;
        let to: Month = r.period_to.parse().map_err(|e| bad(&e))?;
        Ok(ReportRequestRecord {
            id,
            provider: r.provider_id.into(),
            requested_by: r.requested_by.into(),
            period: MonthRange::new(from, to, "period_to").map_err(|e| bad(&e))?,
            grouping: Grouping::parse(&r.group_by).map_err(|e| bad(&e))?,
            due_date: NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d").map_err(|e| bad(&e))?,
            due_at: r.due_at.0,
            note: r.note,
            state: ReportRequestState::parse(&r.state).ok_or_else(|| bad(&format!("state `{}`", r.state)))?,
            submitted_at: r.submitted_at.map(|t| t.0),
            content_hash: r.content_hash,
            record_count: r.record_count,
            total: r.total_satang.map(Money::from_satang),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            version: r.version,
        })
    }
}

fn request_row(r: &ReportRequestRecord) -> ReportRequestRow {
    ReportRequestRow {
        id: DbUuid(r.id),
        provider_id: r.provider.into(),
        requested_by: r.requested_by.into(),
        period_from: r.period.from.to_string(),
        period_to: r.period.to.to_string(),
        group_by: r.grouping.to_string(),
        due_date: r.due_date.format("%Y-%m-%d").to_string(),
        due_at: r.due_at.into(),
        note: r.note.clone(),
        state: r.state.as_str().to_owned(),
        submitted_at: r.submitted_at.map(Into::into),
        content_hash: r.content_hash.clone(),
        record_count: r.record_count,
        total_satang: r.total.map(Money::satang),
        created_at: r.created_at.into(),
        updated_at: r.updated_at.into(),
        version: r.version,
    }
}

pub fn insert_request(conn: &mut DbConnection, r: &ReportRequestRecord) -> Result<(), StoreError> {
    diesel::insert_into(report_requests::table).values(request_row(r)).execute(conn)?;
    Ok(())
}

pub fn find_request(conn: &mut DbConnection, id: uuid::Uuid) -> Result<Option<ReportRequestRecord>, StoreError> {
    report_requests::table
        .find(DbUuid(id))
        .select(ReportRequestRow::as_select())
        .first(conn)
        .optional()?
        .map(ReportRequestRecord::try_from)
        .transpose()
}

/// Requests addressed to `provider` (or all, for GIX), newest first, at most `limit`.
pub fn list_requests(
    conn: &mut DbConnection,
    provider: Option<OrganisationId>,
    state: Option<ReportRequestState>,
    limit: i64,
) -> Result<Vec<ReportRequestRecord>, StoreError> {
    let mut query = report_requests::table.select(ReportRequestRow::as_select()).into_boxed();
    if let Some(p) = provider {
        query = query.filter(report_requests::provider_id.eq(DbUuid::from(p)));
    }
    if let Some(s) = state {
        query = query.filter(report_requests::state.eq(s.as_str()));
    }
    query
        .order(report_requests::id.desc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(ReportRequestRecord::try_from)
        .collect()
}

/// Freezes the answer: the request becomes submitted (only if still open at `version`) and
/// the figures are stored beside it. Returns false when the request changed meanwhile.
pub fn submit_request(
    conn: &mut DbConnection,
    answered: &ReportRequestRecord,
    expected_version: i64,
    groups: &[UsageGroup],
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        report_requests::table
            .filter(report_requests::id.eq(DbUuid(answered.id)))
            .filter(report_requests::version.eq(expected_version))
            .filter(report_requests::state.eq(ReportRequestState::Open.as_str())),
    )
    .set((
        report_requests::state.eq(answered.state.as_str()),
        report_requests::submitted_at.eq(answered.submitted_at.map(DbTimestamp::from)),
        report_requests::content_hash.eq(answered.content_hash.clone()),
        report_requests::record_count.eq(answered.record_count),
        report_requests::total_satang.eq(answered.total.map(Money::satang)),
        report_requests::updated_at.eq(DbTimestamp::from(answered.updated_at)),
        report_requests::version.eq(answered.version),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    let rows: Vec<FigureRow> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| FigureRow {
            request_id: DbUuid(answered.id),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            provider_id: g.provider.as_ref().map(|n| DbUuid(n.id)),
            provider_name: g.provider.as_ref().map(|n| n.name.clone()),
            agency_id: g.agency.as_ref().map(|n| DbUuid(n.id)),
            agency_name: g.agency.as_ref().map(|n| n.name.clone()),
            service_family: g.service_family.map(|f| f.as_str().to_owned()),
            offering_id: g.offering.as_ref().map(|n| DbUuid(n.id)),
            offering_name: g.offering.as_ref().map(|n| n.name.clone()),
            metric: g.metric.map(|m| m.as_str().to_owned()),
            month: g.month.map(|m| m.to_string()),
            quantity_micros: g.quantity.and_then(Quantity::to_micros),
            record_count: g.record_count,
            amount_satang: g.amount.satang(),
        })
        .collect();
    for chunk in rows.chunks(500) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(report_request_figures::table).values(chunk).execute(c)?,
            DbConnection::Postgresql(c) => {
                diesel::insert_into(report_request_figures::table).values(chunk).execute(c)?
            }
        };
    }
    Ok(true)
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_request_figures, treat_none_as_default_value = false)]
struct FigureRow {
    request_id: DbUuid,
    position: i32,
    provider_id: Option<DbUuid>,
    provider_name: Option<String>,
    agency_id: Option<DbUuid>,
    agency_name: Option<String>,
    service_family: Option<String>,
    offering_id: Option<DbUuid>,
    offering_name: Option<String>,
    metric: Option<String>,
    month: Option<String>,
    quantity_micros: Option<i64>,
    record_count: i64,
    amount_satang: i64,
}

/// The frozen figures of an answered request, in their order.
pub fn request_figures(conn: &mut DbConnection, id: uuid::Uuid) -> Result<Vec<UsageGroup>, StoreError> {
    report_request_figures::table
        .filter(report_request_figures::request_id.eq(DbUuid(id)))
        .order(report_request_figures::position.asc())
        .select(FigureRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| {
            UsageGroup::try_from(GroupRow {
                provider_id: r.provider_id,
                provider_name: r.provider_name,
                agency_id: r.agency_id,
                agency_name: r.agency_name,
                service_family: r.service_family,
                offering_id: r.offering_id,
                offering_name: r.offering_name,
                metric: r.metric,
                month: r.month,
                quantity_micros: r.quantity_micros,
                record_count: r.record_count,
                amount_satang: r.amount_satang,
            })
        })
        .collect()
}

// ---- budgets (GSI-13.3) ----------------------------------------------------------------

/// `None` family: the whole-year budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRecord {
    pub id: uuid::Uuid,
    pub agency: OrganisationId,
    pub fiscal_year: FiscalYear,
    pub service_family: Option<ServiceFamily>,
    pub amount: Money,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = budgets)]
struct BudgetRow {
    id: DbUuid,
    agency_id: DbUuid,
    fiscal_year: i32,
    service_family: String,
    amount_satang: i64,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

const WHOLE_YEAR: &str = "all";

impl TryFrom<BudgetRow> for BudgetRecord {
    type Error = StoreError;
    fn try_from(r: BudgetRow) -> Result<Self, StoreError> {
        let family = if r.service_family == WHOLE_YEAR {
            None
        } else {
            Some(r.service_family.parse().map_err(|e| corrupt("budgets", format!("{}: {e}", r.id.0)))?)
        };
        Ok(BudgetRecord {
            id: r.id.0,
            agency: r.agency_id.into(),
            fiscal_year: FiscalYear(r.fiscal_year),
            service_family: family,
            amount: Money::from_satang(r.amount_satang),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            version: r.version,
        })
    }
}

fn family_text(f: Option<ServiceFamily>) -> String {
    f.map(|f| f.as_str().to_owned()).unwrap_or_else(|| WHOLE_YEAR.to_owned())
}

pub fn find_budget(
    conn: &mut DbConnection,
    agency: OrganisationId,
    fiscal_year: FiscalYear,
    family: Option<ServiceFamily>,
) -> Result<Option<BudgetRecord>, StoreError> {
    budgets::table
        .filter(budgets::agency_id.eq(DbUuid::from(agency)))
        .filter(budgets::fiscal_year.eq(fiscal_year.0))
        .filter(budgets::service_family.eq(family_text(family)))
        .select(BudgetRow::as_select())
        .first(conn)
        .optional()?
        .map(BudgetRecord::try_from)
        .transpose()
}

/// Inserts the budget, or replaces the amount of the existing one (same agency, year and
/// family). Call inside a write transaction after `find_budget`.
pub fn save_budget(conn: &mut DbConnection, b: &BudgetRecord, existed: bool) -> Result<(), StoreError> {
    if existed {
        diesel::update(budgets::table.find(DbUuid(b.id)))
            .set((
                budgets::amount_satang.eq(b.amount.satang()),
                budgets::updated_at.eq(DbTimestamp::from(b.updated_at)),
                budgets::version.eq(b.version),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(budgets::table)
            .values(BudgetRow {
                id: DbUuid(b.id),
                agency_id: b.agency.into(),
                fiscal_year: b.fiscal_year.0,
                service_family: family_text(b.service_family),
                amount_satang: b.amount.satang(),
                created_at: b.created_at.into(),
                updated_at: b.updated_at.into(),
                version: b.version,
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn list_budgets(
    conn: &mut DbConnection,
    agency: Option<OrganisationId>,
    fiscal_year: Option<FiscalYear>,
) -> Result<Vec<BudgetRecord>, StoreError> {
    let mut query = budgets::table.select(BudgetRow::as_select()).into_boxed();
    if let Some(a) = agency {
        query = query.filter(budgets::agency_id.eq(DbUuid::from(a)));
    }
    if let Some(fy) = fiscal_year {
        query = query.filter(budgets::fiscal_year.eq(fy.0));
    }
    query
        .order((budgets::fiscal_year.desc(), budgets::agency_id.asc(), budgets::service_family.asc()))
        .load(conn)?
        .into_iter()
        .map(BudgetRecord::try_from)
        .collect()
}

// ---- monthly figures from the data (GSI-13.3) ------------------------------------------

#[derive(Debug, QueryableByName)]
struct SpendRow {
    #[diesel(sql_type = db_sql::Uuid)]
    provider_id: DbUuid,
    #[diesel(sql_type = Text)]
    provider_name: String,
    #[diesel(sql_type = db_sql::Uuid)]
    subscription_id: DbUuid,
    #[diesel(sql_type = db_sql::Uuid)]
    offering_id: DbUuid,
    #[diesel(sql_type = Text)]
    offering_name: String,
    #[diesel(sql_type = Text)]
    service_family: String,
    #[diesel(sql_type = BigInt)]
    record_count: i64,
    #[diesel(sql_type = BigInt)]
    amount_satang: i64,
}

const SPEND_SQL: &str = "SELECT u.provider_id AS provider_id, po.name_th AS provider_name, \
    u.subscription_id AS subscription_id, s.offering_id AS offering_id, o.name AS offering_name, \
    s.family AS service_family, CAST(COUNT(*) AS BIGINT) AS record_count, \
    CAST(SUM(u.amount_satang) AS BIGINT) AS amount_satang \
    FROM usage_records u \
    JOIN subscriptions s ON s.id = u.subscription_id \
    JOIN offerings o ON o.id = s.offering_id \
    JOIN organisations po ON po.id = u.provider_id \
    WHERE u.agency_id = {1} AND u.usage_month >= {2} AND u.usage_month <= {3} {provider}\
    GROUP BY u.provider_id, po.name_th, u.subscription_id, s.offering_id, o.name, s.family \
    ORDER BY po.name_th, u.provider_id, o.name, u.subscription_id";

/// One agency's spending in `month` per provider and subscription, summed by the database.
pub fn month_spend(
    conn: &mut DbConnection,
    agency: OrganisationId,
    month: Month,
) -> Result<Vec<SpendLine>, StoreError> {
    spend_between(conn, agency, None, month, month)
}

/// One agency's spending (with one provider, if given) in the months `from..=to`, per
/// provider and subscription.
pub fn spend_between(
    conn: &mut DbConnection,
    agency: OrganisationId,
    provider: Option<OrganisationId>,
    from: Month,
    to: Month,
) -> Result<Vec<SpendLine>, StoreError> {
    let rows: Vec<SpendRow> = match conn {
        DbConnection::Postgresql(c) => {
            let sql = SPEND_SQL.replace("{1}", "$1").replace("{2}", "$2").replace("{3}", "$3");
            let sql = sql.replace("{provider}", if provider.is_some() { "AND u.provider_id = $4 " } else { "" });
            let mut q = diesel::sql_query(sql)
                .into_boxed::<diesel::pg::Pg>()
                .bind::<db_sql::Uuid, _>(DbUuid::from(agency))
                .bind::<Text, _>(from.to_string())
                .bind::<Text, _>(to.to_string());
            if let Some(p) = provider {
                q = q.bind::<db_sql::Uuid, _>(DbUuid::from(p));
            }
            q.load(c)?
        }
        DbConnection::Sqlite(c) => {
            let sql = SPEND_SQL.replace("{1}", "?").replace("{2}", "?").replace("{3}", "?");
            let sql = sql.replace("{provider}", if provider.is_some() { "AND u.provider_id = ? " } else { "" });
            let mut q = diesel::sql_query(sql)
                .into_boxed::<diesel::sqlite::Sqlite>()
                .bind::<db_sql::Uuid, _>(DbUuid::from(agency))
                .bind::<Text, _>(from.to_string())
                .bind::<Text, _>(to.to_string());
            if let Some(p) = provider {
                q = q.bind::<db_sql::Uuid, _>(DbUuid::from(p));
            }
            q.load(c)?
        }
    };
    rows.into_iter()
        .map(|r| {
            Ok(SpendLine {
                provider: Named { id: r.provider_id.0, name: r.provider_name },
                subscription: r.subscription_id.0,
                offering: Named { id: r.offering_id.0, name: r.offering_name },
                service_family: r
                    .service_family
                    .parse()
                    .map_err(|e| corrupt("subscriptions", format!("{}: {e}", r.subscription_id.0)))?,
                record_count: r.record_count,
                amount: Money::from_satang(r.amount_satang),
            })
        })
        .collect()
}

/// One agency's spending over the months `from..=to`.
pub fn spent_between(
    conn: &mut DbConnection,
    agency: OrganisationId,
    from: Month,
    to: Month,
) -> Result<Money, StoreError> {
    let total: Option<i64> = usage_records::table
        .filter(usage_records::agency_id.eq(DbUuid::from(agency)))
        .filter(usage_records::usage_month.ge(from.to_string()))
        .filter(usage_records::usage_month.le(to.to_string()))
        .select(sql::<Nullable<BigInt>>("CAST(SUM(amount_satang) AS BIGINT)"))
        .first(conn)?;
    Ok(Money::from_satang(total.unwrap_or(0)))
}

// ---- monthly reports (GSI-13.3) ----------------------------------------------------------

/// A revision of an agency's monthly report with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyReportRecord {
    pub id: uuid::Uuid,
    pub agency: OrganisationId,
    pub month: Month,
    pub revision: i32,
    pub state: MonthlyReportState,
    pub notes: Option<String>,
    pub fiscal_year: FiscalYear,
    pub figures: MonthlyFigures,
    /// The whole-year budget recorded when the figures were drafted.
    pub budget: Option<Money>,
    /// SHA-256 of `report::monthly_figures_canonical`.
    pub content_hash: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = monthly_reports, treat_none_as_default_value = false)]
struct MonthlyReportRow {
    id: DbUuid,
    agency_id: DbUuid,
    month: String,
    revision: i32,
    state: String,
    notes: Option<String>,
    month_total_satang: i64,
    fiscal_year: i32,
    fiscal_year_spent_satang: i64,
    budget_satang: Option<i64>,
    content_hash: String,
    submitted_at: Option<DbTimestamp>,
    submitted_by: Option<String>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = monthly_report_lines)]
struct LineRow {
    report_id: DbUuid,
    position: i32,
    provider_id: DbUuid,
    provider_name: String,
    subscription_id: DbUuid,
    offering_id: DbUuid,
    offering_name: String,
    service_family: String,
    record_count: i64,
    amount_satang: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = monthly_report_sla, treat_none_as_default_value = false)]
struct SlaRow {
    report_id: DbUuid,
    position: i32,
    subscription_id: DbUuid,
    target_percent: String,
    achieved_percent: String,
    availability_breached: i32,
    reliability_breached: i32,
    incidents_met: i32,
    incidents_breached: i32,
    incidents_pending: i32,
    credit_satang: Option<i64>,
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Stores a new revision with its figures. The budget use is recomputed when read.
pub fn insert_monthly(conn: &mut DbConnection, r: &MonthlyReportRecord) -> Result<(), StoreError> {
    diesel::insert_into(monthly_reports::table)
        .values(MonthlyReportRow {
            id: DbUuid(r.id),
            agency_id: r.agency.into(),
            month: r.month.to_string(),
            revision: r.revision,
            state: r.state.as_str().to_owned(),
            notes: r.notes.clone(),
            month_total_satang: r.figures.month_total.satang(),
            fiscal_year: r.fiscal_year.0,
            fiscal_year_spent_satang: r.figures.fiscal_year_spent.satang(),
            budget_satang: r.budget.map(Money::satang),
            content_hash: r.content_hash.clone(),
            submitted_at: r.submitted_at.map(Into::into),
            submitted_by: r.submitted_by.clone(),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            version: r.version,
        })
        .execute(conn)?;
    let lines: Vec<LineRow> = r
        .figures
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| LineRow {
            report_id: DbUuid(r.id),
            position: position(i),
            provider_id: DbUuid(l.provider.id),
            provider_name: l.provider.name.clone(),
            subscription_id: DbUuid(l.subscription),
            offering_id: DbUuid(l.offering.id),
            offering_name: l.offering.name.clone(),
            service_family: l.service_family.as_str().to_owned(),
            record_count: l.record_count,
            amount_satang: l.amount.satang(),
        })
        .collect();
    let sla: Vec<SlaRow> = r
        .figures
        .sla
        .iter()
        .enumerate()
        .map(|(i, s)| SlaRow {
            report_id: DbUuid(r.id),
            position: position(i),
            subscription_id: DbUuid(s.subscription),
            target_percent: s.target_percent.to_string(),
            achieved_percent: s.achieved_percent.to_string(),
            availability_breached: i32::from(s.availability_breached),
            reliability_breached: i32::from(s.reliability_breached),
            incidents_met: count(s.incidents_met),
            incidents_breached: count(s.incidents_breached),
            incidents_pending: count(s.incidents_pending),
            credit_satang: s.credit.map(Money::satang),
        })
        .collect();
    for l in lines {
        diesel::insert_into(monthly_report_lines::table).values(l).execute(conn)?;
    }
    for s in sla {
        diesel::insert_into(monthly_report_sla::table).values(s).execute(conn)?;
    }
    Ok(())
}

fn load_monthly(conn: &mut DbConnection, row: MonthlyReportRow) -> Result<MonthlyReportRecord, StoreError> {
    let id = row.id.0;
    let bad = |e: &dyn std::fmt::Display| corrupt("monthly_reports", format!("{id}: {e}"));
    let lines = monthly_report_lines::table
        .filter(monthly_report_lines::report_id.eq(row.id))
        .order(monthly_report_lines::position.asc())
        .select(LineRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|l| {
            Ok(SpendLine {
                provider: Named { id: l.provider_id.0, name: l.provider_name },
                subscription: l.subscription_id.0,
                offering: Named { id: l.offering_id.0, name: l.offering_name },
                service_family: l.service_family.parse().map_err(|e| bad(&e))?,
                record_count: l.record_count,
                amount: Money::from_satang(l.amount_satang),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let flag = |v: i32| match v {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(bad(&format!("flag {other}"))),
    };
    let non_negative = |v: i32| u32::try_from(v).map_err(|e| bad(&e));
    let decimal = |s: &str| s.parse::<Decimal>().map_err(|e| bad(&e));
    let sla = monthly_report_sla::table
        .filter(monthly_report_sla::report_id.eq(row.id))
        .order(monthly_report_sla::position.asc())
        .select(SlaRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|s| {
            Ok(SlaHighlight {
                subscription: s.subscription_id.0,
                target_percent: decimal(&s.target_percent)?,
                achieved_percent: decimal(&s.achieved_percent)?,
                availability_breached: flag(s.availability_breached)?,
                reliability_breached: flag(s.reliability_breached)?,
                incidents_met: non_negative(s.incidents_met)?,
                incidents_breached: non_negative(s.incidents_breached)?,
                incidents_pending: non_negative(s.incidents_pending)?,
                credit: s.credit_satang.map(Money::from_satang),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let month: Month = row.month.parse().map_err(|e| bad(&e))?;
    let fiscal_year = FiscalYear(row.fiscal_year);
    let month_total = Money::from_satang(row.month_total_satang);
    if Money::sum(lines.iter().map(|l| &l.amount)) != Some(month_total) {
        return Err(bad(&"month total differs from the sum of its lines"));
    }
    let fiscal_year_spent = Money::from_satang(row.fiscal_year_spent_satang);
    let budget = row.budget_satang.map(Money::from_satang);
    let figures = MonthlyFigures {
        lines,
        month_total,
        fiscal_year_spent,
        budget: budget.map(|b| gsi_domain::report::budget_use(fiscal_year, b, fiscal_year_spent, month)),
        sla,
    };
    Ok(MonthlyReportRecord {
        id,
        agency: row.agency_id.into(),
        month,
        revision: row.revision,
        state: MonthlyReportState::parse(&row.state).ok_or_else(|| bad(&format!("state `{}`", row.state)))?,
        notes: row.notes,
        fiscal_year,
        figures,
        budget,
        content_hash: row.content_hash,
        submitted_at: row.submitted_at.map(|t| t.0),
        submitted_by: row.submitted_by,
        created_at: row.created_at.0,
        updated_at: row.updated_at.0,
        version: row.version,
    })
}

pub fn find_monthly(conn: &mut DbConnection, id: uuid::Uuid) -> Result<Option<MonthlyReportRecord>, StoreError> {
    match monthly_reports::table.find(DbUuid(id)).select(MonthlyReportRow::as_select()).first(conn).optional()? {
        Some(row) => load_monthly(conn, row).map(Some),
        None => Ok(None),
    }
}

/// Every revision of one agency's report of `month`, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    agency: OrganisationId,
    month: Month,
) -> Result<Vec<MonthlyReportRecord>, StoreError> {
    let rows = monthly_reports::table
        .filter(monthly_reports::agency_id.eq(DbUuid::from(agency)))
        .filter(monthly_reports::month.eq(month.to_string()))
        .order(monthly_reports::revision.asc())
        .select(MonthlyReportRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| load_monthly(conn, row)).collect()
}

/// Revisions of `agency` (or every agency), of `month` if given, newest first, at most `limit`.
pub fn list_monthly(
    conn: &mut DbConnection,
    agency: Option<OrganisationId>,
    month: Option<Month>,
    limit: i64,
) -> Result<Vec<MonthlyReportRecord>, StoreError> {
    let mut query = monthly_reports::table.select(MonthlyReportRow::as_select()).into_boxed();
    if let Some(a) = agency {
        query = query.filter(monthly_reports::agency_id.eq(DbUuid::from(a)));
    }
    if let Some(m) = month {
        query = query.filter(monthly_reports::month.eq(m.to_string()));
    }
    let rows = query
        .order((monthly_reports::month.desc(), monthly_reports::agency_id.asc(), monthly_reports::revision.desc()))
        .limit(limit)
        .load(conn)?;
    rows.into_iter().map(|row| load_monthly(conn, row)).collect()
}

/// Changes a draft (notes, state, submission) if it is still a draft at `expected_version`.
/// Returns false when it changed meanwhile.
pub fn update_draft(
    conn: &mut DbConnection,
    r: &MonthlyReportRecord,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        monthly_reports::table
            .filter(monthly_reports::id.eq(DbUuid(r.id)))
            .filter(monthly_reports::version.eq(expected_version))
            .filter(monthly_reports::state.eq(MonthlyReportState::Draft.as_str())),
    )
    .set((
        monthly_reports::state.eq(r.state.as_str()),
        monthly_reports::notes.eq(r.notes.clone()),
        monthly_reports::submitted_at.eq(r.submitted_at.map(DbTimestamp::from)),
        monthly_reports::submitted_by.eq(r.submitted_by.clone()),
        monthly_reports::updated_at.eq(DbTimestamp::from(r.updated_at)),
        monthly_reports::version.eq(r.version),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Where one agency stands with one month: first submission time, latest revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyMonthRow {
    pub agency: Named,
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// The latest submitted revision's figures, if any.
    pub latest_submitted: Option<(uuid::Uuid, i32, Money, Money, Option<Money>)>,
    pub has_draft: bool,
}

/// Every agency with its standing for `month` (GIX's overview): three queries, whatever the
/// number of agencies.
pub fn month_overview(conn: &mut DbConnection, month: Month) -> Result<Vec<AgencyMonthRow>, StoreError> {
    let agencies: Vec<(DbUuid, String)> = organisations::table
        .filter(organisations::kind.eq("agency"))
        .order((organisations::name_th.asc(), organisations::id.asc()))
        .select((organisations::id, organisations::name_th))
        .load(conn)?;
    let reports = monthly_reports::table
        .filter(monthly_reports::month.eq(month.to_string()))
        .order((monthly_reports::agency_id.asc(), monthly_reports::revision.asc()))
        .select(MonthlyReportRow::as_select())
        .load(conn)?;
    let mut by_agency: std::collections::BTreeMap<uuid::Uuid, Vec<MonthlyReportRow>> = Default::default();
    for r in reports {
        by_agency.entry(r.agency_id.0).or_default().push(r);
    }
    Ok(agencies
        .into_iter()
        .map(|(id, name)| {
            let revisions = by_agency.remove(&id.0).unwrap_or_default();
            let submitted: Vec<&MonthlyReportRow> =
                revisions.iter().filter(|r| r.state == MonthlyReportState::Submitted.as_str()).collect();
            AgencyMonthRow {
                agency: Named { id: id.0, name },
                first_submitted_at: submitted.iter().filter_map(|r| r.submitted_at.map(|t| t.0)).min(),
                latest_submitted: submitted.last().map(|r| {
                    (
                        r.id.0,
                        r.revision,
                        Money::from_satang(r.month_total_satang),
                        Money::from_satang(r.fiscal_year_spent_satang),
                        r.budget_satang.map(Money::from_satang),
                    )
                }),
                has_draft: revisions.iter().any(|r| r.state == MonthlyReportState::Draft.as_str()),
            }
        })
        .collect())
}

// ---- agency summary counts (GSI-7.5.9, 13.2) ------------------------------------------------

/// Whose data an agency summary counts: one agency, and only one provider's part of it when
/// a provider reads it.
#[derive(Debug, Clone, Copy)]
pub struct SummaryScope {
    pub agency: OrganisationId,
    pub provider: Option<OrganisationId>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A count under two keys (e.g. kind and status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedCount {
    pub first: String,
    pub second: String,
    pub count: i64,
}

fn keyed(rows: Vec<(String, String, i64)>) -> Vec<KeyedCount> {
    rows.into_iter().map(|(first, second, count)| KeyedCount { first, second, count }).collect()
}

/// Services per family: in use during the period, started in it, ended in it.
pub fn services_summary(conn: &mut DbConnection, s: SummaryScope) -> Result<Vec<KeyedCount>, StoreError> {
    use crate::schema::subscriptions as t;
    let start = DbTimestamp::from(s.start);
    let end = DbTimestamp::from(s.end);
    let agency = DbUuid::from(s.agency);
    let provider = s.provider.map(DbUuid::from);
    let mut in_use = t::table
        .group_by(t::family)
        .select((t::family, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(agency))
        .filter(t::starts_at.lt(end))
        .filter(t::ends_at.is_null().or(t::ends_at.gt(start)))
        .order(t::family.asc())
        .into_boxed();
    let mut started = t::table
        .group_by(t::family)
        .select((t::family, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(agency))
        .filter(t::starts_at.ge(start))
        .filter(t::starts_at.lt(end))
        .order(t::family.asc())
        .into_boxed();
    let mut ended = t::table
        .group_by(t::family)
        .select((t::family, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(agency))
        .filter(t::ends_at.ge(start))
        .filter(t::ends_at.lt(end))
        .order(t::family.asc())
        .into_boxed();
    if let Some(p) = provider {
        in_use = in_use.filter(t::provider_id.eq(p));
        started = started.filter(t::provider_id.eq(p));
        ended = ended.filter(t::provider_id.eq(p));
    }
    let label = |what: &str, rows: Vec<(String, i64)>| {
        rows.into_iter().map(|(family, count)| (what.to_owned(), family, count)).collect::<Vec<_>>()
    };
    let mut all = label("in_use", in_use.load(conn)?);
    all.extend(label("started", started.load(conn)?));
    all.extend(label("ended", ended.load(conn)?));
    Ok(keyed(all))
}

/// Service requests made in the period, per kind and current status (their outcome).
pub fn requests_summary(conn: &mut DbConnection, s: SummaryScope) -> Result<Vec<KeyedCount>, StoreError> {
    use crate::schema::service_requests as t;
    let mut q = t::table
        .group_by((t::kind, t::status))
        .select((t::kind, t::status, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(DbUuid::from(s.agency)))
        .filter(t::created_at.ge(DbTimestamp::from(s.start)))
        .filter(t::created_at.lt(DbTimestamp::from(s.end)))
        .order((t::kind.asc(), t::status.asc()))
        .into_boxed();
    if let Some(p) = s.provider {
        q = q.filter(t::provider_id.eq(DbUuid::from(p)));
    }
    Ok(keyed(q.load(conn)?))
}

/// Incidents reported in the period, per state and priority.
pub fn incidents_summary(conn: &mut DbConnection, s: SummaryScope) -> Result<Vec<KeyedCount>, StoreError> {
    use crate::schema::incidents as t;
    let mut q = t::table
        .group_by((t::state, t::priority))
        .select((t::state, t::priority, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(DbUuid::from(s.agency)))
        .filter(t::reported_at.ge(DbTimestamp::from(s.start)))
        .filter(t::reported_at.lt(DbTimestamp::from(s.end)))
        .order((t::state.asc(), t::priority.asc()))
        .into_boxed();
    if let Some(p) = s.provider {
        q = q.filter(t::provider_id.eq(DbUuid::from(p)));
    }
    Ok(keyed(q.load(conn)?))
}

/// Security events detected in the period, per category and severity.
pub fn security_events_summary(conn: &mut DbConnection, s: SummaryScope) -> Result<Vec<KeyedCount>, StoreError> {
    use crate::schema::security_events as t;
    let mut q = t::table
        .group_by((t::category, t::severity))
        .select((t::category, t::severity, diesel::dsl::count_star()))
        .filter(t::agency_id.eq(DbUuid::from(s.agency)))
        .filter(t::detected_at.ge(DbTimestamp::from(s.start)))
        .filter(t::detected_at.lt(DbTimestamp::from(s.end)))
        .order((t::category.asc(), t::severity.asc()))
        .into_boxed();
    if let Some(p) = s.provider {
        q = q.filter(t::provider_id.eq(DbUuid::from(p)));
    }
    Ok(keyed(q.load(conn)?))
}
