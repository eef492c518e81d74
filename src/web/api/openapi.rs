//! The OpenAPI document of the API, generated from the handlers' `#[utoipa::path]` attributes and served at
//! `GET /api/v1/openapi.json` (and `/contests/{slug}/api/v1/openapi.json`), so that teams can generate their
//! clients rather than guess. One document describes both mounts: its two servers are `/api/v1` and
//! `/contests/{slug}/api/v1`, and its paths are relative to them, as `endpoints` registers them.

use std::sync::OnceLock;

use actix_web::http::header::{CACHE_CONTROL, ETAG, HeaderValue, IF_NONE_MATCH};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use super::{accounts, challenges, datasets, teams, users};
use crate::web::RouteInfo;
use crate::web::kit::error::{ApiFailure, AppError, AppResult};
use crate::web::kit::extract::state;
use crate::web::team::{classification, scoreboard};

/// Where `endpoints` is mounted; the document's servers.
const MOUNTS: [&str; 2] = ["/api/v1", "/contests/{slug}/api/v1"];

/// The operation of the document that stands for a route of the router: its method (lowercase, as the document's
/// keys are) and its path relative to the mount, or `None` for a route outside the API. actix-web's `{id}` is
/// OpenAPI's; a segment's pattern (`{id:\d+}`) is not part of its name.
pub fn operation_of(route: &RouteInfo) -> Option<(String, String)> {
    let path = MOUNTS.iter().find_map(|mount| route.path.strip_prefix(mount).filter(|p| p.starts_with('/')))?;
    let path = path
        .split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(inner) => format!("{{{}}}", inner.split(':').next().unwrap_or(inner)),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/");
    Some((route.method.as_str().to_ascii_lowercase(), path))
}

/// The API's document. How to document a new endpoint of `endpoints` (the tests fail until every route under
/// `/api/v1` is here, and nothing else is):
/// 1. Put `#[utoipa::path]` on its handler, the path as `endpoints` registers it (relative to `/api/v1`), as on
///    `challenges::solves`:
///    ```text
///    #[utoipa::path(
///        get,
///        path = "/challenges/{id}/solves",
///        operation_id = "list_challenge_solves", // unique: generated clients name their methods by it
///        tag = "challenges",
///        summary = "The teams that solved a challenge, …",
///        params(("id" = i32, Path, description = "The challenge's id")), // every `{…}` of the path
///        responses((status = 200, body = Success<Vec<SolveJson>>)),
///    )]
///    ```
/// 2. Derive `ToSchema` beside `Serialize` on what it answers. An answer built with `json!` is
///    `Success<serde_json::Value>` (a list: `Success<Vec<JsonObject>>`) with its fields listed in the response's
///    `description` (`challenges::one`). A body that `ApiBody` reads is a `ToSchema` struct named in
///    `request_body` (`challenges::AttemptBody`).
/// 3. Name the handler in `paths(…)` below.
///
/// `Conventions` fills in the rest. Security: leave it out for a handler that takes an `ApiCaller` or
/// `ApiOrganizer` (a token, or the session plus the `CSRF-Token` header for what is not a `GET`); write
/// `security((), ("token" = []), ("bearer" = []), ("session" = []))` for one that anyone may read and callers may
/// read more of (`scoreboard::api_scoreboard`), `security(())` for one that asks nobody. Errors: the `4XX` answer in
/// `ApiFailure`'s shapes; state a status only where the endpoint answers it some other way.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mwscup API",
        description = "A JSON API for scripts, in the shapes of CTFd's `/api/v1`: answers are `{\"success\": true, \
                       \"data\": …}`, errors `{\"success\": false, \"message\": …}` or, for fields, `{\"success\": \
                       false, \"errors\": {\"field\": [\"…\"]}}`. Bodies are read as JSON, or as a form when the \
                       `Content-Type` says so (urlencoded or multipart, 64 KiB at most). Messages follow \
                       `Accept-Language` (Japanese by default); times are RFC 3339 in UTC."
    ),
    servers(
        (url = "/api/v1", description = "The contest running now, else the latest"),
        (url = "/contests/{slug}/api/v1", description = "The contest named by its slug",
            variables(("slug" = (default = "mwscup-demo", description = "The contest's slug")))),
    ),
    paths(
        challenges::list,
        challenges::attempt,
        challenges::one,
        challenges::solves,
        challenges::files,
        challenges::hints,
        challenges::tags,
        challenges::hint,
        classification::api_list,
        classification::api_upload,
        challenges::unlock,
        challenges::notifications,
        datasets::list,
        scoreboard::api_scoreboard,
        scoreboard::api_top,
        users::create,
        users::me,
        accounts::my_solves,
        accounts::my_fails,
        accounts::my_awards,
        accounts::user,
        accounts::user_solves,
        accounts::user_fails,
        accounts::user_awards,
        teams::create,
        teams::mine,
        accounts::my_team_solves,
        accounts::my_team_fails,
        accounts::my_team_awards,
        accounts::team,
        accounts::team_solves,
        accounts::team_fails,
        accounts::team_awards,
        teams::add_member,
        serve,
    ),
    components(schemas(ApiFailure)),
    modifiers(&Conventions),
    tags(
        (name = "challenges", description = "Challenges, answers, hints and solves"),
        (name = "scoreboard", description = "CTFd's scoreboard shapes, in whole points"),
        (name = "users", description = "Accounts"),
        (name = "teams", description = "Teams of the contest"),
        (name = "notifications", description = "The contest's announcements"),
        (name = "datasets", description = "The datasets' terms, and the caller's agreements"),
        (name = "meta", description = "This document"),
    ),
)]
pub struct ApiDoc;

