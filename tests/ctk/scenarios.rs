//! The scenarios. Each acts as the parties would, through the contract only, and records one
//! check per fact with the clause it proves; a failed step a later one depends on stops the
//! scenario (the remaining checks are reported as skipped, never as passed).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde_json::{Value, json};

use super::config::Quantities;
use super::{Kit, Step, is_problem, problem_fields, quote_body, req, same_decimal, status_fact};

pub fn run(kit: &mut Kit, name: &str) -> Step {
    match name {
        "appendix-a-walk" => appendix_a_walk(kit),
        "add-on-walk" => add_on_walk(kit),
        "quote-expiry" => quote_expiry(kit),
        "quote-supersession" => quote_supersession(kit),
        "racing-confirmations" => racing_confirmations(kit),
        "idempotency" => idempotency(kit),
        "tenancy" => tenancy(kit),
        "problem-details" => problem_details(kit),
        "preconditions" => preconditions(kit),
        _ => Ok(()),
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn delta_of(request: &Value) -> String {
    request["estimate"]["monthly_cost_delta"].as_str().unwrap_or("0.00").to_owned()
}

fn actions(request: &Value) -> Vec<String> {
    request["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["action"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Whether `got` holds every metric of `want` with the same decimal value.
fn quantities_match(got: &Value, want: &Quantities) -> bool {
    want.iter().all(|(metric, value)| got[metric.as_str()].as_str().is_some_and(|g| same_decimal(g, value)))
}

/// GSI-A.1.1–A.1.8, GSI-7.5.6: a change request walked from preview to completion, read back
/// on the subscription and in the timeline both parties see.
fn appendix_a_walk(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let operator = kit.operator();
    let target = kit.change_target("GSI-7.5.6")?;
    let body = kit.change_body(&target);

    let me = kit.send("GSI-A.1.1", "GET", "/v1/me", Some(&admin), &[], None)?;
    let fact = format!("signed in as {}", me.json()["organisation_id"]);
    let ok = me.status == 200;
    kit.check(
        "GSI-A.1.1",
        "the agency's user is signed in",
        "GET /v1/me",
        Some(&me),
        ok,
        if ok { fact } else { status_fact(&[200], &me) },
    );

    let preview = kit.expect(
        "GSI-A.1.2",
        "the agency previews a change",
        "POST",
        "/v1/service-requests/preview",
        Some(&admin),
        &[],
        Some(&body),
        &[200],
    )?;
    let p = preview.json();
    let ok = p["estimate"]["monthly_cost_delta"].is_string() && p["warnings"].is_array();
    let fact =
        format!("estimate.monthly_cost_delta = {}, warnings = {}", p["estimate"]["monthly_cost_delta"], p["warnings"]);
    kit.check(
        "GSI-A.1.3",
        "the preview shows the cost change and the warnings",
        "POST /v1/service-requests/preview",
        Some(&preview),
        ok,
        fact,
    );

    match kit.config.fixtures.over_capacity_quantities.clone() {
        Some(too_much) => {
            let over = kit.change_body(&too_much);
            let reply = kit.expect(
                "GSI-A.1.3",
                "an over-capacity preview answers",
                "POST",
                "/v1/service-requests/preview",
                Some(&admin),
                &[],
                Some(&over),
                &[200],
            )?;
            let warnings = reply.json()["warnings"].clone();
            let named = warnings
                .as_array()
                .is_some_and(|w| w.iter().any(|w| w["metric"].as_str().is_some_and(|m| too_much.contains_key(m))));
            kit.check(
                "GSI-A.1.3",
                "more than can be served is warned clearly, naming the resource",
                "POST /v1/service-requests/preview",
                Some(&reply),
                named,
                format!("warnings = {warnings}"),
            );
        }
        None => kit.skip(
            "GSI-A.1.3",
            "more than can be served is warned clearly",
            "fixtures.over_capacity_quantities is not configured",
        ),
    }

    let created = kit.submit("GSI-A.1.4", &body)?;
    let c = created.json();
    let id = id_of(&c);
    let location = created.header("location").unwrap_or_default().to_owned();
    let ok = location.ends_with(&format!("/v1/service-requests/{id}"))
        && created.header("etag").is_some()
        && c["status"] == "submitted";
    let fact = format!("status {}, Location {location:?}, ETag {:?}", c["status"], created.header("etag"));
    kit.check(
        "GSI-A.1.4",
        "the submitted request is stored with its Location and ETag",
        "POST /v1/service-requests",
        Some(&created),
        ok,
        fact,
    );

    let queue = kit.expect(
        "GSI-A.1.5",
        "the provider reads its queue",
        "GET",
        "/v1/service-requests?status=submitted&limit=200",
        Some(&operator),
        &[],
        None,
        &[200],
    )?;
    let listed = queue.json()["items"].as_array().is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str()));
    kit.check(
        "GSI-A.1.5",
        "the request is in the provider's queue",
        "GET /v1/service-requests?status=submitted",
        Some(&queue),
        listed,
        format!("request {id} listed: {listed}"),
    );

    let until = kit.server_now() + chrono::Duration::days(7);
    let delta = delta_of(&c);
    let quoted = kit.review_and_quote(&id, &target, &delta, until)?;
    let current_quote = quoted["current_quote_id"].clone();
    let ok = quoted["status"] == "quoted" && current_quote.is_string();
    kit.check(
        "GSI-A.1.6",
        "the quote gives the outcome, the confirmed quantities and the cost change",
        &req("POST", &format!("/v1/service-requests/{id}/quotes")),
        None,
        ok,
        format!("status {}, current_quote_id {current_quote}", quoted["status"]),
    );

    let confirmed = kit.ok_step(
        "GSI-A.1.7",
        "the agency confirms the quote",
        &id,
        "confirm",
        &admin,
        &json!({"quote_id": current_quote}),
    )?;
    let ack = &confirmed["acknowledgement"];
    let ok = confirmed["status"] == "confirmed"
        && ack["quote_id"] == current_quote
        && quantities_match(&ack["quantities"], &target)
        && ack["monthly_cost_delta"].as_str().is_some_and(|d| same_decimal(d, &delta))
        && ack["at"].is_string();
    kit.check(
        "GSI-A.1.7",
        "the acknowledgement records the quantities, the cost change and when",
        &req("POST", &format!("/v1/service-requests/{id}/confirm")),
        None,
        ok,
        format!("acknowledgement = {ack}"),
    );

    kit.ok_step("GSI-A.1.8", "the provider starts the work", &id, "start", &operator, &json!({"note": "gsi-ctk"}))?;
    let progressed = kit.ok_step(
        "GSI-A.1.8",
        "the provider reports progress",
        &id,
        "progress",
        &operator,
        &json!({"percent": 50, "note": "gsi-ctk halfway"}),
    )?;
    let ok = progressed["progress"]["percent"] == 50;
    kit.check(
        "GSI-A.1.8",
        "the progress reads back",
        &req("POST", &format!("/v1/service-requests/{id}/progress")),
        None,
        ok,
        format!("progress = {}", progressed["progress"]),
    );
    let done = kit.ok_step(
        "GSI-A.1.8",
        "the provider reports the result",
        &id,
        "complete",
        &operator,
        &json!({"note": "gsi-ctk done"}),
    )?;
    kit.check(
        "GSI-A.1.8",
        "the request reads completed",
        &req("POST", &format!("/v1/service-requests/{id}/complete")),
        None,
        done["status"] == "completed",
        format!("status {}", done["status"]),
    );

    let after = kit.subscription("GSI-7.5.6")?;
    let ok = quantities_match(&after["quantities"], &target);
    kit.check(
        "GSI-7.5.6",
        "the subscription has the confirmed quantities",
        &req("GET", &format!("/v1/subscriptions/{}", kit.config.fixtures.subscription_id)),
        None,
        ok,
        format!("quantities = {}, confirmed {target:?}", after["quantities"]),
    );

    let (seen, _) = kit.read_request("GSI-A.1.8", &id, &admin)?;
    let got = actions(&seen);
    let wanted = ["submit", "start_review", "quote", "confirm", "start_work", "report_progress", "complete"];
    let mut rest = got.iter();
    let in_order = wanted.iter().all(|w| rest.any(|g| g == w));
    kit.check(
        "GSI-A.1.8",
        "the agency reads every step in the timeline",
        &req("GET", &format!("/v1/service-requests/{id}")),
        None,
        in_order,
        format!("timeline actions = {got:?}"),
    );
    Ok(())
}

/// GSI-7.5.5, 7.5.7: an add-on removed and added back (or added and removed), each through
/// the Appendix A steps; the subscription ends as it began.
fn add_on_walk(kit: &mut Kit) -> Step {
    let Some(add_on) = kit.config.fixtures.add_on.clone() else {
        kit.skip("GSI-7.5.5", "an add-on is requested and added", "fixtures.add_on is not configured");
        kit.skip("GSI-7.5.7", "an add-on is cancelled and removed", "fixtures.add_on is not configured");
        return Ok(());
    };
    let has =
        |s: &Value| s["add_ons"].as_array().is_some_and(|a| a.iter().any(|x| x["offering_id"] == add_on.id.as_str()));
    let start = kit.subscription("GSI-7.5.2")?;
    let order: [&str; 2] = if has(&start) { ["cancel_addon", "add_addon"] } else { ["add_addon", "cancel_addon"] };
    for kind in order {
        let (clause, confirmed) =
            if kind == "add_addon" { ("GSI-7.5.5", add_on.quantities.clone()) } else { ("GSI-7.5.7", BTreeMap::new()) };
        let mut body = json!({"kind": kind, "subscription_id": kit.config.fixtures.subscription_id, "addon_id": add_on.id, "note": "gsi-ctk: add-on"});
        if kind == "add_addon" {
            body["quantities"] = json!(add_on.quantities);
        }
        let created = kit.submit(clause, &body)?.json();
        let id = id_of(&created);
        let until = kit.server_now() + chrono::Duration::days(2);
        let quoted = kit.review_and_quote(&id, &confirmed, &delta_of(&created), until)?;
        let admin = kit.admin();
        let operator = kit.operator();
        kit.ok_step(
            "GSI-A.1.7",
            "the agency confirms",
            &id,
            "confirm",
            &admin,
            &json!({"quote_id": quoted["current_quote_id"]}),
        )?;
        kit.ok_step("GSI-A.1.8", "the provider starts", &id, "start", &operator, &json!({}))?;
        kit.ok_step("GSI-A.1.8", "the provider completes", &id, "complete", &operator, &json!({}))?;
        let after = kit.subscription(clause)?;
        let want = kind == "add_addon";
        let found = after["add_ons"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["offering_id"] == add_on.id.as_str()).cloned());
        let ok = if want {
            found.as_ref().is_some_and(|f| quantities_match(&f["quantities"], &add_on.quantities))
        } else {
            found.is_none()
        };
        let check = if want {
            "the requested add-on is on the subscription"
        } else {
            "the cancelled add-on is gone from the subscription"
        };
        kit.check(
            clause,
            check,
            &req("GET", &format!("/v1/subscriptions/{}", kit.config.fixtures.subscription_id)),
            None,
            ok,
            format!("add_ons = {}", after["add_ons"]),
        );
    }
    Ok(())
}

/// GSI-A.1.6, A.1.7: a quote the provider made valid for a few seconds reads `expired` once
/// they pass, cannot be confirmed, and no longer blocks a new request.
fn quote_expiry(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let target = kit.change_target("GSI-A.1.6")?;
    let created = kit.submit("GSI-A.1.4", &kit.change_body(&target))?.json();
    let id = id_of(&created);
    let validity = kit.config.settings.quote_validity_secs;
    let operator = kit.operator();
    kit.ok_step("GSI-A.1.5", "the provider reviews the request", &id, "review", &operator, &json!({}))?;
    // The `Date` header has whole seconds at or before the server's now: one more second keeps
    // the quote valid for at least `validity` seconds when it arrives.
    let until = kit.server_now() + chrono::Duration::seconds(validity as i64 + 1);
    let quote = quote_body(&target, &delta_of(&created), until);
    let quoted =
        kit.ok_step("GSI-A.1.6", "the provider quotes with a short validity", &id, "quotes", &operator, &quote)?;
    let quote_id = quoted["current_quote_id"].clone();
    // Wait until the server's clock is past valid_until, with a margin.
    let left = (until - kit.server_now()).to_std().unwrap_or_default();
    std::thread::sleep(left + Duration::from_millis(1200));

    let (read, etag) = kit.read_request("GSI-A.1.7", &id, &admin)?;
    let standing =
        read["quotes"].as_array().and_then(|q| q.iter().find(|q| q["id"] == quote_id)).map(|q| q["standing"].clone());
    let path = format!("/v1/service-requests/{id}");
    kit.check(
        "GSI-A.1.7",
        "a quote past valid_until reads expired",
        &req("GET", &path),
        None,
        read["status"] == "expired" && standing.as_ref().is_some_and(|s| *s == "expired"),
        format!(
            "valid_until {until}; status {}, quote standing {}",
            read["status"],
            standing.clone().unwrap_or_default()
        ),
    );
    let refused = kit.step("GSI-A.1.7", &id, "confirm", &admin, Some(&etag), &json!({"quote_id": quote_id}))?;
    let ok = refused.status == 409 && is_problem(&refused);
    kit.check(
        "GSI-A.1.7",
        "an expired quote cannot be confirmed (409 problem+json)",
        &req("POST", &format!("{path}/confirm")),
        Some(&refused),
        ok,
        status_fact(&[409], &refused),
    );
    let (after, _) = kit.read_request("GSI-A.1.7", &id, &admin)?;
    let ok = after["version"] == read["version"] && after["acknowledgement"].is_null();
    kit.check(
        "GSI-A.1.7",
        "the refused confirmation changed nothing",
        &req("GET", &path),
        None,
        ok,
        format!("version {} → {}, acknowledgement {}", read["version"], after["version"], after["acknowledgement"]),
    );

    let next = kit.change_target("GSI-A.1.4")?;
    let body = kit.change_body(&next);
    let reply = kit.send("GSI-A.1.4", "POST", "/v1/service-requests", Some(&admin), &[], Some(&body))?;
    if let Some(id) = reply.json()["id"].as_str() {
        kit.opened.push(id.to_owned());
    }
    kit.check(
        "GSI-A.1.4",
        "an expired request no longer blocks a new one on the subscription",
        "POST /v1/service-requests",
        Some(&reply),
        reply.status == 201,
        status_fact(&[201], &reply),
    );
    Ok(())
}

/// GSI-A.1.6: a second quote supersedes the first; both are kept; only the current one can
/// be confirmed.
fn quote_supersession(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let operator = kit.operator();
    let target = kit.change_target("GSI-A.1.6")?;
    let created = kit.submit("GSI-A.1.4", &kit.change_body(&target))?.json();
    let id = id_of(&created);
    let until = kit.server_now() + chrono::Duration::days(7);
    let first = kit.review_and_quote(&id, &target, &delta_of(&created), until)?;
    let second = kit.ok_step(
        "GSI-A.1.6",
        "the provider quotes again",
        &id,
        "quotes",
        &operator,
        &quote_body(&target, &delta_of(&created), until + chrono::Duration::days(1)),
    )?;
    let (old, new) = (first["current_quote_id"].clone(), second["current_quote_id"].clone());
    let standing = |q: &Value| {
        second["quotes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == *q))
            .map(|x| x["standing"].clone())
            .unwrap_or(Value::Null)
    };
    let path = format!("/v1/service-requests/{id}");
    let ok = old != new && standing(&old) == "superseded" && standing(&new) == "open";
    kit.check(
        "GSI-A.1.6",
        "the new quote supersedes the old one and both are kept",
        &req("POST", &format!("{path}/quotes")),
        None,
        ok,
        format!("old {old} standing {}, new {new} standing {}", standing(&old), standing(&new)),
    );

    let (_, etag) = kit.read_request("GSI-A.1.7", &id, &admin)?;
    let refused = kit.step("GSI-A.1.7", &id, "confirm", &admin, Some(&etag), &json!({"quote_id": old}))?;
    let ok = refused.status == 409 && is_problem(&refused);
    kit.check(
        "GSI-A.1.7",
        "a superseded quote cannot be confirmed (409 problem+json)",
        &req("POST", &format!("{path}/confirm")),
        Some(&refused),
        ok,
        status_fact(&[409], &refused),
    );
    let confirmed = kit.step("GSI-A.1.7", &id, "confirm", &admin, Some(&etag), &json!({"quote_id": new}))?;
    let ok = confirmed.status == 200 && confirmed.json()["acknowledgement"]["quote_id"] == new;
    kit.check(
        "GSI-A.1.7",
        "the current quote is confirmed",
        &req("POST", &format!("{path}/confirm")),
        Some(&confirmed),
        ok,
        format!(
            "{}; acknowledgement.quote_id {}",
            status_fact(&[200], &confirmed),
            confirmed.json()["acknowledgement"]["quote_id"]
        ),
    );
    Ok(())
}

/// GSI-A.1.7: N confirmations of one quote with the same `If-Match` sent at once: exactly one
/// wins, the others are 409 or 412, and one confirmation is recorded.
fn racing_confirmations(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let target = kit.change_target("GSI-A.1.7")?;
    let created = kit.submit("GSI-A.1.4", &kit.change_body(&target))?.json();
    let id = id_of(&created);
    let until = kit.server_now() + chrono::Duration::days(7);
    let quoted = kit.review_and_quote(&id, &target, &delta_of(&created), until)?;
    let (_, etag) = kit.read_request("GSI-A.1.7", &id, &admin)?;
    let body = json!({"quote_id": quoted["current_quote_id"]});
    let path = format!("/v1/service-requests/{id}/confirm");
    let n = kit.config.settings.racing_confirmations;
    let barrier = std::sync::Barrier::new(n);
    let results: Vec<Result<u16, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (client, admin, etag, body, path, barrier) = (&kit.client, &admin, &etag, &body, &path, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    client
                        .send("POST", path, Some(admin), &[("If-Match", etag)], Some(body))
                        .map(|r| r.status)
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into()))).collect()
    });
    let statuses: Vec<String> =
        results.iter().map(|r| r.as_ref().map(u16::to_string).unwrap_or_else(|e| e.clone())).collect();
    let wins = results.iter().filter(|r| matches!(r, Ok(s) if (200..300).contains(s))).count();
    let others_ok = results.iter().all(|r| matches!(r, Ok(s) if (200..300).contains(s) || *s == 409 || *s == 412));
    kit.check(
        "GSI-A.1.7",
        &format!("{n} racing confirmations: exactly one 2xx"),
        &req("POST", &path),
        None,
        wins == 1,
        format!("statuses {statuses:?}"),
    );
    kit.check(
        "GSI-A.1.7",
        "every losing confirmation is 409 or 412",
        &req("POST", &path),
        None,
        others_ok,
        format!("statuses {statuses:?}"),
    );
    let (read, _) = kit.read_request("GSI-A.1.7", &id, &admin)?;
    let confirms = actions(&read).iter().filter(|a| a.contains("confirm")).count();
    let ok = confirms == 1 && read["version"].as_i64() == quoted["version"].as_i64().map(|v| v + 1);
    kit.check(
        "GSI-A.1.7",
        "one confirmation is recorded",
        &req("GET", &format!("/v1/service-requests/{id}")),
        None,
        ok,
        format!("confirm steps in the timeline {confirms}; version {} → {}", quoted["version"], read["version"]),
    );
    Ok(())
}

