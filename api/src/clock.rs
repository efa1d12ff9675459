//! The clock is a parameter: use cases get `now` from here, tests can fix it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(Utc::now))
    }

    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }

    /// Now, at storage precision (microseconds).
    pub fn now(&self) -> DateTime<Utc> {
        gsi_domain::time::to_storage_precision((self.0)())
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}
