//! The clause catalogue of the standard, generated from `../shared/standard/requirements.md`
//! (one entry per `- GSI-…` line, in file order) and checked against that file by
//! `tests::catalogue_matches_requirements_md`. Regenerate it when the file changes.
//!
//! `Required` clauses carry `[R]`; clauses 12 and 13 carry no marker but the file treats
//! them as required (`RequiredUnmarked`); Appendix A is an example flow (`Unmarked`).

use super::clauses::{Clause, ClauseLevel};

pub const CLAUSES: &[Clause] = &[
    Clause {
        id: "GSI-5.1",
        level: ClauseLevel::Required,
        text: "Three service families: network, cloud, data center; served by providers that are certified and on the provider list.",
    },
    Clause {
        id: "GSI-5.2",
        level: ClauseLevel::Required,
        text: "Providers are assessed and certified by an assessor, with a review cycle.",
    },
    Clause {
        id: "GSI-5.3",
        level: ClauseLevel::Required,
        text: "Providers connect their networks for Government Internet, Government Intranet and Agency Intranet, and to GIX.",
    },
    Clause {
        id: "GSI-6.1",
        level: ClauseLevel::Required,
        text: "A provider is a government body or a juristic person registered to do business in Thailand.",
    },
    Clause {
        id: "GSI-6.2",
        level: ClauseLevel::Required,
        text: "A provider offers one or more of: network, cloud, data-center service for government.",
    },
    Clause {
        id: "GSI-6.3",
        level: ClauseLevel::Required,
        text: "A provider complies with, and is assessed against, the family standard for what it offers (network: DGS 1002; cloud: DGS 1003; data center: DGS 1004), and with the laws on information technology and telecommunications.",
    },
    Clause {
        id: "GSI-6.4",
        level: ClauseLevel::Required,
        text: "A provider holds valid (unexpired) certificates whose scope covers the services it offers government: ISO/IEC 20000 (IT service management), ISO/IEC 22301 (business continuity), ISO/IEC 27001 (information security).",
    },
    Clause {
        id: "GSI-7.1",
        level: ClauseLevel::Required,
        text: "Prices do not exceed the government reference price (or the rule or law that sets it), and are pay-per-use.",
    },
    Clause {
        id: "GSI-7.2",
        level: ClauseLevel::Required,
        text: "The provider runs monitoring, surveillance and alerting to prevent problems that affect the service.",
    },
    Clause {
        id: "GSI-7.3",
        level: ClauseLevel::Required,
        text: "The provider gives advice, takes fault reports, investigates and fixes problems for the user.",
    },
    Clause {
        id: "GSI-7.4",
        level: ClauseLevel::Required,
        text: "The provider has channels to coordinate with the user for the whole service period, 24 hours a day, at least by phone, e-mail and the self-service system.",
    },
    Clause {
        id: "GSI-7.5",
        level: ClauseLevel::Required,
        text: "The provider has an online self-service system in which the user can look up information and act:",
    },
    Clause {
        id: "GSI-7.5.1",
        level: ClauseLevel::Required,
        text: "view the agency's basic data: agency name, coordinators, contact channels.",
    },
    Clause {
        id: "GSI-7.5.2",
        level: ClauseLevel::Required,
        text: "view service data: details of services in use, start and end dates, service level agreement, add-ons in use.",
    },
    Clause {
        id: "GSI-7.5.3",
        level: ClauseLevel::Required,
        text: "view cost data: current cost of services and historical cost.",
    },
    Clause {
        id: "GSI-7.5.4",
        level: ClauseLevel::Required,
        text: "view information-security data: cyber attacks, threats, viruses, malware.",
    },
    Clause { id: "GSI-7.5.5", level: ClauseLevel::Required, text: "request service: a new service, an add-on." },
    Clause {
        id: "GSI-7.5.6",
        level: ClauseLevel::Required,
        text: "request a change of service: e.g. internet bandwidth, cloud resources (workflow in Appendix A).",
    },
    Clause {
        id: "GSI-7.5.7",
        level: ClauseLevel::Required,
        text: "request cancellation: of a current service, of an add-on.",
    },
    Clause {
        id: "GSI-7.5.8",
        level: ClauseLevel::Required,
        text: "report incidents and problems, and track the progress of their handling.",
    },
    Clause {
        id: "GSI-7.5.9",
        level: ClauseLevel::Required,
        text: "view summary reports of the data and actions above, by themselves.",
    },
    Clause { id: "GSI-7.5.10", level: ClauseLevel::Optional, text: "other actions." },
    Clause {
        id: "GSI-7.6",
        level: ClauseLevel::Required,
        text: "The provider reports service-usage data to the central agency (GIX) when it asks.",
    },
    Clause {
        id: "GSI-8.1",
        level: ClauseLevel::Required,
        text: "The provider has a security-control process for the systems it serves, to prevent problems from vulnerabilities.",
    },
    Clause {
        id: "GSI-8.2",
        level: ClauseLevel::Required,
        text: "The provider has security systems and staff who monitor and help when incidents and cyber threats occur.",
    },
    Clause {
        id: "GSI-9.1",
        level: ClauseLevel::Required,
        text: "Staff involved in the service hold recognised technical certifications in administering and configuring the service, in: network, cloud, data center, security.",
    },
    Clause {
        id: "GSI-9.2",
        level: ClauseLevel::Required,
        text: "Staff involved in the service have passed a criminal-record check.",
    },
    Clause {
        id: "GSI-9.3",
        level: ClauseLevel::Required,
        text: "Staff involved in the service have signed a non-disclosure agreement covering the users' data.",
    },
    Clause {
        id: "GSI-10.1",
        level: ClauseLevel::Required,
        text: "The provider meets the service availability requirements.",
    },
    Clause {
        id: "GSI-10.2",
        level: ClauseLevel::Required,
        text: "The provider meets the service reliability requirements.",
    },
    Clause {
        id: "GSI-10.3",
        level: ClauseLevel::Desirable,
        text: "The provider should declare service exclusions clearly and publish them.",
    },
    Clause {
        id: "GSI-11.1",
        level: ClauseLevel::Required,
        text: "The assessor assesses a provider on the provider's request and/or on a surveillance cycle of no more than one year from the date of certification.",
    },
    Clause {
        id: "GSI-11.2",
        level: ClauseLevel::Required,
        text: "The assessor examines documentary evidence and technical data of the provider related to the services.",
    },
    Clause {
        id: "GSI-11.3",
        level: ClauseLevel::Required,
        text: "The assessor certifies conforming providers and reports to GIX, which keeps the provider list.",
    },
    Clause {
        id: "GSI-11.4",
        level: ClauseLevel::Required,
        text: "The provider lets the assessor inspect its processes, systems, sites, equipment and evidence, as GIX specifies.",
    },
    Clause {
        id: "GSI-12.1",
        level: ClauseLevel::RequiredUnmarked,
        text: "GIX selects qualified assessors (or has assessment done under international standards).",
    },
    Clause {
        id: "GSI-12.2",
        level: ClauseLevel::RequiredUnmarked,
        text: "GIX lists the providers certified by an assessor in the provider list, from which agencies choose.",
    },
    Clause {
        id: "GSI-12.3",
        level: ClauseLevel::RequiredUnmarked,
        text: "GIX removes a provider from the list when it is no longer certified.",
    },
    Clause {
        id: "GSI-13.1",
        level: ClauseLevel::RequiredUnmarked,
        text: "An agency uses services only from providers on the provider list.",
    },
    Clause {
        id: "GSI-13.2",
        level: ClauseLevel::RequiredUnmarked,
        text: "An agency checks its use of services through the provider's self-service system.",
    },
    Clause {
        id: "GSI-13.3",
        level: ClauseLevel::RequiredUnmarked,
        text: "An agency reports its use of services, budget spent and related data to GIX monthly, for the period of use.",
    },
    Clause {
        id: "GSI-A.1.1",
        level: ClauseLevel::Unmarked,
        text: "The user signs in to the provider's self-service system.",
    },
    Clause {
        id: "GSI-A.1.2",
        level: ClauseLevel::Unmarked,
        text: "The user picks \"change service\", from the shortcut at the foot of each service in use or from the main menu.",
    },
    Clause {
        id: "GSI-A.1.3",
        level: ClauseLevel::Unmarked,
        text: "The user picks the resources wanted. If the request exceeds what the provider can serve, the system must warn clearly.",
    },
    Clause {
        id: "GSI-A.1.4",
        level: ClauseLevel::Unmarked,
        text: "The user submits the change request to the provider.",
    },
    Clause {
        id: "GSI-A.1.5",
        level: ClauseLevel::Unmarked,
        text: "The provider checks the request, the quantity of resources, and the cost.",
    },
    Clause {
        id: "GSI-A.1.6",
        level: ClauseLevel::Unmarked,
        text: "The provider sends back a confirmation: the outcome of the request, the confirmed quantity of resources, and the cost increase or decrease.",
    },
    Clause {
        id: "GSI-A.1.7",
        level: ClauseLevel::Unmarked,
        text: "The user must confirm, acknowledging the change of resources and of cost.",
    },
    Clause {
        id: "GSI-A.1.8",
        level: ClauseLevel::Unmarked,
        text: "Once the user confirms, the provider carries out the change, reports progress, and reports the result when done.",
    },
];
