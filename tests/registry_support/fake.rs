//! Tiny loopback HTTP servers for failure modes only (500, garbage, connection cut mid-body, a
//! catalog that never ends).
//! Everything else is tested against the real registry.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A server that answers every request with the same raw bytes, then closes.
pub struct FakeServer {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    stop: Arc<AtomicBool>,
}

impl FakeServer {
    /// Serves `response` (a complete raw HTTP response, possibly truncated on purpose).
    pub fn start(response: Vec<u8>) -> Self {
        Self::start_with(response, false)
    }

    /// Accepts connections and reads requests but never answers (for timeouts).
    pub fn silent() -> Self {
        Self::start_with(Vec::new(), true)
    }

    fn start_with(response: Vec<u8>, hang: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake server");
        let addr = listener.local_addr().expect("addr").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = conn else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                if hang {
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(30));
                        drop(s);
                    });
                    continue;
                }
                let _ = s.write_all(&response);
                let _ = s.flush();
                // Dropping the stream closes the connection, even mid-body.
            }
        });
        Self { addr, stop }
    }

    /// A full response with a status, content type and body.
    pub fn respond(status: &str, content_type: &str, body: &str) -> Self {
        Self::start(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nDocker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    /// Announces `announced` bytes but sends only `body`, then closes.
    pub fn truncated(announced: usize, body: &str) -> Self {
        Self::start(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n{body}"
            )
            .into_bytes(),
        )
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(&self.addr);
    }
}

/// A registry whose catalog never ends: every page lists `per_page` names (`r000000000`, …,
/// continuing after the `last` query parameter) and links to the next page. `/v2/` answers 200.
pub struct EndlessCatalog {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// Catalog pages served so far.
    pub pages: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl EndlessCatalog {
    /// Serves pages of `per_page` names, each after `delay`.
    pub fn start(per_page: usize, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake registry");
        let addr = listener.local_addr().expect("addr").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let pages = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (flag, count) = (stop.clone(), pages.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = conn else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let response = if path.starts_with("/v2/_catalog") {
                    count.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(delay);
                    catalog_page(&path, per_page)
                } else if path == "/v2/" {
                    http("200 OK", "", "{}")
                } else {
                    http("404 Not Found", "", "{}")
                };
                let _ = s.write_all(&response);
            }
        });
        Self { addr, pages, stop }
    }
}

fn catalog_page(path: &str, per_page: usize) -> Vec<u8> {
    let start = path
        .split_once("last=r")
        .and_then(|(_, n)| n.split('&').next()?.parse::<usize>().ok())
        .map_or(0, |n| n + 1);
    let names: Vec<String> = (start..start + per_page)
        .map(|i| format!("\"r{i:09}\""))
        .collect();
    let body = format!("{{\"repositories\":[{}]}}", names.join(","));
    let link = format!(
        "Link: </v2/_catalog?n=100&last=r{:09}>; rel=\"next\"\r\n",
        start + per_page - 1
    );
    http("200 OK", &link, &body)
}

fn http(status: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nDocker-Distribution-API-Version: registry/2.0\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl Drop for EndlessCatalog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(&self.addr);
    }
}
