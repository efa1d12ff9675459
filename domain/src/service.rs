//! What is offered: the three service families (GSI-5.1, 6.2), their kinds (GSI-3.6–3.8
//! for network) and the pay-per-use pricing metrics (GSI-7.1).

/// Defines a closed vocabulary as an enum with its wire names, `ALL`, `as_str`,
/// `Display` and `FromStr`. Every vocabulary here is spelled the same way on the wire.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::service::UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| $crate::service::UnknownTerm {
                    what: $what,
                    got: s.to_owned(),
                    expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })
            }
        }
    };
}
pub(crate) use vocabulary;

/// A word outside a closed vocabulary; the message lists the accepted words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}`; expected one of: {expected}")]
pub struct UnknownTerm {
    pub what: &'static str,
    pub got: String,
    pub expected: String,
}

vocabulary!(
    /// GSI-5.1 / 6.2: the three families of digital infrastructure service.
    ServiceFamily, "service family" {
        Network => "network",
        Cloud => "cloud",
        DataCenter => "data_center",
    }
);

vocabulary!(
    /// What exactly is offered within a family.
    ServiceKind, "service kind" {
        /// GSI-3.6: internet access for an agency.
        GovernmentInternet => "government_internet",
        /// GSI-3.7: links between agencies for inter-agency exchange.
        GovernmentIntranet => "government_intranet",
        /// GSI-3.8: links between the branches of one agency or one mission.
        AgencyIntranet => "agency_intranet",
        Compute => "compute",
        Storage => "storage",
        Backup => "backup",
        ManagedDatabase => "managed_database",
        Colocation => "colocation",
        DisasterRecoverySite => "disaster_recovery_site",
    }
);

impl ServiceKind {
    pub const fn family(self) -> ServiceFamily {
        match self {
            ServiceKind::GovernmentInternet | ServiceKind::GovernmentIntranet | ServiceKind::AgencyIntranet => {
                ServiceFamily::Network
            }
            ServiceKind::Compute | ServiceKind::Storage | ServiceKind::Backup | ServiceKind::ManagedDatabase => {
                ServiceFamily::Cloud
            }
            ServiceKind::Colocation | ServiceKind::DisasterRecoverySite => ServiceFamily::DataCenter,
        }
    }
}

vocabulary!(
    /// A pay-per-use pricing metric (GSI-7.1): the unit a quantity is measured and priced in.
    Metric, "pricing metric" {
        /// Committed bandwidth for a month.
        MbpsMonth => "mbps_month",
        VcpuHour => "vcpu_hour",
        RamGbHour => "ram_gb_hour",
        StorageGbMonth => "storage_gb_month",
        BackupGbMonth => "backup_gb_month",
        RackUnitMonth => "rack_unit_month",
        Kwh => "kwh",
        PublicIpMonth => "public_ip_month",
    }
);

impl Metric {
    /// The resource this metric sizes, as agencies name it when asking for a change
    /// (GSI-7.5.6: bandwidth, vCPU, RAM, storage).
    pub const fn resource_label(self) -> &'static str {
        match self {
            Metric::MbpsMonth => "bandwidth (Mbps)",
            Metric::VcpuHour => "vCPU",
            Metric::RamGbHour => "RAM (GB)",
            Metric::StorageGbMonth => "storage (GB)",
            Metric::BackupGbMonth => "backup storage (GB)",
            Metric::RackUnitMonth => "rack space (U)",
            Metric::Kwh => "power (kWh)",
            Metric::PublicIpMonth => "public IP addresses",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for kind in ServiceKind::ALL {
            assert_eq!(kind.as_str().parse::<ServiceKind>().unwrap(), *kind);
        }
        for metric in Metric::ALL {
            assert_eq!(metric.as_str().parse::<Metric>().unwrap(), *metric);
        }
        let err = "satellite".parse::<ServiceFamily>().unwrap_err();
        assert_eq!(err.to_string(), "unknown service family `satellite`; expected one of: network, cloud, data_center");
    }

    #[test]
    fn gsi_3_6_network_kinds_belong_to_the_network_family() {
        assert_eq!(ServiceKind::GovernmentInternet.family(), ServiceFamily::Network);
        assert_eq!(ServiceKind::AgencyIntranet.family(), ServiceFamily::Network);
        assert_eq!(ServiceKind::Compute.family(), ServiceFamily::Cloud);
        assert_eq!(ServiceKind::Colocation.family(), ServiceFamily::DataCenter);
    }
}
