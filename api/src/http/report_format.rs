//! JSON or CSV for reports: `format=csv|json` wins; otherwise `Accept: text/csv` asks for
//! CSV; JSON by default. `bom=true` puts a UTF-8 byte-order mark before the CSV, so that
//! spreadsheet programs read Thai text correctly.

use actix_web::http::header;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use gsi_domain::ValidationErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    /// With or without the byte-order mark.
    Csv {
        bom: bool,
    },
}

/// Reads `format` and `bom` (query parameters) and the `Accept` header; bad values are
/// recorded under their parameter names.
pub fn negotiate(
    req: &HttpRequest,
    format: Option<&str>,
    bom: Option<&str>,
    errors: &mut ValidationErrors,
) -> ReportFormat {
    let bom = match bom {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.add("bom", "invalid_boolean", "must be true or false");
            false
        }
    };
    let csv = match format {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => {
            errors.add("format", "invalid_format", "must be csv or json");
            false
        }
        None => accepts_csv(req),
    };
    if csv { ReportFormat::Csv { bom } } else { ReportFormat::Json }
}

/// `Accept` names `text/csv` before any JSON type (or without one).
fn accepts_csv(req: &HttpRequest) -> bool {
    let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let types: Vec<&str> =
        accept.split(',').map(|t| t.split(';').next().unwrap_or("").trim()).filter(|t| !t.is_empty()).collect();
    let csv = types.iter().position(|t| t.eq_ignore_ascii_case("text/csv"));
    let json = types.iter().position(|t| t.eq_ignore_ascii_case("application/json"));
    match (csv, json) {
        (Some(c), Some(j)) => c < j,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// A 200 for a CSV download named `filename`.
pub fn csv_response(filename: String) -> HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .insert_header((header::CONTENT_TYPE, gsi_domain::csv::CONTENT_TYPE))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .insert_header((header::VARY, "Accept"));
    builder
}

/// The CSV document's first bytes.
pub fn csv_preamble(bom: bool) -> &'static str {
    if bom { gsi_domain::csv::UTF8_BOM } else { "" }
}
