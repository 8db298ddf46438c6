//! A small token server (distribution token-auth spec) for a real `docker-registry`.
//!
//! It checks HTTP basic credentials, grants every scope asked for, and answers with a JWT
//! signed RS256 by a key whose self-signed certificate is the registry's `rootcertbundle`
//! (the certificate travels in the JWT's `x5c` header). Keys come from the `openssl` CLI.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// The OAuth refresh token (identity token) the server accepts for its user.
pub const REFRESH_TOKEN: &str = "dh-refresh-token";

/// A running token server on loopback.
pub struct TokenServer {
    /// The token endpoint (`http://127.0.0.1:<port>/token`).
    pub realm: String,
    /// The `service` the registry is configured with.
    pub service: String,
    /// The `issuer` the registry is configured with.
    pub issuer: String,
    /// PEM certificate for the registry's `rootcertbundle`.
    pub cert_path: PathBuf,
    /// Token requests served (any outcome).
    pub requests: Arc<AtomicUsize>,
    /// Scopes asked for, in order.
    pub scopes: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    addr: String,
    _dir: tempfile::TempDir,
}

struct Shared {
    user: String,
    password: String,
    service: String,
    issuer: String,
    key_path: PathBuf,
    cert_der_b64: String,
    requests: Arc<AtomicUsize>,
    scopes: Arc<Mutex<Vec<String>>>,
}

impl TokenServer {
    /// Starts a token server accepting `user`/`password`.
    pub fn start(user: &str, password: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let key_path = dir.path().join("key.pem");
        let cert_path = dir.path().join("cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=dockhand-test-token-signer"])
            .arg("-keyout")
            .arg(&key_path)
            .arg("-out")
            .arg(&cert_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl");
        assert!(status.success(), "openssl req failed");
        let pem = std::fs::read_to_string(&cert_path).expect("read cert");
        let cert_der_b64: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind token server");
        let addr = listener.local_addr().expect("addr").to_string();
        let requests = Arc::new(AtomicUsize::new(0));
        let scopes = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            user: user.to_string(),
            password: password.to_string(),
            service: "dockhand-test-registry".to_string(),
            issuer: "dockhand-test-issuer".to_string(),
            key_path,
            cert_der_b64,
            requests: requests.clone(),
            scopes: scopes.clone(),
        });
        let stop_flag = stop.clone();
        let thread_shared = shared.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let s = thread_shared.clone();
                    std::thread::spawn(move || handle(stream, &s));
                }
            }
        });
        Self {
            realm: format!("http://{addr}/token"),
            service: shared.service.clone(),
            issuer: shared.issuer.clone(),
            cert_path,
            requests,
            scopes,
            stop,
            addr,
            _dir: dir,
        }
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
    }
}

fn handle(stream: TcpStream, s: &Shared) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut auth = None;
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("authorization: basic ") {
            let start = line.len() - v.len();
            auth = Some(line[start..].trim().to_string());
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length];
    let _ = reader.read_exact(&mut body);
    s.requests.fetch_add(1, Ordering::SeqCst);
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut scopes = Vec::new();
    let mut account = String::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "scope" => scopes.push(v),
            "account" => account = v,
            _ => {}
        }
    }
    let form = String::from_utf8_lossy(&body).into_owned();
    let post = request_line.starts_with("POST");
    if post {
        // OAuth2 refresh_token grant (what clients do with an identity token).
        let mut refresh = String::new();
        for pair in form.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "scope" => scopes.push(percent_decode(v)),
                "refresh_token" => refresh = percent_decode(v),
                _ => {}
            }
        }
        let mut out = stream;
        if refresh != REFRESH_TOKEN {
            let body = r#"{"error":"invalid_grant"}"#;
            let _ = write!(
                out,
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            return;
        }
        s.scopes
            .lock()
            .expect("scopes lock")
            .extend(scopes.iter().cloned());
        let token = sign_token(s, &scopes);
        let body = format!(r#"{{"access_token":"{token}","expires_in":300,"scope":""}}"#);
        let _ = write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let creds_ok = auth
        .and_then(|a| STANDARD.decode(a).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|t| t == format!("{}:{}", s.user, s.password));
    let mut out = stream;
    if !creds_ok {
        let body = r#"{"details":"invalid username or password"}"#;
        let _ = write!(
            out,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    s.scopes
        .lock()
        .expect("scopes lock")
        .extend(scopes.iter().cloned());
    let _ = account;
    let token = sign_token(s, &scopes);
    let body = format!(r#"{{"token":"{token}","expires_in":300}}"#);
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn sign_token(s: &Shared, scopes: &[String]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .flat_map(|scope| scope.split(' '))
        .filter_map(|scope| {
            let (kind, rest) = scope.split_once(':')?;
            let (name, actions) = rest.rsplit_once(':')?;
            Some(serde_json::json!({
                "type": kind,
                "name": name,
                "actions": actions.split(',').collect::<Vec<_>>(),
            }))
        })
        .collect();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [s.cert_der_b64]});
    let claims = serde_json::json!({
        "iss": s.issuer,
        "sub": s.user,
        "aud": s.service,
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("{now}-{}", s.requests.load(Ordering::SeqCst)),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary", "-sign"])
        .arg(&s.key_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run openssl dgst");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(signing_input.as_bytes())
        .expect("write signing input");
    let out = child.wait_with_output().expect("openssl output");
    assert!(out.status.success(), "openssl dgst -sign failed");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(out.stdout))
}
