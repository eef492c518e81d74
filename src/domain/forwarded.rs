//! The client's address behind proxies. A proxy says whom it forwards for in `X-Forwarded-For` (or RFC 7239's
//! `Forwarded: for=`), appending the address it heard from; anyone can write these headers, so they are
//! believed only from the proxies a deployment names (`trusted_proxies`), and only back to the first hop that
//! is not one of them.

use std::net::IpAddr;

use ipnet::IpNet;

/// The client's address: the peer itself unless it is a trusted proxy; else, reading the forwarded hops from
/// the nearest back, the first that is not a trusted proxy (or the farthest, if all are).
pub fn client_of(peer: IpAddr, x_forwarded_for: Option<&str>, forwarded: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = match (forwarded, x_forwarded_for) {
        (Some(f), _) => f.split(',').filter_map(forwarded_for).collect(),
        (None, Some(x)) => x.split(',').filter_map(|h| parse_ip(h.trim())).collect(),
        (None, None) => Vec::new(),
    };
    hops.iter().rev().find(|ip| !is_trusted(ip)).or(hops.first()).copied().unwrap_or(peer)
}

/// The `for=` of one element of a `Forwarded` header.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| parse_ip(value.trim().trim_matches('"'))).flatten()
    })
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]`, `[2001:db8::1]:5678`, `2001:db8::1`.
fn parse_ip(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.rsplit_once(':').and_then(|(host, _)| host.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("a network")).collect()
    }

    #[test]
    fn headers_from_strangers_are_ignored() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(client_of(ip("203.0.113.9"), Some("1.1.1.1"), None, &trusted), ip("203.0.113.9"));
        assert_eq!(client_of(ip("203.0.113.9"), None, None, &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_is_believed_back_to_the_first_stranger() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        let peer = ip("127.0.0.1");
        assert_eq!(client_of(peer, Some("198.51.100.7"), None, &trusted), ip("198.51.100.7"));
        // A client that wrote its own header cannot hide behind it: the proxy appended the real address.
        assert_eq!(client_of(peer, Some("6.6.6.6, 198.51.100.7, 10.1.2.3"), None, &trusted), ip("198.51.100.7"));
        assert_eq!(client_of(peer, Some("10.9.9.9"), None, &trusted), ip("10.9.9.9"), "all trusted: the farthest");
        assert_eq!(client_of(peer, Some("not an address"), None, &trusted), peer);
        assert_eq!(client_of(peer, None, None, &trusted), peer);
    }

    #[test]
    fn forwarded_is_read_with_ports_and_brackets() {
        let trusted = nets(&["127.0.0.1/32"]);
        let peer = ip("127.0.0.1");
        let header = r#"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#;
        assert_eq!(client_of(peer, Some("9.9.9.9"), Some(header), &trusted), ip("2001:db8:cafe::17"));
        assert_eq!(client_of(peer, None, Some("For=\"192.0.2.1:80\""), &trusted), ip("192.0.2.1"));
        assert_eq!(client_of(peer, Some("192.0.2.5:1234"), None, &trusted), ip("192.0.2.5"));
    }
}
