//! Reports (GSI-7.5.9, 7.6, 13.2, 13.3) on every backend: usage reports equal the rated usage
//! they sum, CSV and JSON agree figure for figure, report requests are answered only by the
//! provider addressed and frozen with a content hash, budgets and monthly reports with
//! immutable submitted revisions, GIX's overview with the overdue rule, streamed exports.

use chrono::{Duration, Utc};
use diesel::connection::SimpleConnection;
use gsi_domain::calendar::Month;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{Reply, TestApp, each_backend, gix, token};
use crate::usage::{Setup, contract, published_compute, record, setup, submit};

/// Parses an RFC 4180 document (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "records end with CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the document ends with CRLF");
    rows
}

fn body_text(reply: &Reply) -> String {
    match &reply.body {
        Value::String(s) => s.clone(),
        other => panic!("expected CSV text, got {other}"),
    }
}

/// The sum of every stored rated amount of `month`, in satang, straight from the table.
fn stored_total(app: &TestApp, month: Month) -> i64 {
    use diesel::prelude::*;
    use gsi_persistence::schema::usage_records;
    let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
    usage_records::table
        .filter(usage_records::usage_month.eq(month.to_string()))
        .select(usage_records::amount_satang)
        .load::<i64>(&mut *conn)
        .unwrap()
        .iter()
        .sum()
}

/// Usage of the previous month for two agencies of one provider: agency A 16 + 2.5 vCPU-hours
/// (1.05 THB: 16.80 + 2.63) and 10 RAM GB-hours (0.30 THB: 3.00); agency B 4 vCPU-hours
/// (4.20). Returns the second agency's id.
async fn seed_usage(app: &TestApp, s: &Setup) -> String {
    let previous = s.months[1];
    let t = |h: i64| previous.start() + Duration::hours(h);
    let records = [
        record("r-1", &s.subscription, "vcpu_hour", "16", t(1), t(2)),
        record("r-2", &s.subscription, "vcpu_hour", "2.5", t(2), t(3)),
        record("r-3", &s.subscription, "ram_gb_hour", "10", t(3), t(4)),
    ];
    let accepted = submit(app, &s.operator, &records).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let other = app.register("agency", "สำนักงาน \"ทดสอบ\", ส่วนภูมิภาค").await;
    let offering = published_compute_again(app, &s.operator).await;
    let sub = contract(app, &s.operator, &other, &offering, s.months[0].start()).await;
    let accepted = submit(app, &s.operator, &[record("b-1", &sub, "vcpu_hour", "4", t(5), t(6))]).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    other
}

async fn published_compute_again(app: &TestApp, operator: &str) -> String {
    published_compute(app, operator).await
}

