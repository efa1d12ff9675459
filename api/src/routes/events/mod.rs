pub mod list;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::webhooks::payload::EventBody;

/// A page of the event feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    pub items: Vec<EventBody>,
    /// Pass as `after` to continue; present even when `items` is empty, so a client can
    /// store it and poll.
    pub next_cursor: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListEventsQuery {
    /// The `next_cursor` of the previous page; omit to start from the first event.
    pub after: Option<String>,
    /// Comma-separated event types, e.g. `service_request.quoted,incident.state_changed`.
    pub types: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}