/// The Bangkok (UTC+7) month start at or before `t`.
fn bangkok_month_start(t: DateTime<Utc>) -> DateTime<Utc> {
    let local = t + chrono::Duration::hours(7);
    Utc.with_ymd_and_hms(local.year(), local.month(), 1, 0, 0, 0)
        .single()
        .map(|d| d - chrono::Duration::hours(7))
        .unwrap_or(t)
}

/// The end of the kit's usage records: a minute ago, but inside this Bangkok month (the costs
/// it reads back are this month's), and never in the future.
fn usage_end(now: DateTime<Utc>) -> DateTime<Utc> {
    (now - chrono::Duration::seconds(60)).max(bangkok_month_start(now) + chrono::Duration::seconds(1)).min(now)
}

/// How much of `metric` the subscription used this month, as the agency reads its costs.
fn metered(kit: &mut Kit, metric: &str) -> Step<f64> {
    let admin = kit.admin();
    let reply = kit.expect(
        "GSI-7.5.3",
        "the agency reads its current costs",
        "GET",
        "/v1/costs/current",
        Some(&admin),
        &[],
        None,
        &[200],
    )?;
    let body = reply.json();
    let sub = kit.config.fixtures.subscription_id.clone();
    Ok(body["subscriptions"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["subscription_id"] == sub.as_str()))
        .and_then(|s| s["metrics"].as_array().and_then(|m| m.iter().find(|m| m["metric"] == metric)).cloned())
        .and_then(|m| m["quantity"].as_str().and_then(|q| q.parse().ok()))
        .unwrap_or(0.0))
}