#[actix_web::test]
async fn gsi_7_6_usage_report_totals_equal_the_rated_usage_and_csv_agrees_with_json() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let other = seed_usage(&app, &s).await;
        let previous = s.months[1];
        let path = format!("/v1/reports/usage?from={previous}&to={previous}&group_by=agency,metric");
        let json = app.get(&path, &gix()).await;
        assert_eq!(json.status, 200, "{}", json.body);
        assert_eq!(json.body["totals"]["amount"], "26.63");
        assert_eq!(json.body["totals"]["record_count"], 4);
        assert_eq!(stored_total(&app, previous), 2663, "the report total is the sum of the stored rated amounts");
        let groups = json.body["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 3);
        let a_vcpu = groups
            .iter()
            .find(|g| g["agency_id"] == s.agency.as_str() && g["metric"] == "vcpu_hour")
            .expect("agency A's vCPU group");
        assert_eq!(a_vcpu["quantity"], "18.5");
        assert_eq!(a_vcpu["amount"], "19.43");
        assert_eq!(a_vcpu["agency_name"], "กรมทดสอบการใช้งาน");

        // CSV, asked for by Accept and by format=csv, with a byte-order mark.
        let csv = app.request("GET", &path, Some(&gix()), &[("Accept", "text/csv")], None).await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
        let by_format = app.get(&format!("{path}&format=csv&bom=true"), &gix()).await;
        let with_bom = body_text(&by_format);
        assert!(with_bom.starts_with('\u{feff}'), "bom=true starts with the UTF-8 BOM");
        assert_eq!(&with_bom['\u{feff}'.len_utf8()..], body_text(&csv));
        let rows = parse_csv(&body_text(&csv));
        assert_eq!(rows[0], ["row", "agency_id", "agency_name", "metric", "quantity", "record_count", "amount"]);
        assert_eq!(rows.len(), 1 + groups.len() + 1);
        for (row, group) in rows[1..=groups.len()].iter().zip(groups) {
            assert_eq!(row[0], "group");
            assert_eq!(row[1], group["agency_id"].as_str().unwrap());
            assert_eq!(row[2], group["agency_name"].as_str().unwrap(), "Thai text and quoting survive");
            assert_eq!(row[3], group["metric"].as_str().unwrap());
            assert_eq!(row[4], group["quantity"].as_str().unwrap());
            assert_eq!(row[5], group["record_count"].to_string());
            assert_eq!(row[6], group["amount"].as_str().unwrap());
        }
        assert_eq!(rows.last().unwrap(), &["total", "", "", "", "", "4", "26.63"]);
        assert!(body_text(&csv).contains("\"สำนักงาน \"\"ทดสอบ\"\", ส่วนภูมิภาค\""));

        // The agency sees only its own usage; a provider only its own agencies.
        let own = app.get(&format!("/v1/reports/usage?from={previous}&group_by=agency"), &s.agency_user).await;
        assert_eq!(own.status, 200, "{}", own.body);
        assert_eq!(own.body["groups"].as_array().unwrap().len(), 1);
        assert_eq!(own.body["totals"]["amount"], "22.43");
        let other_user = token("agency_user", &other);
        let theirs = app.get(&format!("/v1/reports/usage?from={previous}&group_by="), &other_user).await;
        assert_eq!(theirs.body["totals"]["amount"], "4.20");
        let stranger = app.register("provider", "บริษัท อื่น จำกัด").await;
        let nothing =
            app.get(&format!("/v1/reports/usage?from={previous}"), &token("provider_operator", &stranger)).await;
        assert_eq!(nothing.body["totals"]["amount"], "0.00");
        assert_eq!(nothing.body["groups"], json!([]));

        // Bad parameters are named.
        let bad = app.get("/v1/reports/usage?from=2026-13&group_by=planet&format=xml", &gix()).await;
        bad.assert_problem(400, "invalid-parameters");
        let mut fields = bad.problem_fields();
        fields.sort();
        assert_eq!(fields, ["format", "from", "group_by"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_6_streamed_export_has_every_rated_record_in_csv_and_json() {
    each_backend(async |app| {
        let s = setup(&app).await;
        seed_usage(&app, &s).await;
        let previous = s.months[1];
        let path = format!("/v1/reports/usage/records?from={previous}");
        let json = app.get(&path, &gix()).await;
        assert_eq!(json.status, 200, "{}", json.body);
        let items = json.body.as_array().expect("a JSON array");
        assert_eq!(items.len(), 4);
        let csv = app.get(&format!("{path}&format=csv"), &gix()).await;
        assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
        let rows = parse_csv(&body_text(&csv));
        assert_eq!(&rows[0][..4], ["agency_id", "provider_id", "statement_month", "line_kind"]);
        let amount_col = rows[0].iter().position(|c| c == "amount").unwrap();
        let record_col = rows[0].iter().position(|c| c == "usage_record_id").unwrap();
        assert_eq!(rows.len(), 1 + items.len());
        for (row, item) in rows[1..].iter().zip(items) {
            assert_eq!(row[record_col], item["usage_record_id"].as_str().unwrap());
            assert_eq!(row[amount_col], item["amount"].as_str().unwrap());
        }
        let satang: i64 =
            rows[1..].iter().map(|r| (r[amount_col].parse::<f64>().unwrap() * 100.0).round() as i64).sum();
        assert_eq!(satang, stored_total(&app, previous));
        // Agencies stream only their own records.
        let own = app.get(&path, &s.agency_user).await;
        assert_eq!(own.body.as_array().unwrap().len(), 3);
        assert!(own.body.as_array().unwrap().iter().all(|r| r["agency_id"] == s.agency.as_str()));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_6_a_report_request_is_answered_only_by_its_provider_and_frozen_with_its_hash() {
    each_backend(async |app| {
        let s = setup(&app).await;
        seed_usage(&app, &s).await;
        let previous = s.months[1];
        let today = Utc::now().with_timezone(&gsi_domain::calendar::bangkok()).date_naive() + chrono::Days::new(1);
        let created = app
            .post(
                "/v1/report-requests",
                &gix(),
                &json!({"provider_id": s.provider, "from": previous.to_string(), "to": previous.to_string(),
                        "group_by": "agency,month", "due_date": today.to_string(), "note": "รายงานประจำเดือน"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["status"], "open");
        let id = created.body["id"].as_str().unwrap().to_owned();

        // Only GIX creates requests; bad fields are named.
        let refused = app
            .post("/v1/report-requests", &s.operator, &json!({"provider_id": s.provider, "from": "2026-01", "to": "2026-01", "group_by": "", "due_date": "2099-01-01"}))
            .await;
        refused.assert_problem(403, "forbidden");
        let invalid = app
            .post("/v1/report-requests", &gix(), &json!({"provider_id": s.agency, "from": "x", "to": "2026-01", "group_by": "agency", "due_date": "2000-01-01"}))
            .await;
        invalid.assert_problem(422, "validation-error");
        let mut fields = invalid.problem_fields();
        fields.sort();
        assert_eq!(fields, ["due_date", "from"]);

        // The provider sees it among its open requests; another provider neither sees nor answers it.
        let open = app.get("/v1/report-requests?state=open", &s.operator).await;
        assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
        let (other, other_operator) = crate::usage::listed_provider(&app, "บริษัท ผู้ให้บริการอื่น จำกัด").await;
        assert_ne!(other, s.provider);
        assert_eq!(app.get("/v1/report-requests", &other_operator).await.body["items"], json!([]));
        app.get(&format!("/v1/report-requests/{id}"), &other_operator).await.assert_problem(404, "not-found");
        app.post(&format!("/v1/report-requests/{id}/submission"), &other_operator, &json!(null))
            .await
            .assert_problem(404, "not-found");
        app.get(&format!("/v1/report-requests/{id}"), &s.agency_user).await.assert_problem(404, "not-found");
        app.post(&format!("/v1/report-requests/{id}/submission"), &gix(), &json!(null))
            .await
            .assert_problem(403, "forbidden");
        app.get(&format!("/v1/report-requests/{id}/report"), &gix()).await.assert_problem(409, "invalid-transition");

        // The addressed provider answers; the figures are frozen.
        let answered = app.request("POST", &format!("/v1/report-requests/{id}/submission"), Some(&s.operator), &[], None).await;
        assert_eq!(answered.status, 200, "{}", answered.body);
        assert_eq!(answered.body["request"]["status"], "submitted");
        assert_eq!(answered.body["report"]["totals"]["amount"], "26.63");
        let hash = answered.body["request"]["content_hash"].as_str().unwrap().to_owned();
        app.request("POST", &format!("/v1/report-requests/{id}/submission"), Some(&s.operator), &[], None)
            .await
            .assert_problem(409, "invalid-transition");

        // Later usage does not change the frozen report.
        let late = submit(&app, &s.operator, &[record("late-1", &s.subscription, "vcpu_hour", "100", previous.start() + Duration::hours(9), previous.start() + Duration::hours(10))]).await;
        assert_eq!(late.status, 200, "{}", late.body);
        let seen_by_gix = app.get(&format!("/v1/report-requests/{id}"), &gix()).await;
        assert_eq!(seen_by_gix.body["status"], "submitted");
        assert_eq!(seen_by_gix.body["total"], "26.63");
        let frozen_csv = app.get(&format!("/v1/report-requests/{id}/report?format=csv"), &gix()).await;
        let text = body_text(&frozen_csv);
        let digest: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, hash, "the content hash is the SHA-256 of the CSV");
        let frozen_json = app.get(&format!("/v1/report-requests/{id}/report"), &s.operator).await;
        assert_eq!(frozen_json.body["report"]["totals"]["amount"], "26.63");
        let live = app.get(&format!("/v1/reports/usage?from={previous}&group_by=agency,month"), &gix()).await;
        assert_eq!(live.body["totals"]["amount"], "131.63", "live figures include the late usage");
        // Both steps are events for the provider (issue 11), with the frozen hash.
        let feed = app.get("/v1/events?types=report_request.created,report_request.submitted", &s.operator).await;
        assert_eq!(feed.status, 200, "{}", feed.body);
        let mine: Vec<&serde_json::Value> =
            feed.body["items"].as_array().unwrap().iter().filter(|e| e["resource"]["id"] == id.as_str()).collect();
        let types: Vec<&str> = mine.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["report_request.created", "report_request.submitted"], "{}", feed.body);
        assert_eq!(mine[1]["data"]["content_hash"], hash.as_str());
        let others = app.get("/v1/events?types=report_request.created", &other_operator).await;
        assert_eq!(others.body["items"], json!([]), "another provider sees none of it");
    })
    .await;
}

#[actix_web::test]
async fn gsi_13_3_submitted_monthly_report_is_immutable_and_revisions_stay_readable() {
    each_backend(async |app| {
        let s = setup(&app).await;
        seed_usage(&app, &s).await;
        let previous = s.months[1];
        let fiscal_year = previous.fiscal_year();
        let admin = token("agency_admin", &s.agency);

        let budget = app
            .request(
                "PUT",
                &format!("/v1/budgets/{}", fiscal_year.0),
                Some(&admin),
                &[],
                Some(&json!({"amount": "1000.00"})),
            )
            .await;
        assert_eq!(budget.status, 201, "{}", budget.body);
        assert_eq!(budget.body["fiscal_year"]["buddhist_era"], fiscal_year.0 + 543);
        let replaced = app
            .request(
                "PUT",
                &format!("/v1/budgets/{}", fiscal_year.0),
                Some(&admin),
                &[],
                Some(&json!({"amount": "1200.00"})),
            )
            .await;
        assert_eq!(replaced.status, 200, "{}", replaced.body);
        app.request("PUT", "/v1/budgets/2570", Some(&admin), &[], Some(&json!({"amount": "1"})))
            .await
            .assert_problem(400, "invalid-parameters");
        app.request(
            "PUT",
            &format!("/v1/budgets/{}", fiscal_year.0),
            Some(&s.agency_user),
            &[],
            Some(&json!({"amount": "1"})),
        )
        .await
        .assert_problem(403, "forbidden");

        let drafted = app.post("/v1/monthly-reports", &admin, &json!({"month": previous.to_string()})).await;
        assert_eq!(drafted.status, 201, "{}", drafted.body);
        let id = drafted.body["id"].as_str().unwrap().to_owned();
        assert_eq!(drafted.body["state"], "draft");
        assert_eq!(drafted.body["month_total"], "22.43", "only this agency's spending");
        let spent = drafted.body["fiscal_year_spent"].as_str().unwrap().to_owned();
        assert_eq!(drafted.body["budget"]["amount"], "1200.00");
        assert_eq!(drafted.body["budget"]["spent"], spent);
        let lines_total: f64 = drafted.body["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount"].as_str().unwrap().parse::<f64>().unwrap())
            .sum();
        assert!((lines_total - 22.43).abs() < 1e-9);
        assert_eq!(drafted.body["sla"].as_array().unwrap().len(), 1);
        app.post("/v1/monthly-reports", &admin, &json!({"month": previous.to_string()}))
            .await
            .assert_problem(409, "conflict");
        app.post("/v1/monthly-reports", &admin, &json!({"month": s.months[2].to_string()}))
            .await
            .assert_problem(422, "validation-error");

        let noted = app
            .request(
                "PUT",
                &format!("/v1/monthly-reports/{id}/notes"),
                Some(&admin),
                &[("If-Match", "\"1\"")],
                Some(&json!({"notes": "ใช้งานตามแผน"})),
            )
            .await;
        assert_eq!(noted.status, 200, "{}", noted.body);
        let submitted = app
            .request(
                "POST",
                &format!("/v1/monthly-reports/{id}/submission"),
                Some(&admin),
                &[("If-Match", "\"2\"")],
                None,
            )
            .await;
        assert_eq!(submitted.status, 200, "{}", submitted.body);
        assert_eq!(submitted.body["state"], "submitted");

        // Immutable: notes and a second submission are refused, also in the database itself.
        let edit = app
            .request(
                "PUT",
                &format!("/v1/monthly-reports/{id}/notes"),
                Some(&admin),
                &[("If-Match", "\"3\"")],
                Some(&json!({"notes": "แก้ไข"})),
            )
            .await;
        edit.assert_problem(409, "invalid-transition");
        assert_eq!(edit.body["allowed_actions"], json!(["revise"]));
        app.request(
            "POST",
            &format!("/v1/monthly-reports/{id}/submission"),
            Some(&admin),
            &[("If-Match", "\"3\"")],
            None,
        )
        .await
        .assert_problem(409, "invalid-transition");
        {
            let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
            let sql = format!("UPDATE monthly_reports SET notes = 'tampered' WHERE id = '{id}'");
            assert!(conn.batch_execute(&sql).is_err(), "the database refuses to change a submitted report");
        }

        // Another agency cannot read it; the agency's users can.
        let other = app.register("agency", "กรมอื่น").await;
        app.get(&format!("/v1/monthly-reports/{id}"), &token("agency_admin", &other))
            .await
            .assert_problem(404, "not-found");
        app.get(&format!("/v1/monthly-reports/{id}"), &s.operator).await.assert_problem(404, "not-found");
        assert_eq!(app.get(&format!("/v1/monthly-reports/{id}"), &s.agency_user).await.status, 200);

        // A correction is a new revision; both stay readable.
        let revised =
            app.request("POST", &format!("/v1/monthly-reports/{id}/revisions"), Some(&admin), &[], None).await;
        assert_eq!(revised.status, 201, "{}", revised.body);
        assert_eq!(revised.body["revision"], 2);
        assert_eq!(revised.body["state"], "draft");
        assert_eq!(revised.body["notes"], "ใช้งานตามแผน");
        assert_eq!(revised.body["revisions"].as_array().unwrap().len(), 2);
        let first = app.get(&format!("/v1/monthly-reports/{id}"), &admin).await;
        assert_eq!(first.body["state"], "submitted");
        assert_eq!(first.body["notes"], "ใช้งานตามแผน");
        assert_eq!(first.body["content_hash"], submitted.body["content_hash"]);
        app.request("POST", &format!("/v1/monthly-reports/{id}/revisions"), Some(&admin), &[], None)
            .await
            .assert_problem(409, "invalid-transition");

        // CSV and JSON agree.
        let csv = app.get(&format!("/v1/monthly-reports/{id}?format=csv"), &admin).await;
        let rows = parse_csv(&body_text(&csv));
        let total = rows.iter().find(|r| r[0] == "month_total").unwrap();
        assert_eq!(total[7], "22.43");
        let remaining = rows.iter().find(|r| r[0] == "budget_remaining").unwrap();
        assert_eq!(remaining[7], first.body["budget"]["remaining"].as_str().unwrap());
        let lines: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "line").collect();
        for (row, line) in lines.iter().zip(first.body["lines"].as_array().unwrap()) {
            assert_eq!(row[7], line["amount"].as_str().unwrap());
            assert_eq!(row[2], line["provider_name"].as_str().unwrap());
        }

        // GIX: submitted for the previous month, overdue for the month before (due the 15th).
        let overview = app.get(&format!("/v1/monthly-reports/overview?month={previous}"), &gix()).await;
        assert_eq!(overview.status, 200, "{}", overview.body);
        let mine = overview.body["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agency_id"] == s.agency.as_str())
            .unwrap()
            .clone();
        assert_eq!(mine["standing"], "submitted");
        assert_eq!(mine["month_total"], "22.43");
        let earlier = app.get(&format!("/v1/monthly-reports/overview?month={}", s.months[0]), &gix()).await;
        assert!(earlier.body["agencies"].as_array().unwrap().iter().all(|a| a["standing"] == "overdue"));
        assert_eq!(earlier.body["overdue"], earlier.body["agencies"].as_array().unwrap().len());
        app.get("/v1/monthly-reports/overview", &admin).await.assert_problem(403, "forbidden");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_9_agency_summary_for_the_agency_its_provider_and_gix_and_404_for_others() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let other = seed_usage(&app, &s).await;
        let previous = s.months[1];
        let own = app.get(&format!("/v1/reports/agency-summary?from={previous}"), &s.agency_user).await;
        assert_eq!(own.status, 200, "{}", own.body);
        assert_eq!(own.body["agency_id"], s.agency.as_str());
        assert_eq!(own.body["costs_total"], "22.43");
        assert_eq!(own.body["services"], json!([{"key": "in_use", "detail": "cloud", "count": 1}]));
        assert_eq!(own.body["sla"].as_array().unwrap().len(), 1);
        assert_eq!(own.body["sla"][0]["month"], previous.to_string());

        // The same figures in CSV.
        let csv = app
            .request(
                "GET",
                &format!("/v1/reports/agency-summary?from={previous}"),
                Some(&s.agency_user),
                &[("Accept", "text/csv")],
                None,
            )
            .await;
        let rows = parse_csv(&body_text(&csv));
        assert_eq!(rows.iter().find(|r| r[0] == "costs_total").unwrap()[8], "22.43");
        let costs: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "costs").collect();
        assert_eq!(costs.len(), own.body["costs"].as_array().unwrap().len());

        // Another agency's summary is 404; GIX names the agency; the serving provider reads its part.
        app.get(&format!("/v1/reports/agency-summary?agency_id={}", s.agency), &token("agency_user", &other))
            .await
            .assert_problem(404, "not-found");
        app.get("/v1/reports/agency-summary", &gix()).await.assert_problem(400, "invalid-parameters");
        let by_gix =
            app.get(&format!("/v1/reports/agency-summary?agency_id={}&from={previous}", s.agency), &gix()).await;
        assert_eq!(by_gix.body["costs_total"], "22.43");
        let by_provider =
            app.get(&format!("/v1/reports/agency-summary?agency_id={}&from={previous}", s.agency), &s.operator).await;
        assert_eq!(by_provider.status, 200, "{}", by_provider.body);
        assert_eq!(by_provider.body["provider_id"], s.provider.as_str());
        let stranger = app.register("provider", "บริษัท ไม่เกี่ยวข้อง จำกัด").await;
        app.get(&format!("/v1/reports/agency-summary?agency_id={}", s.agency), &token("provider_operator", &stranger))
            .await
            .assert_problem(404, "not-found");
    })
    .await;
}

/// The README walk-through: with demo data, GIX pulls last month's usage as CSV, the demo
/// cloud provider answers GIX's demo report request, and agency A drafts and submits its
/// monthly report against its fiscal-year budget.
#[actix_web::test]
async fn gsi_7_6_13_3_demo_walk_through() {
    each_backend(async |app| {
        use gsi_api::usecases::demo::{DEMO_AGENCY_A, DEMO_CLOUD_PROVIDER};
        use gsi_api::usecases::demo_reports::DEMO_REPORT_REQUEST;
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        drop(conn);
        let previous = Month::containing(Utc::now()).previous();

        let csv = app
            .get(
                &format!("/v1/reports/usage?from={previous}&group_by=provider,agency,metric&format=csv&bom=true"),
                &gix(),
            )
            .await;
        assert_eq!(csv.status, 200);
        let text = body_text(&csv);
        let rows = parse_csv(&text['\u{feff}'.len_utf8()..]);
        assert!(rows.iter().any(|r| r.iter().any(|f| f == "กรมส่งเสริมการค้าตัวอย่าง")));

        let cloud = token("provider_operator", &DEMO_CLOUD_PROVIDER.to_string());
        let open = app.get("/v1/report-requests?state=open", &cloud).await;
        assert_eq!(open.body["items"][0]["id"], DEMO_REPORT_REQUEST.to_string());
        let answered = app
            .request("POST", &format!("/v1/report-requests/{DEMO_REPORT_REQUEST}/submission"), Some(&cloud), &[], None)
            .await;
        assert_eq!(answered.status, 200, "{}", answered.body);
        assert_ne!(answered.body["report"]["totals"]["amount"], "0.00");

        let admin = token("agency_admin", &DEMO_AGENCY_A.to_string());
        let budgets = app.get("/v1/budgets", &admin).await;
        assert_eq!(budgets.body["items"].as_array().unwrap().len(), 2, "whole year and cloud, seeded once");
        let drafted = app.post("/v1/monthly-reports", &admin, &json!({"month": previous.to_string()})).await;
        assert_eq!(drafted.status, 201, "{}", drafted.body);
        assert_eq!(drafted.body["budget"]["amount"], "2400000.00");
        assert_ne!(drafted.body["month_total"], "0.00");
        let id = drafted.body["id"].as_str().unwrap();
        let submitted = app
            .request(
                "POST",
                &format!("/v1/monthly-reports/{id}/submission"),
                Some(&admin),
                &[("If-Match", "\"1\"")],
                None,
            )
            .await;
        assert_eq!(submitted.status, 200, "{}", submitted.body);
    })
    .await;
}
