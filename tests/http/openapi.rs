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
