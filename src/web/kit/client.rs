//! Who is on the other end of a request: the client's address, as limits, records and the live connections'
//! budget see it. Behind a load balancer it is the address the balancer forwards for, when the balancer is
//! one of the `trusted_proxies`.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::web::Data;

use crate::domain::forwarded::client_of;
use crate::startup::AppState;

/// The address of the client.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let Some(state) = req.app_data::<Data<AppState>>() else { return Some(peer) };
    let trusted = &state.settings.trusted_proxies;
    if trusted.is_empty() {
        return Some(peer);
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    Some(client_of(peer, header("x-forwarded-for"), header("forwarded"), trusted))
}
