//! Responses made once per live snapshot and served as the same bytes until the next change, compressed
//! once for the clients that accept gzip: a scoreboard open on every screen costs a copy, not a render.

use std::io::Write as _;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_ENCODING, VARY};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::live::Snapshot;
use crate::web::kit::error::{AppError, AppResult};

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`).
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(actix_web::http::header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value.split(',').any(|part| {
        let mut pieces = part.split(';').map(str::trim);
        let coding = pieces.next().unwrap_or("");
        let refused = pieces.any(|p| p.replace(' ', "").eq_ignore_ascii_case("q=0") || p == "q=0.0" || p == "q=0.00");
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// At the fastest level: a busy contest makes a new snapshot many times a second, each compressed again,
/// and level 1 costs a fraction of the default's time for a few percent more bytes.
fn gzip(plain: &[u8]) -> AppResult<Bytes> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(plain.len() / 4), Compression::fast());
    encoder.write_all(plain).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Bytes::from(encoder.finish().map_err(|e| AppError::Internal(e.into()))?))
}

/// The response for `key` in this snapshot, rendered (and compressed) the first time it is asked for.
pub fn respond(
    req: &HttpRequest,
    snap: &Snapshot,
    key: String,
    content_type: &'static str,
    render: impl FnOnce() -> AppResult<Bytes>,
) -> AppResult<HttpResponse> {
    let mut res = HttpResponse::Ok();
    res.content_type(content_type).insert_header((VARY, "Accept-Encoding")).insert_header((CACHE_CONTROL, "no-cache"));
    if accepts_gzip(req) {
        let body = snap.rendered(format!("{key}\u{0}gzip"), || gzip(&snap.rendered(key, render)?))?;
        return Ok(res.insert_header((CONTENT_ENCODING, "gzip")).body(body));
    }
    Ok(res.body(snap.rendered(key, render)?))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::accepts_gzip;

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with =
            |v: &str| accepts_gzip(&TestRequest::default().insert_header(("Accept-Encoding", v)).to_http_request());
        assert!(with("gzip"));
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("deflate, br"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }
}