/// Who may call an operation, and how it fails, where the operation does not say.
struct Conventions;

/// The name of the reusable `4XX` answer.
const FAILURE: &str = "Failure";

impl Modify for Conventions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <token>`: a token made on `/account` (or by `mwscup admin token`)",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The same token as `Authorization: Bearer <token>`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::web::kit::cookies::SESSION_COOKIE,
                "A browser's session, after logging in on `/login`",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "CSRF-Token",
                "The page's CSRF token, which a session's request must carry unless it is a `GET`",
            ))),
        );
        let failure = Response::builder()
            .description(
                "Refused: 401 without a valid token, 403 for the wrong role or a closed challenge, 404, 409, 413, \
                 429 (with `Retry-After`) as `{\"success\": false, \"message\"}`; 400 with the fields at fault as \
                 `{\"success\": false, \"errors\": {\"field\": [\"…\"]}}`",
            )
            .content("application/json", Content::new(Some(Ref::from_schema_name("ApiFailure"))))
            .build();
        components.responses.insert(FAILURE.to_owned(), RefOr::T(failure));
        for item in api.paths.paths.values_mut() {
            for (method, operation) in [(Method::GET, &mut item.get), (Method::POST, &mut item.post)] {
                if let Some(operation) = operation {
                    fill_in(method, operation);
                }
            }
        }
    }
}

fn fill_in(method: Method, operation: &mut Operation) {
    let security = operation.security.get_or_insert_with(|| {
        let none: [&str; 0] = [];
        let session = SecurityRequirement::new("session", none);
        vec![
            SecurityRequirement::new("token", none),
            SecurityRequirement::new("bearer", none),
            if method == Method::GET { session } else { session.add("csrf", none) },
        ]
    });
    // `security(())` alone declares an operation that asks nobody who they are: nothing to refuse for that.
    let anonymous_only = security.iter().all(|s| *s == SecurityRequirement::default());
    let responses = &mut operation.responses.responses;
    if !anonymous_only && !responses.contains_key("4XX") {
        responses.insert("4XX".to_owned(), RefOr::Ref(Ref::from_response_name(FAILURE)));
    }
}

