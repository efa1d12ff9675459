//! The organisation register (clause 3, GSI-12.2).

use serde_json::json;

use crate::support::{GIX, each_backend, gix, token};

#[actix_web::test]
async fn gix_registers_lists_and_reads_organisations() {
    each_backend(async |app| {
        let gix = gix();
        let created = app
            .post(
                "/v1/organisations",
                &gix,
                &json!({"kind": "agency", "name_th": "กรมหนึ่ง", "name_en": "Department One"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(created.header("location"), Some(format!("/v1/organisations/{id}")));
        assert_eq!(created.body["kind"], "agency");
        assert_eq!(created.body["name_en"], "Department One");

        let read = app.get(&format!("/v1/organisations/{id}"), &gix).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.body, created.body);

        // GIX exists from the first migration.
        let central = app.get(&format!("/v1/organisations/{GIX}"), &gix).await;
        assert_eq!(central.body["kind"], "gix");
    })
    .await;
}

#[actix_web::test]
async fn lists_page_with_an_opaque_cursor_and_filter_by_kind() {
    each_backend(async |app| {
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(app.register("agency", &format!("กรมที่ {i}")).await);
        }
        app.register("provider", "ผู้ให้บริการ").await;
        let gix = gix();
        let mut seen = Vec::new();
        let mut path = "/v1/organisations?kind=agency&limit=2".to_owned();
        loop {
            let page = app.get(&path, &gix).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
            match page.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/v1/organisations?kind=agency&limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, ids, "every agency once, oldest first, and nothing else");

        let all = app.get("/v1/organisations", &gix).await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 7, "GIX, five agencies, one provider");
    })
    .await;
}

#[actix_web::test]
async fn only_gix_registers_and_lists_and_others_see_only_themselves() {
    each_backend(async |app| {
        let a = app.register("agency", "กรมเอ").await;
        let b = app.register("agency", "กรมบี").await;
        let admin_a = token("agency_admin", &a);

        let register = app.post("/v1/organisations", &admin_a, &json!({"kind": "agency", "name_th": "ปลอม"})).await;
        register.assert_problem(403, "forbidden");
        let list = app.get("/v1/organisations", &admin_a).await;
        list.assert_problem(403, "forbidden");

        let own = app.get(&format!("/v1/organisations/{a}"), &admin_a).await;
        assert_eq!(own.status, 200);
        let other = app.get(&format!("/v1/organisations/{b}"), &admin_a).await;
        other.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn the_central_agency_is_unique() {
    each_backend(async |app| {
        let reply = app.post("/v1/organisations", &gix(), &json!({"kind": "gix", "name_th": "GIX ที่สอง"})).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(reply.problem_fields(), ["kind"]);
        assert_eq!(reply.body["errors"][0]["code"], "gix_is_unique");
        let all = app.get("/v1/organisations?kind=gix", &gix()).await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}
