//! The service vocabulary on the wire (GSI-3.6–3.8, 5.1, 7.1): families, kinds and pricing
//! metrics, shared by the catalog, the reference prices and what builds on them.

use gsi_domain::service::{Metric, ServiceFamily, ServiceKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The three families of digital infrastructure service (GSI-5.1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ServiceFamilyBody {
    Network,
    Cloud,
    DataCenter,
}

impl From<ServiceFamily> for ServiceFamilyBody {
    fn from(family: ServiceFamily) -> Self {
        match family {
            ServiceFamily::Network => ServiceFamilyBody::Network,
            ServiceFamily::Cloud => ServiceFamilyBody::Cloud,
            ServiceFamily::DataCenter => ServiceFamilyBody::DataCenter,
        }
    }
}

impl From<ServiceFamilyBody> for ServiceFamily {
    fn from(family: ServiceFamilyBody) -> Self {
        match family {
            ServiceFamilyBody::Network => ServiceFamily::Network,
            ServiceFamilyBody::Cloud => ServiceFamily::Cloud,
            ServiceFamilyBody::DataCenter => ServiceFamily::DataCenter,
        }
    }
}

/// What exactly is offered within a family: `government_internet` (GSI-3.6),
/// `government_intranet` (GSI-3.7), `agency_intranet` (GSI-3.8) are network services;
/// `compute`, `storage`, `backup`, `managed_database` are cloud; `colocation` and
/// `disaster_recovery_site` are data center.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKindBody {
    GovernmentInternet,
    GovernmentIntranet,
    AgencyIntranet,
    Compute,
    Storage,
    Backup,
    ManagedDatabase,
    Colocation,
    DisasterRecoverySite,
}

impl From<ServiceKind> for ServiceKindBody {
    fn from(kind: ServiceKind) -> Self {
        match kind {
            ServiceKind::GovernmentInternet => ServiceKindBody::GovernmentInternet,
            ServiceKind::GovernmentIntranet => ServiceKindBody::GovernmentIntranet,
            ServiceKind::AgencyIntranet => ServiceKindBody::AgencyIntranet,
            ServiceKind::Compute => ServiceKindBody::Compute,
            ServiceKind::Storage => ServiceKindBody::Storage,
            ServiceKind::Backup => ServiceKindBody::Backup,
            ServiceKind::ManagedDatabase => ServiceKindBody::ManagedDatabase,
            ServiceKind::Colocation => ServiceKindBody::Colocation,
            ServiceKind::DisasterRecoverySite => ServiceKindBody::DisasterRecoverySite,
        }
    }
}

impl From<ServiceKindBody> for ServiceKind {
    fn from(kind: ServiceKindBody) -> Self {
        match kind {
            ServiceKindBody::GovernmentInternet => ServiceKind::GovernmentInternet,
            ServiceKindBody::GovernmentIntranet => ServiceKind::GovernmentIntranet,
            ServiceKindBody::AgencyIntranet => ServiceKind::AgencyIntranet,
            ServiceKindBody::Compute => ServiceKind::Compute,
            ServiceKindBody::Storage => ServiceKind::Storage,
            ServiceKindBody::Backup => ServiceKind::Backup,
            ServiceKindBody::ManagedDatabase => ServiceKind::ManagedDatabase,
            ServiceKindBody::Colocation => ServiceKind::Colocation,
            ServiceKindBody::DisasterRecoverySite => ServiceKind::DisasterRecoverySite,
        }
    }
}

/// A pay-per-use pricing metric (GSI-7.1): the unit a quantity is measured and priced in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MetricBody {
    /// Committed bandwidth for a month.
    MbpsMonth,
    VcpuHour,
    RamGbHour,
    StorageGbMonth,
    BackupGbMonth,
    RackUnitMonth,
    Kwh,
    PublicIpMonth,
}

impl From<Metric> for MetricBody {
    fn from(metric: Metric) -> Self {
        match metric {
            Metric::MbpsMonth => MetricBody::MbpsMonth,
            Metric::VcpuHour => MetricBody::VcpuHour,
            Metric::RamGbHour => MetricBody::RamGbHour,
            Metric::StorageGbMonth => MetricBody::StorageGbMonth,
            Metric::BackupGbMonth => MetricBody::BackupGbMonth,
            Metric::RackUnitMonth => MetricBody::RackUnitMonth,
            Metric::Kwh => MetricBody::Kwh,
            Metric::PublicIpMonth => MetricBody::PublicIpMonth,
        }
    }
}

impl From<MetricBody> for Metric {
    fn from(metric: MetricBody) -> Self {
        match metric {
            MetricBody::MbpsMonth => Metric::MbpsMonth,
            MetricBody::VcpuHour => Metric::VcpuHour,
            MetricBody::RamGbHour => Metric::RamGbHour,
            MetricBody::StorageGbMonth => Metric::StorageGbMonth,
            MetricBody::BackupGbMonth => Metric::BackupGbMonth,
            MetricBody::RackUnitMonth => Metric::RackUnitMonth,
            MetricBody::Kwh => Metric::Kwh,
            MetricBody::PublicIpMonth => Metric::PublicIpMonth,
        }
    }
}
