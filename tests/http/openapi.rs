//! The committed contract (`openapi/openapi.json`) is what the code generates and what
//! the server serves. `make openapi` rewrites the file when the change is intended.

use crate::support::spawn_app;

fn committed() -> serde_json::Value {
    let path = format!("{}/../openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

#[test]
fn committed_spec_matches_the_code() {
    let generated = serde_json::to_value(gsi_api::openapi_spec()).unwrap();
    assert!(
        generated == committed(),
        "openapi/openapi.json differs from the spec the code generates; run `make openapi` and commit the result"
    );
}

#[actix_web::test]
async fn served_spec_is_the_committed_one() {
    let app = spawn_app(gsi_persistence::testing::Backend::Sqlite).await;
    let served = app.request("GET", "/api-docs/openapi.json", None, &[], None).await;
    assert_eq!(served.status, 200);
    assert!(served.body == committed(), "the served spec differs from openapi/openapi.json");
}

#[test]
fn every_operation_is_documented_with_a_clause_or_purpose() {
    let spec = committed();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{name} has no tag");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{name} has no summary");
            assert!(op["description"].as_str().is_some_and(|s| s.len() > 20), "{name} has no description");
            let responses = op["responses"].as_object().unwrap();
            let protected = !op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())));
            if protected {
                assert!(responses.contains_key("401"), "{name} does not document 401");
            }
        }
    }
}

/// utoipa keys schemas by type name: two `ToSchema` types with one name silently replace
/// each other in the spec. Every schema type name must be unique across the API crate.
#[test]
fn schema_type_names_are_unique() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src"), &mut files);
    let mut seen: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut schema_pending = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && (line.contains("ToSchema") || line.contains("ToResponse")) {
                schema_pending = true;
            } else if schema_pending && (line.starts_with("pub struct ") || line.starts_with("pub enum ")) {
                let name: String = line
                    .split_whitespace()
                    .nth(2)
                    .unwrap()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if let Some(previous) = seen.insert(name.clone(), file.clone()) {
                    panic!("schema `{name}` is defined in {} and {}", previous.display(), file.display());
                }
                schema_pending = false;
            }
        }
    }
    assert!(seen.len() > 20, "the scan found the schema types ({})", seen.len());
}