/// GSI-A.1.4 (Idempotency-Key on submission) and GSI-7.1 (usage batches idempotent per
/// record id): a retry gives the same answer and stores one copy; the same key or record id
/// with other content is refused and stores nothing.
fn idempotency(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let operator = kit.operator();
    let run = uuid::Uuid::new_v4();
    let key = format!("gsi-ctk-{run}");
    let target = kit.change_target("GSI-A.1.4")?;
    let body = kit.change_body(&target);
    let headers = [("Idempotency-Key", key.as_str())];
    let first = kit.expect(
        "GSI-A.1.4",
        "a submission with an Idempotency-Key is created",
        "POST",
        "/v1/service-requests",
        Some(&admin),
        &headers,
        Some(&body),
        &[201],
    )?;
    let id = id_of(&first.json());
    kit.opened.push(id.clone());
    let again = kit.send("GSI-A.1.4", "POST", "/v1/service-requests", Some(&admin), &headers, Some(&body))?;
    let ok = again.status == first.status
        && id_of(&again.json()) == id
        && again.header("idempotent-replayed") == Some("true");
    kit.check(
        "GSI-A.1.4",
        "the same key and body replay the stored answer",
        "POST /v1/service-requests",
        Some(&again),
        ok,
        format!(
            "status {}, id {} (first {id}), Idempotent-Replayed {:?}",
            again.status,
            id_of(&again.json()),
            again.header("idempotent-replayed")
        ),
    );
    let mut other = body.clone();
    other["note"] = json!("gsi-ctk: another body");
    let reused = kit.send("GSI-A.1.4", "POST", "/v1/service-requests", Some(&admin), &headers, Some(&other))?;
    let ok = (reused.status == 422 || reused.status == 409) && is_problem(&reused);
    kit.check(
        "GSI-A.1.4",
        "the same key with another body is refused (422/409 problem+json)",
        "POST /v1/service-requests",
        Some(&reused),
        ok,
        status_fact(&[422, 409], &reused),
    );
    let path = format!("/v1/subscriptions/{}/requests?limit=200", kit.config.fixtures.subscription_id);
    let listed = kit.expect(
        "GSI-A.1.4",
        "the agency lists the subscription's requests",
        "GET",
        &path,
        Some(&admin),
        &[],
        None,
        &[200],
    )?;
    let open: Vec<String> = listed.json()["items"]
        .as_array()
        .map(|items| items.iter().filter(|i| i["status"] == "submitted").map(id_of).collect())
        .unwrap_or_default();
    kit.check(
        "GSI-A.1.4",
        "one request was stored",
        &req("GET", &path),
        Some(&listed),
        open == [id.clone()],
        format!("submitted requests on the subscription: {open:?}"),
    );

    // Usage: one record, sent twice, then with other content under the same id.
    let metric = kit.config.fixtures.usage_metric.clone();
    let quantity = kit.config.fixtures.usage_quantity.clone();
    let sub = kit.config.fixtures.subscription_id.clone();
    let now = kit.server_now();
    let end = usage_end(now);
    let start = (end - chrono::Duration::hours(1)).max(bangkok_month_start(end));
    let record = |q: &str| {
        json!({"records": [{"record_id": format!("gsi-ctk-{run}"), "subscription_id": sub,
               "metric": metric, "quantity": q,
               "period_start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
               "period_end": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}]})
    };
    let before = metered(kit, &metric)?;
    let batch = record(&quantity);
    let stored = kit.expect(
        "GSI-7.1",
        "the provider submits a usage batch",
        "POST",
        "/v1/usage/batches",
        Some(&operator),
        &[],
        Some(&batch),
        &[200],
    )?;
    let first_answer = stored.json();
    let once = metered(kit, &metric)?;
    let q: f64 = quantity.parse().unwrap_or(0.0);
    kit.check(
        "GSI-7.1",
        "the record is metered once",
        "GET /v1/costs/current",
        None,
        (once - before - q).abs() < 1e-6,
        format!("{metric} this month: {before} → {once} (+{quantity} expected); answer {first_answer}"),
    );
    let retried = kit.send("GSI-7.1", "POST", "/v1/usage/batches", Some(&operator), &[], Some(&batch))?;
    let r = retried.json();
    let ok = retried.status == 200 && r["accepted"] == 0 && r["duplicates"] == 1;
    kit.check(
        "GSI-7.1",
        "a retried batch is accepted as a duplicate",
        "POST /v1/usage/batches",
        Some(&retried),
        ok,
        format!("status {}, answer {}", retried.status, retried.excerpt(200)),
    );
    let twice = metered(kit, &metric)?;
    kit.check(
        "GSI-7.1",
        "the retry stored no second copy",
        "GET /v1/costs/current",
        None,
        (twice - once).abs() < 1e-6,
        format!("{metric} this month: {once} → {twice}"),
    );
    let changed = record(&format!("{}", q + 1.0));
    let conflict = kit.send("GSI-7.1", "POST", "/v1/usage/batches", Some(&operator), &[], Some(&changed))?;
    let ok = (conflict.status == 409 || conflict.status == 422) && is_problem(&conflict);
    kit.check(
        "GSI-7.1",
        "the same record id with other content is refused (409/422 problem+json)",
        "POST /v1/usage/batches",
        Some(&conflict),
        ok,
        status_fact(&[409, 422], &conflict),
    );
    let after = metered(kit, &metric)?;
    kit.check(
        "GSI-7.1",
        "the refused record changed nothing",
        "GET /v1/costs/current",
        None,
        (after - twice).abs() < 1e-6,
        format!("{metric} this month: {twice} → {after}"),
    );
    Ok(())
}

