//! A lean HTTP/1.1 keep-alive client for the load generator. The generator shares the machine's two cores
//! with the server, so every cycle it spends parsing is a cycle the server does not get: this client writes
//! prepared request bytes and reads just enough of the answer (status, length, body) to check it.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One answer: its status, its head (the status line and headers, as sent) and its body (decoded from chunks if
/// it came in chunks).
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn contains(&self, needle: &[u8]) -> bool {
        needle.is_empty() || self.body.windows(needle.len()).any(|w| w == needle)
    }

    /// The `name=value` of each `Set-Cookie` header, without its attributes.
    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.head.split("\r\n").filter_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case("set-cookie").then(|| v.split(';').next().unwrap_or("").trim())
        })
    }
}

/// A request written out in full: `GET` or `POST` with the given headers and body.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: bench\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// One keep-alive connection; reconnects when the server closes it.
pub struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn { addr, stream: None, buf: Vec::with_capacity(64 * 1024) }
    }

    pub async fn send(&mut self, req: &[u8]) -> io::Result<Response> {
        let result = self.exchange(req).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange(&mut self, req: &[u8]) -> io::Result<Response> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr).await?;
            s.set_nodelay(true)?;
            self.stream = Some(s);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().ok_or_else(|| io::Error::other("no connection"))?;
        stream.write_all(req).await?;
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            fill(stream, &mut self.buf).await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(io::Error::other)?.to_owned();
        let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| io::Error::other("bad status"))?;
        let lower = head.to_ascii_lowercase();
        let close = lower.contains("\r\nconnection: close");
        let length = header(&lower, "content-length").and_then(|v| v.parse::<usize>().ok());
        let chunked = header(&lower, "transfer-encoding").is_some_and(|v| v.contains("chunked"));
        self.buf.drain(..head_end);
        let body = if chunked {
            read_chunked(stream, &mut self.buf).await?
        } else {
            let n = length.unwrap_or(0);
            while self.buf.len() < n {
                fill(stream, &mut self.buf).await?;
            }
            self.buf.drain(..n).collect()
        };
        if close {
            self.stream = None;
        }
        Ok(Response { status, head, body })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn header<'h>(lower_head: &'h str, name: &str) -> Option<&'h str> {
    lower_head.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == name).then(|| v.trim())
    })
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 64 * 1024];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            fill(stream, buf).await?;
        };
        let size_text = std::str::from_utf8(&buf[..line_end]).map_err(io::Error::other)?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io::Error::other("bad chunk size"))?;
        while buf.len() < line_end + 2 + size + 2 {
            fill(stream, buf).await?;
        }
        body.extend_from_slice(&buf[line_end + 2..line_end + 2 + size]);
        buf.drain(..line_end + 2 + size + 2);
        if size == 0 {
            return Ok(body);
        }
    }
}

/// Reads a stream (Server-Sent Events) and calls `seen` with each piece as it arrives.
pub async fn stream(addr: SocketAddr, req: &[u8], mut seen: impl FnMut(&[u8])) -> io::Result<()> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(req).await?;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        seen(&chunk[..n]);
    }
}
