pub mod create;
pub mod get;
pub mod list;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::pricing::ReferencePriceDraft;
use gsi_persistence::repos::reference_prices::ReferencePriceRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::service::{MetricBody, ServiceFamilyBody, ServiceKindBody};

/// A reference price (ราคากลาง, GSI-7.1): the most a provider may charge per unit of
/// `metric` for `service_kind` from `valid_from` until `valid_until` (open when null).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000c1",
    "service_kind": "government_internet", "family": "network", "metric": "mbps_month",
    "unit_price": "350", "valid_from": "2026-10-01T00:00:00Z", "valid_until": null,
    "basis": "ประกาศคณะกรรมการพัฒนารัฐบาลดิจิทัล เรื่อง ราคากลางบริการโครงสร้างพื้นฐานดิจิทัล ปีงบประมาณ 2570",
    "set_by": "gix-officer-1", "created_at": "2026-12-01T04:00:00Z", "updated_at": "2026-12-01T04:00:00Z", "version": 1
}))]
pub struct ReferencePriceBody {
    pub id: uuid::Uuid,
    pub service_kind: ServiceKindBody,
    /// The family of `service_kind`.
    pub family: ServiceFamilyBody,
    pub metric: MetricBody,
    /// THB per unit of `metric`, an exact decimal with up to 6 places, as a string.
    #[schema(example = "350")]
    pub unit_price: String,
    /// In force from this instant (inclusive).
    pub valid_from: DateTime<Utc>,
    /// In force until this instant (exclusive); null while open-ended. Set when a later
    /// price replaces this one.
    pub valid_until: Option<DateTime<Utc>>,
    /// The rule or law that sets the price, as GIX cites it.
    pub basis: Option<String>,
    /// The subject of the GIX officer who set it.
    pub set_by: String,
    pub created_at: DateTime<Utc>,
    /// When the period was last closed.
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i64,
}

impl From<&ReferencePriceRecord> for ReferencePriceBody {
    fn from(r: &ReferencePriceRecord) -> Self {
        let p = &r.price;
        ReferencePriceBody {
            id: p.id.as_uuid(),
            service_kind: p.kind.into(),
            family: p.kind.family().into(),
            metric: p.metric.into(),
            unit_price: p.unit_price.to_string(),
            valid_from: p.period.from(),
            valid_until: p.period.until(),
            basis: p.basis.as_ref().map(ToString::to_string),
            set_by: r.set_by_subject.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A page of reference prices.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferencePriceList {
    pub items: Vec<ReferencePriceBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A new reference price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "service_kind": "government_internet", "metric": "mbps_month", "unit_price": "350",
    "valid_from": "2026-10-01T00:00:00+07:00", "valid_until": null,
    "basis": "ประกาศคณะกรรมการพัฒนารัฐบาลดิจิทัล เรื่อง ราคากลางบริการโครงสร้างพื้นฐานดิจิทัล ปีงบประมาณ 2570"
}))]
pub struct SetReferencePrice {
    pub service_kind: ServiceKindBody,
    pub metric: MetricBody,
    /// THB per unit, a non-negative decimal with up to 6 places, as a string.
    #[schema(example = "350")]
    pub unit_price: String,
    /// RFC 3339 instant the price starts (inclusive).
    pub valid_from: DateTime<Utc>,
    /// RFC 3339 instant it ends (exclusive), after `valid_from`; omit or null for open-ended.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// The rule or law that sets the price, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    #[serde(default)]
    pub basis: Option<String>,
}

impl From<SetReferencePrice> for ReferencePriceDraft {
    fn from(s: SetReferencePrice) -> Self {
        ReferencePriceDraft {
            kind: gsi_domain::service::ServiceKind::from(s.service_kind).as_str().to_owned(),
            metric: gsi_domain::service::Metric::from(s.metric).as_str().to_owned(),
            unit_price: s.unit_price,
            // Stored to the microsecond; the answer shows what is stored.
            valid_from: gsi_domain::time::to_storage_precision(s.valid_from),
            valid_until: s.valid_until.map(gsi_domain::time::to_storage_precision),
            basis: s.basis,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListReferencePricesQuery {
    /// Only prices for this service kind.
    #[param(value_type = Option<ServiceKindBody>)]
    pub service_kind: Option<String>,
    /// Only prices for this metric.
    #[param(value_type = Option<MetricBody>)]
    pub metric: Option<String>,
    /// Only prices in force at this RFC 3339 instant (`valid_from <= at < valid_until`).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub at: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

fn reference_price_response(record: &ReferencePriceRecord) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(record.version))).json(ReferencePriceBody::from(record))
}