/// Another tenant's objects answer 404, exactly like objects that do not exist; nothing
/// changes.
fn tenancy(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let other_agency = kit.config.tokens.other_agency_admin.clone();
    let other_provider = kit.config.tokens.other_provider_operator.clone();
    let target = kit.change_target("GSI-A.1.4")?;
    let body = kit.change_body(&target);
    let created = kit.submit("GSI-A.1.4", &body)?.json();
    let id = id_of(&created);
    let sub = kit.config.fixtures.subscription_id.clone();
    let agency = kit.config.fixtures.agency_id.clone();
    let unknown = uuid::Uuid::now_v7().to_string();

    let foreign_404 = |kit: &mut Kit,
                       clause: &str,
                       what: &str,
                       token: &str,
                       method: &str,
                       path: &str,
                       headers: &[(&str, &str)],
                       body: Option<&Value>|
     -> Step {
        let reply = kit.send(clause, method, path, Some(token), headers, body)?;
        let ok = reply.status == 404 && is_problem(&reply);
        kit.check(clause, what, &req(method, path), Some(&reply), ok, status_fact(&[404], &reply));
        Ok(())
    };
    match &other_agency {
        Some(other) => {
            foreign_404(
                kit,
                "GSI-7.5.2",
                "another agency reads the subscription: 404",
                other,
                "GET",
                &format!("/v1/subscriptions/{sub}"),
                &[],
                None,
            )?;
            foreign_404(
                kit,
                "GSI-7.5.1",
                "another agency reads the agency's profile: 404",
                other,
                "GET",
                &format!("/v1/agencies/{agency}/profile"),
                &[],
                None,
            )?;
            foreign_404(
                kit,
                "GSI-7.5.6",
                "another agency reads the request: 404",
                other,
                "GET",
                &format!("/v1/service-requests/{id}"),
                &[],
                None,
            )?;
            foreign_404(
                kit,
                "GSI-A.1.3",
                "another agency previews on the subscription: 404",
                other,
                "POST",
                "/v1/service-requests/preview",
                &[],
                Some(&body),
            )?;
            foreign_404(
                kit,
                "GSI-A.1.7",
                "another agency withdraws the request: 404",
                other,
                "POST",
                &format!("/v1/service-requests/{id}/withdraw"),
                &[("If-Match", "\"1\"")],
                Some(&json!({})),
            )?;
            let foreign =
                kit.send("GSI-7.5.6", "GET", &format!("/v1/service-requests/{id}"), Some(other), &[], None)?;
            let missing =
                kit.send("GSI-7.5.6", "GET", &format!("/v1/service-requests/{unknown}"), Some(other), &[], None)?;
            let ok = foreign.status == missing.status && foreign.json()["type"] == missing.json()["type"];
            kit.check(
                "GSI-7.5.6",
                "a foreign request is indistinguishable from a missing one",
                &req("GET", &format!("/v1/service-requests/{unknown}")),
                Some(&missing),
                ok,
                format!(
                    "foreign {} {}, missing {} {}",
                    foreign.status,
                    foreign.json()["type"],
                    missing.status,
                    missing.json()["type"]
                ),
            );
            let costs = kit.expect(
                "GSI-7.5.3",
                "another agency reads its costs",
                "GET",
                "/v1/costs/current",
                Some(other),
                &[],
                None,
                &[200],
            )?;
            let leaked = costs.json()["subscriptions"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["subscription_id"] == sub.as_str()));
            kit.check(
                "GSI-7.5.3",
                "another agency's costs do not show the subscription",
                "GET /v1/costs/current",
                Some(&costs),
                !leaked,
                format!("subscription {sub} in their costs: {leaked}"),
            );
        }
        None => kit.skip(
            "GSI-7.5.2",
            "another agency's reads and steps answer 404",
            "tokens.other_agency_admin is not configured",
        ),
    }
    match &other_provider {
        Some(other) => {
            foreign_404(
                kit,
                "GSI-A.1.5",
                "another provider reads the request: 404",
                other,
                "GET",
                &format!("/v1/service-requests/{id}"),
                &[],
                None,
            )?;
            foreign_404(
                kit,
                "GSI-A.1.5",
                "another provider reviews the request: 404",
                other,
                "POST",
                &format!("/v1/service-requests/{id}/review"),
                &[("If-Match", "\"1\"")],
                Some(&json!({})),
            )?;
            foreign_404(
                kit,
                "GSI-7.5.2",
                "another provider reads the subscription: 404",
                other,
                "GET",
                &format!("/v1/subscriptions/{sub}"),
                &[],
                None,
            )?;
        }
        None => kit.skip(
            "GSI-A.1.5",
            "another provider's reads and steps answer 404",
            "tokens.other_provider_operator is not configured",
        ),
    }
    let (after, _) = kit.read_request("GSI-A.1.4", &id, &admin)?;
    let ok = after["version"] == created["version"] && after["status"] == "submitted";
    kit.check(
        "GSI-A.1.4",
        "the refused steps changed nothing",
        &req("GET", &format!("/v1/service-requests/{id}")),
        None,
        ok,
        format!("version {} → {}, status {}", created["version"], after["version"], after["status"]),
    );
    Ok(())
}