/// The document as served: built once, with the tag the browser's copy is checked against.
struct Served {
    json: Vec<u8>,
    etag: HeaderValue,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        // Built from static attributes: it serializes, or no test would pass.
        let json = ApiDoc::openapi().to_json().expect("the document serializes").into_bytes();
        let digest = hex::encode(&Sha256::digest(&json)[..16]);
        let etag = HeaderValue::from_str(&format!("\"{digest}\"")).expect("hex in quotes is a header value");
        Served { json, etag }
    })
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "get_openapi",
    tag = "meta",
    summary = "This API's OpenAPI document",
    security(()),
    responses(
        (status = 200, description = "The document", content_type = "application/json", body = serde_json::Value),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`"),
        (status = 404, description = "No contest has the slug", body = ApiFailure),
    )
)]
pub async fn serve(req: HttpRequest) -> AppResult<HttpResponse> {
    if let Some(slug) = req.match_info().get("slug") {
        state(&req)?.live.by_slug(slug).await?.ok_or(AppError::NotFound)?;
    }
    let served = served();
    // The document changes only with the binary: a day's cache, and a cheap check after that.
    let cache = HeaderValue::from_static("public, max-age=86400");
    let unchanged = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == served.etag || tag.trim() == "*"));
    let mut res = if unchanged { HttpResponse::build(StatusCode::NOT_MODIFIED) } else { HttpResponse::Ok() };
    res.insert_header((ETAG, served.etag.clone())).insert_header((CACHE_CONTROL, cache));
    if unchanged {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(served.json.as_slice()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    /// `(method, path)` of every operation in the document.
    fn documented(doc: &Value) -> BTreeSet<(String, String)> {
        let paths = doc["paths"].as_object().expect("paths");
        paths
            .iter()
            .flat_map(|(path, item)| {
                let methods = item.as_object().expect("a path item").keys();
                methods.map(|m| (m.clone(), path.clone())).collect::<Vec<_>>()
            })
            .collect()
    }

    /// The operations of the routes under `mount`.
    fn routed(mount: &str) -> BTreeSet<(String, String)> {
        let table = crate::web::route_table();
        table.iter().filter(|r| r.path.starts_with(&format!("{mount}/"))).filter_map(operation_of).collect()
    }

    fn document() -> Value {
        serde_json::from_slice(&served().json).expect("the served document is JSON")
    }

    #[test]
    fn every_api_route_is_documented_and_nothing_else() {
        let doc = document();
        let api = routed("/api/v1");
        assert!(api.contains(&("get".into(), "/challenges".into())) && api.len() > 15);
        let documented = documented(&doc);
        let undocumented: Vec<_> = api.difference(&documented).collect();
        assert!(undocumented.is_empty(), "routes the document lacks (see the comment at `ApiDoc`): {undocumented:?}");
        let unrouted: Vec<_> = documented.difference(&api).collect();
        assert!(unrouted.is_empty(), "operations of the document that no route has: {unrouted:?}");
        assert_eq!(routed("/contests/{slug}/api/v1"), api, "both mounts serve the same routes");
        let servers: Vec<&str> =
            doc["servers"].as_array().expect("servers").iter().filter_map(|s| s["url"].as_str()).collect();
        assert_eq!(servers, MOUNTS);
    }

    #[test]
    fn routes_convert_as_openapi_writes_them() {
        let op = |method: Method, path: &str| operation_of(&RouteInfo { method, path: path.into() });
        let some = |method: &str, path: &str| Some((method.to_owned(), path.to_owned()));
        assert_eq!(op(Method::GET, "/api/v1/challenges/{id}/solves"), some("get", "/challenges/{id}/solves"));
        assert_eq!(op(Method::POST, "/contests/{slug}/api/v1/teams/{id:\\d+}"), some("post", "/teams/{id}"));
        assert_eq!(op(Method::GET, "/contests/{slug}/scoreboard"), None);
        assert_eq!(op(Method::GET, "/api/v10/users"), None);
    }

    #[test]
    fn each_operation_names_its_path_parameters_and_answers() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let in_path: BTreeSet<&str> =
                path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
            for (method, op) in item.as_object().expect("a path item") {
                let declared: BTreeSet<&str> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                assert_eq!(declared, in_path, "{method} {path}: its path parameters");
                assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: a summary");
                assert!(op["responses"]["200"].is_object(), "{method} {path}: what it answers");
                assert!(op["security"].is_array(), "{method} {path}: who may call it");
            }
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .map(|op| op["operationId"].as_str().expect("an operationId"))
            .collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
    }

    #[test]
    fn callers_are_named_by_the_method_and_the_public_say_so() {
        let doc = document();
        let schemes = |method: &str, path: &str| doc["paths"][path][method]["security"].clone();
        let session_get = serde_json::json!([{"token": []}, {"bearer": []}, {"session": []}]);
        let session_post = serde_json::json!([{"token": []}, {"bearer": []}, {"session": [], "csrf": []}]);
        assert_eq!(schemes("get", "/users/me"), session_get);
        assert_eq!(schemes("post", "/challenges/attempt"), session_post);
        assert_eq!(schemes("get", "/openapi.json"), serde_json::json!([{}]));
        assert!(doc["paths"]["/users/me"]["get"]["responses"]["4XX"]["$ref"].is_string());
        for name in ["token", "bearer", "session", "csrf"] {
            assert!(doc["components"]["securitySchemes"][name].is_object(), "{name}");
        }
    }
}
