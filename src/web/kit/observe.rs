//! Operators' view of the server: every request counted by route and status, and `/metrics` in Prometheus'
//! text format for organizers (a token or a session) or the addresses the setting `metrics_from` names (a
//! Prometheus server that holds no account).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};

use crate::metrics::{METRICS, RequestLabels};
use crate::startup::AppState;
use crate::web::kit::client::client_ip;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, role_of, state};

/// Counts each answered request under its route's pattern (unmatched paths as one value).
pub async fn count_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let labels = RequestLabels { method, route, status: res.status().as_u16() };
    METRICS.requests.get_or_create(&labels).inc();
    Ok(res)
}

/// `GET /metrics`.
pub async fn metrics(req: HttpRequest, caller: Option<ApiCaller>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let listed = client_ip(&req).is_some_and(|ip| state.settings.metrics_from.iter().any(|net| net.contains(&ip)));
    let organizer = caller.as_ref().is_some_and(|c| role_of(&c.0).is_organizer());
    if !listed && !organizer {
        return Err(match caller {
            Some(_) => AppError::Forbidden(Msg::OrganizersOnly),
            None => AppError::LoginRequired,
        });
    }
    gauges(&state);
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(METRICS.render()))
}

/// The gauges read at the moment of the scrape.
fn gauges(state: &AppState) {
    METRICS.sse_clients.set(i64::try_from(state.streams.held()).unwrap_or(i64::MAX));
    let (size, idle) = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    METRICS.pool_connections.set(i64::from(size));
    METRICS.pool_idle.set(i64::try_from(idle).unwrap_or(0));
}