/// Bad input of every kind is RFC 7807 problem+json naming the field; nothing is stored.
fn problem_details(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let operator = kit.operator();
    let target = kit.change_target("GSI-A.1.3")?;
    let metric = target.keys().next().cloned().unwrap_or_default();

    let names = |kit: &mut Kit,
                 clause: &str,
                 what: &str,
                 reply: &super::http::Response,
                 request: &str,
                 status: &[u16],
                 field: &str| {
        let fields = problem_fields(&reply.json());
        let ok = status.contains(&reply.status)
            && is_problem(reply)
            && (field.is_empty() || fields.iter().any(|f| f == field));
        let fact = if field.is_empty() {
            format!("{}; content-type {:?}", status_fact(status, reply), reply.header("content-type"))
        } else {
            format!("{}; fields named {fields:?}, expected {field:?}", status_fact(status, reply))
        };
        kit.check(clause, what, request, Some(reply), ok, fact);
    };

    let mut unknown = kit.change_body(&target);
    unknown["colour"] = json!("blue");
    let reply = kit.send("GSI-A.1.3", "POST", "/v1/service-requests/preview", Some(&admin), &[], Some(&unknown))?;
    names(
        kit,
        "GSI-A.1.3",
        "an unknown field is 422 naming it",
        &reply,
        "POST /v1/service-requests/preview",
        &[422],
        "colour",
    );

    let mut bad_quantity = target.clone();
    bad_quantity.insert(metric.clone(), "abc".into());
    let reply = kit.send(
        "GSI-A.1.3",
        "POST",
        "/v1/service-requests/preview",
        Some(&admin),
        &[],
        Some(&kit.change_body(&bad_quantity)),
    )?;
    names(
        kit,
        "GSI-A.1.3",
        "a quantity that is not a number is 422 naming it",
        &reply,
        "POST /v1/service-requests/preview",
        &[422],
        &format!("quantities.{metric}"),
    );

    let reply = match kit.client.send_raw(
        "POST",
        "/v1/service-requests",
        Some(&admin),
        &[],
        Some((b"{\"kind\": ", "application/json")),
    ) {
        Ok(r) => r,
        Err(e) => {
            kit.check("GSI-A.1.4", "the server answers", "POST /v1/service-requests", None, false, e.to_string());
            return Err(super::Abort);
        }
    };
    names(kit, "GSI-A.1.4", "malformed JSON is 400 problem+json", &reply, "POST /v1/service-requests", &[400], "");

    let reply = kit.send("GSI-7.5.6", "GET", "/v1/service-requests/not-a-uuid", Some(&admin), &[], None)?;
    let named = !problem_fields(&reply.json()).is_empty();
    names(
        kit,
        "GSI-7.5.6",
        "a malformed id in the path is 400 problem+json",
        &reply,
        "GET /v1/service-requests/not-a-uuid",
        &[400],
        "",
    );
    kit.check(
        "GSI-7.5.6",
        "the 400 names the path parameter",
        "GET /v1/service-requests/not-a-uuid",
        Some(&reply),
        named,
        format!("fields named {:?}", problem_fields(&reply.json())),
    );

    // A quote that is already over: 422 naming valid_until; the request stays in review.
    let created = kit.submit("GSI-A.1.4", &kit.change_body(&target))?.json();
    let id = id_of(&created);
    kit.ok_step("GSI-A.1.5", "the provider reviews the request", &id, "review", &operator, &json!({}))?;
    let (_, etag) = kit.read_request("GSI-A.1.6", &id, &operator)?;
    let past = kit.server_now() - chrono::Duration::hours(1);
    let reply =
        kit.step("GSI-A.1.6", &id, "quotes", &operator, Some(&etag), &quote_body(&target, &delta_of(&created), past))?;
    names(
        kit,
        "GSI-A.1.6",
        "a quote valid until a past time is 422 naming valid_until",
        &reply,
        &req("POST", &format!("/v1/service-requests/{id}/quotes")),
        &[422],
        "valid_until",
    );

    let metric = kit.config.fixtures.usage_metric.clone();
    let before = metered(kit, &metric)?;
    let end = usage_end(kit.server_now());
    let start = (end - chrono::Duration::hours(1)).max(bangkok_month_start(end));
    let batch = json!({"records": [
        {"record_id": format!("gsi-ctk-good-{}", uuid::Uuid::new_v4()), "subscription_id": kit.config.fixtures.subscription_id, "metric": metric, "quantity": "1",
         "period_start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "period_end": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)},
        {"record_id": format!("gsi-ctk-bad-{}", uuid::Uuid::new_v4()), "subscription_id": kit.config.fixtures.subscription_id, "metric": metric, "quantity": "-4",
         "period_start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "period_end": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}
    ]});
    let reply = kit.send("GSI-7.1", "POST", "/v1/usage/batches", Some(&operator), &[], Some(&batch))?;
    names(
        kit,
        "GSI-7.1",
        "a negative usage quantity is 422 naming the record",
        &reply,
        "POST /v1/usage/batches",
        &[422],
        "records[1].quantity",
    );
    let after = metered(kit, &metric)?;
    kit.check(
        "GSI-7.1",
        "a batch with a bad record stores none of it",
        "GET /v1/costs/current",
        None,
        (after - before).abs() < 1e-6,
        format!("{metric} this month: {before} → {after}"),
    );
    Ok(())
}

/// Every step needs the current version: no `If-Match` is 428, a stale one 412, and neither
/// changes anything; each step answers a new ETag.
fn preconditions(kit: &mut Kit) -> Step {
    let admin = kit.admin();
    let operator = kit.operator();
    let target = kit.change_target("GSI-A.1.5")?;
    let created = kit.submit("GSI-A.1.4", &kit.change_body(&target))?;
    let id = id_of(&created.json());
    let (_, first_etag) = kit.read_request("GSI-A.1.5", &id, &operator)?;
    let review = format!("/v1/service-requests/{id}/review");

    let missing = kit.step("GSI-A.1.5", &id, "review", &operator, None, &json!({}))?;
    let ok = missing.status == 428 && is_problem(&missing);
    kit.check(
        "GSI-A.1.5",
        "a step without If-Match is 428 problem+json",
        &req("POST", &review),
        Some(&missing),
        ok,
        status_fact(&[428], &missing),
    );

    let reviewed = kit.step("GSI-A.1.5", &id, "review", &operator, Some(&first_etag), &json!({}))?;
    let new_etag = reviewed.header("etag").map(str::to_owned);
    let ok = reviewed.status == 200 && new_etag.as_deref().is_some_and(|e| e != first_etag);
    kit.check(
        "GSI-A.1.5",
        "a step with the current ETag succeeds and answers a new ETag",
        &req("POST", &review),
        Some(&reviewed),
        ok,
        format!("{}; ETag {first_etag} → {new_etag:?}", status_fact(&[200], &reviewed)),
    );
    if !ok {
        return Err(super::Abort);
    }

    let until = kit.server_now() + chrono::Duration::days(7);
    let stale = kit.step(
        "GSI-A.1.6",
        &id,
        "quotes",
        &operator,
        Some(&first_etag),
        &quote_body(&target, &delta_of(&created.json()), until),
    )?;
    let ok = stale.status == 412 && is_problem(&stale);
    kit.check(
        "GSI-A.1.6",
        "a step with a stale If-Match is 412 problem+json",
        &req("POST", &format!("/v1/service-requests/{id}/quotes")),
        Some(&stale),
        ok,
        status_fact(&[412], &stale),
    );

    let withdraw = format!("/v1/service-requests/{id}/withdraw");
    let stale = kit.step("GSI-A.1.7", &id, "withdraw", &admin, Some(&first_etag), &json!({}))?;
    let ok = stale.status == 412 && is_problem(&stale);
    kit.check(
        "GSI-A.1.7",
        "the agency's step with a stale If-Match is 412 problem+json",
        &req("POST", &withdraw),
        Some(&stale),
        ok,
        status_fact(&[412], &stale),
    );

    let reviewed_status = reviewed.json()["status"].clone();
    let (after, etag_now) = kit.read_request("GSI-A.1.5", &id, &admin)?;
    let ok = after["status"] == reviewed_status && Some(etag_now.as_str()) == new_etag.as_deref();
    kit.check(
        "GSI-A.1.5",
        "the refused steps changed nothing",
        &req("GET", &format!("/v1/service-requests/{id}")),
        None,
        ok,
        format!(
            "status {} (after review {reviewed_status}), ETag {etag_now} (after review {new_etag:?})",
            after["status"]
        ),
    );
    Ok(())
}
