//! Test support: a real Registry v2 (`/usr/bin/docker-registry`, distribution 2.8) on a loopback
//! port with temporary storage, in three flavours (open, htpasswd, token), plus a small token
//! server, the engine connection and tiny fake servers for failure modes only.
#![allow(dead_code)]

pub mod engine;
pub mod fake;
pub mod token;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use token::TokenServer;

/// The registry binary from Debian's `docker-registry` package.
pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// How the registry authenticates.
pub enum AuthMode<'a> {
    /// No authentication.
    Open,
    /// htpasswd (bcrypt) with one user.
    Htpasswd { user: &'a str, password: &'a str },
    /// Bearer tokens from this token server.
    Token(&'a TokenServer),
}

/// A running `docker-registry`, killed on drop.
pub struct Registry {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// The storage root (shareable with another registry).
    pub storage: PathBuf,
    /// The CA that signed a TLS registry's certificate.
    pub tls_ca: Option<PathBuf>,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry with its own fresh storage.
    pub fn start(mode: AuthMode<'_>) -> Self {
        Self::start_with_storage(mode, None)
    }

    /// Starts a registry serving HTTPS with a fresh self-signed certificate for 127.0.0.1
    /// (see [`Registry::tls_cert`]).
    pub fn start_tls(mode: AuthMode<'_>) -> Self {
        Self::start_full(mode, None, true)
    }

    /// Starts a registry; with `storage`, it serves that existing storage root.
    pub fn start_with_storage(mode: AuthMode<'_>, storage: Option<&Path>) -> Self {
        Self::start_full(mode, storage, false)
    }

    fn start_full(mode: AuthMode<'_>, storage: Option<&Path>, tls: bool) -> Self {
        assert!(
            Path::new(REGISTRY_BIN).exists(),
            "{REGISTRY_BIN} is missing: apt-get install docker-registry"
        );
        let mut dir = tempfile::tempdir().expect("temp dir");
        let storage = storage.map_or_else(|| dir.path().join("storage"), Path::to_path_buf);
        std::fs::create_dir_all(&storage).expect("storage dir");
        let auth = match mode {
            AuthMode::Open => String::new(),
            AuthMode::Htpasswd { user, password } => {
                let out = Command::new("htpasswd")
                    .args(["-Bbn", user, password])
                    .output()
                    .expect("run htpasswd (apache2-utils)");
                assert!(out.status.success(), "htpasswd failed");
                let file = dir.path().join("htpasswd");
                std::fs::write(&file, &out.stdout).expect("write htpasswd");
                format!(
                    "auth:\n  htpasswd:\n    realm: dockhand-test\n    path: {}\n",
                    file.display()
                )
            }
            AuthMode::Token(ts) => format!(
                "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                ts.realm,
                ts.service,
                ts.issuer,
                ts.cert_path.display()
            ),
        };
        let tls_cert = tls.then(|| make_tls_cert(dir.path()));
        let tls_config = tls_cert.as_ref().map_or(String::new(), |(_, cert, key)| {
            format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            )
        });
        let tls_ca = tls_cert.as_ref().map(|(ca, _, _)| ca.clone());
        // Another process may grab the free port before the registry binds it: retry.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let addr = format!("127.0.0.1:{}", free_port());
            let config = format!(
                "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: {addr}\n{tls_config}{auth}",
                storage.display()
            );
            let config_path = dir.path().join("config.yml");
            std::fs::write(&config_path, config).expect("write config.yml");
            let log = std::fs::File::create(dir.path().join("registry.log")).expect("log file");
            let child = Command::new(REGISTRY_BIN)
                .arg("serve")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log clone"))
                .stderr(log)
                .spawn()
                .expect("start docker-registry");
            let mut reg = Self {
                child,
                addr,
                storage: storage.clone(),
                tls_ca: tls_ca.clone(),
                dir,
            };
            match reg.wait_ready() {
                Ok(()) => return reg,
                Err(e) if attempt < 3 && e.contains("address already in use") => {
                    dir = std::mem::replace(&mut reg.dir, tempfile::tempdir().expect("temp dir"));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("docker-registry exited ({status}): {}", self.log()));
            }
            // A TLS registry answers a plain-HTTP probe with 400: it is up.
            if let Some(200 | 401 | 400) = http_status(&self.addr, "/v2/") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "docker-registry did not answer on {}: {}",
            self.addr,
            self.log()
        ))
    }

    /// The registry's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Size of a blob as stored on disk by the filesystem driver.
    pub fn stored_blob_size(&self, hex: &str) -> u64 {
        let path = self
            .storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data");
        std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("blob {} not in storage: {e}", path.display()))
            .len()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(args: &[&str], dir: &Path) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?} failed");
}

/// A test CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key).
fn make_tls_cert(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=dockhand-test-ca",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
        dir,
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "tls.key",
            "-out",
            "tls.csr",
        ],
        dir,
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext.cnf");
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "tls.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "tls.crt",
        ],
        dir,
    );
    (dir.join("ca.crt"), dir.join("tls.crt"), dir.join("tls.key"))
}

/// The status code of `GET path` on `addr`, by hand (no client under test involved).
pub fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let line = String::from_utf8_lossy(&buf[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// True when the engine must be there (`DOCKHAND_REQUIRE_ENGINE=1`).
pub fn engine_required() -> bool {
    std::env::var("DOCKHAND_REQUIRE_ENGINE").is_ok_and(|v| v == "1")
}
