//! Field-level validation results. Parsing collects every failing field, not only the
//! first, so that a client can fix a form in one round trip.

use std::fmt;

/// One field that failed, named by its JSON path (`coordinators[1].email`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    /// A stable machine-readable code (`required`, `too_long`, `invalid_email`, …).
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, code, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), code, message: message.into() });
    }

    /// Keeps the value of a successful parse, or records its errors and gives `None`.
    pub fn collect<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors.0);
                None
            }
        }
    }

    /// Records the errors of a nested value under a path prefix.
    pub fn collect_nested<T>(&mut self, prefix: &str, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors.0.into_iter().map(|e| FieldError {
                    field: if e.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", e.field) },
                    ..e
                }));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(value)` when nothing failed.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { value().ok_or(self) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}

impl std::error::Error for ValidationErrors {}
