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

/// Every OpenAPI link names an operation that exists, from a response that exists, and only
/// parameters the target operation has (`header.If-Match` names a header parameter).
#[test]
fn every_link_resolves_to_an_operation_and_its_parameters() {
    let spec = committed();
    let mut operations = std::collections::HashMap::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert(id.to_owned(), operation.clone());
            }
        }
    }
    let mut links = 0;
    for (source, operation) in &operations {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let Some(response_links) = response["links"].as_object() else { continue };
            for (name, link) in response_links {
                links += 1;
                let target_id = link["operationId"].as_str().unwrap_or_else(|| panic!("{source} {status} {name}"));
                let target = operations
                    .get(target_id)
                    .unwrap_or_else(|| panic!("link {name} from {source} names no operation `{target_id}`"));
                let params = target["parameters"].as_array().cloned().unwrap_or_default();
                for (qualified, expression) in link["parameters"].as_object().unwrap() {
                    let (location, param) = match qualified.split_once('.') {
                        Some((location, param)) => (Some(location), param),
                        None => (None, qualified.as_str()),
                    };
                    assert!(
                        params.iter().any(|p| p["name"] == param && location.is_none_or(|l| p["in"] == l)),
                        "link {name} from {source} sets `{qualified}`, which {target_id} does not have"
                    );
                    let expression = expression.as_str().unwrap();
                    assert!(
                        expression.starts_with("$response.body#/") || expression.starts_with("$response.header."),
                        "{expression}"
                    );
                    if let Some(pointer) = expression.strip_prefix("$response.body#") {
                        // The field must be in the source response's schema.
                        let mut schema = response["content"]["application/json"]["schema"].clone();
                        for field in pointer.trim_start_matches('/').split('/') {
                            schema = property(&spec, &schema, field).unwrap_or_else(|| {
                                panic!("link {name} from {source} {status} reads `{pointer}`, which the response does not have")
                            });
                        }
                    }
                }
            }
        }
    }
    assert!(links >= 60, "the Appendix A, incident, governance, report and webhook workflows are linked ({links})");
    // The workflows the issue names.
    for (source, target) in [
        ("submit_service_request", "confirm_service_request"),
        ("submit_service_request", "quote_service_request"),
        ("get_subscription", "get_sla_attainment"),
        ("get_subscription", "list_subscription_requests"),
        ("report_incident", "act_on_incident"),
        ("create_assessment", "decide_assessment"),
        ("create_report_request", "submit_report_request"),
        ("create_webhook_subscription", "rotate_webhook_secret"),
    ] {
        let found = operations[source]["responses"]
            .as_object()
            .unwrap()
            .values()
            .any(|r| r["links"].as_object().is_some_and(|l| l.values().any(|l| l["operationId"] == target)));
        assert!(found, "no link from {source} to {target}");
    }
}

/// The schema of `field` in an object schema, through `$ref` and `allOf`.
fn property(spec: &serde_json::Value, schema: &serde_json::Value, field: &str) -> Option<serde_json::Value> {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = spec.pointer(reference.trim_start_matches('#')).expect("a $ref that resolves");
        return property(spec, target, field);
    }
    if let Some(found) = schema["properties"].get(field) {
        return Some(found.clone());
    }
    schema["allOf"].as_array().into_iter().flatten().find_map(|part| property(spec, part, field))
}

/// Parameters the handlers parse from strings carry their exact grammar, so generated
/// clients and fuzzers produce what the server accepts (`GRAMMARS` in `api/src/openapi.rs`).
#[test]
fn string_parameters_carry_the_grammar_the_server_parses() {
    let spec = committed();
    let mut seen = std::collections::HashSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let schema = &parameter["schema"];
                match name {
                    "cursor" | "after" | "If-Match" | "Idempotency-Key" => {
                        assert!(schema["pattern"].is_string(), "{name}: {schema}");
                        assert_eq!(schema["type"], "string", "{name} is never null");
                        seen.insert(name);
                    }
                    "month" | "format" | "within_days" | "fiscal_year" => {
                        assert!(
                            schema["pattern"].is_string() || schema["enum"].is_array() || schema["maximum"].is_number(),
                            "{name}: {schema}"
                        );
                        seen.insert(name);
                    }
                    "from" | "to" => {
                        assert!(schema["pattern"].is_string() || schema["format"] == "date-time", "{name}: {schema}")
                    }
                    "group_by" | "types" => {
                        assert_eq!(schema["type"], "array", "{name}");
                        assert_eq!(parameter["explode"], false, "{name} is comma-separated");
                    }
                    _ => {}
                }
            }
        }
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
}
