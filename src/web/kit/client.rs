//! Who is on the other end of a request: the client's address, as limits and records see it.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The address of the client: the connection's peer.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}
