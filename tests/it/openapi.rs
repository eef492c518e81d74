//! The OpenAPI document at `/api/v1/openapi.json`: fetched as a team's tool would, it names every route of the
//! API and no other, and what it says of an answer is what the API answers.

use std::collections::BTreeSet;

use mwscup::domain::role::Role;
use mwscup::web::api::openapi::operation_of;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::Value;

use crate::both;
use crate::helpers::TestApp;

both!(the_document_names_every_api_route, the_document_is_served_once_and_cached, the_document_tells_the_shapes);

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.api().get(app.url(path)).send().await.unwrap()
}

async fn the_document_names_every_api_route(app: TestApp) {
    let res = fetch(&app, "/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK, "anyone may read it, with no contest yet");
    assert_eq!(res.headers()[CONTENT_TYPE], "application/json");
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(|method| (method.clone(), path.clone())))
        .collect();
    let table = mwscup::web::route_table();
    for mount in ["/api/v1/", "/contests/{slug}/api/v1/"] {
        let routed: BTreeSet<(String, String)> =
            table.iter().filter(|r| r.path.starts_with(mount)).filter_map(operation_of).collect();
        assert_eq!(routed, documented, "the routes under {mount} against the document's operations");
    }
    assert!(documented.contains(&("post".to_owned(), "/challenges/attempt".to_owned())));
    assert!(documented.contains(&("get".to_owned(), "/openapi.json".to_owned())));
}

async fn the_document_is_served_once_and_cached(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let res = fetch(&app, "/api/v1/openapi.json").await;
    assert!(res.headers()[CACHE_CONTROL].to_str().unwrap().contains("max-age="));
    let etag = res.headers()[ETAG].clone();
    let body = res.bytes().await.unwrap();

    let scoped = fetch(&app, "/contests/cup/api/v1/openapi.json").await;
    assert_eq!(scoped.status(), StatusCode::OK);
    assert_eq!(scoped.bytes().await.unwrap(), body, "one document names both mounts as its servers");
    let absent = fetch(&app, "/contests/absent/api/v1/openapi.json").await;
    assert_eq!(absent.status(), StatusCode::NOT_FOUND);
    assert_eq!(absent.json::<Value>().await.unwrap()["success"], false);

    let again =
        app.api().get(app.url("/api/v1/openapi.json")).header(IF_NONE_MATCH, etag.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = app.api().get(app.url("/api/v1/openapi.json")).header(IF_NONE_MATCH, "\"old\"").send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

/// The schema a `$ref` names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(name) => &doc["components"]["schemas"][name.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

async fn the_document_tells_the_shapes(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let doc: Value = fetch(&app, "/api/v1/openapi.json").await.json().await.unwrap();
    let alice = app.user("alice", Role::Participant).await;
    let token = app.token_for(&alice).await;

    let me = &doc["paths"]["/users/me"]["get"];
    let envelope = resolve(&doc, &me["responses"]["200"]["content"]["application/json"]["schema"]);
    let user = resolve(&doc, &envelope["properties"]["data"]);
    let required: Vec<&str> = user["required"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(required.contains(&"name"), "{user}");
    let (_, answer) = crate::helpers::api(&app, &token, "GET", "/api/v1/users/me", None).await;
    assert_eq!(answer["success"], true);
    let fields: BTreeSet<&str> = answer["data"].as_object().unwrap().keys().map(String::as_str).collect();
    let described: BTreeSet<&str> = user["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, described, "users/me answers the fields the document describes");

    // A refusal is one of the shapes of the document's failure.
    let refused = fetch(&app, "/api/v1/users/me").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "anonymous, as CTFd answers");
    let refused: Value = refused.json().await.unwrap();
    let failure = &doc["components"]["schemas"]["ApiFailure"]["oneOf"];
    let shapes: Vec<BTreeSet<&str>> = failure
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["properties"].as_object().unwrap().keys().map(String::as_str).collect())
        .collect();
    let keys: BTreeSet<&str> = refused.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(shapes.contains(&keys), "{refused} against {shapes:?}");
    assert!(me["responses"]["4XX"]["$ref"].as_str().unwrap().ends_with("/Failure"));
}
