//! The client side of a BuildKit session: `POST /session` upgraded to HTTP/2, on which the engine
//! calls us. We serve file sync (the context and the Dockerfile), secrets, registry credentials
//! and health checks.
use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioExecutor;
use tokio::task::JoinHandle;

use super::conn::{Dial, request};
use super::filesync::{self, SyncedFiles};
use super::grpc::{self, Body};
use super::proto;
use crate::engine::EngineError;
use crate::engine::build::{BuildSecret, SecretSource};

const HEALTH: &str = "/grpc.health.v1.Health/Check";
const DIFF_COPY: &str = "/moby.filesync.v1.FileSync/DiffCopy";
const SECRET: &str = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
const CREDENTIALS: &str = "/moby.filesync.v1.Auth/Credentials";

/// Largest secret served (BuildKit's own limit).
const MAX_SECRET: u64 = 500 * 1024;

/// What a session serves.
#[derive(Debug)]
pub struct SessionConfig {
    /// Session id (the build refers to it).
    pub id: String,
    /// Key under which the engine keeps its copy of our files between builds.
    pub shared_key: String,
    /// Display name (the context directory's name).
    pub name: String,
    /// Directories by the names the frontend asks for (`context`, `dockerfile`).
    pub dirs: HashMap<String, PathBuf>,
    /// `.dockerignore` patterns of the context.
    pub ignore: Vec<String>,
    /// Secrets by id.
    pub secrets: Vec<BuildSecret>,
    /// What the context syncs sent (BuildKit asks for the paths its COPY/ADD steps read), for
    /// the cache explanation.
    pub synced: Arc<Mutex<SyncedFiles>>,
}

/// A running session; ends when dropped.
pub struct Session {
    task: JoinHandle<()>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Opens the session and serves it in the background.
pub async fn open(dial: &Dial, cfg: Arc<SessionConfig>) -> Result<Session, EngineError> {
    let mut builder = request("POST", "/session")
        .header("Connection", "Upgrade")
        .header("Upgrade", "h2c")
        .header("X-Docker-Expose-Session-Uuid", &cfg.id)
        .header("X-Docker-Expose-Session-Name", &cfg.name)
        .header("X-Docker-Expose-Session-Sharedkey", &cfg.shared_key);
    for method in [HEALTH, DIFF_COPY, SECRET, CREDENTIALS] {
        builder = builder.header("X-Docker-Expose-Session-Grpc-Method", method);
    }
    let req = builder
        .body(Full::new(Bytes::new()))
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let res = dial.send(req).await?;
    if res.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Err(EngineError::Api {
            status: res.status().as_u16(),
            message: format!("the engine refused a build session ({})", res.status()),
        });
    }
    let upgraded = hyper::upgrade::on(res)
        .await
        .map_err(|e| EngineError::Connection(format!("build session: {e}")))?;
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let cfg = cfg.clone();
        async move { Ok::<_, Infallible>(route(cfg, req).await) }
    });
    let task = tokio::spawn(async move {
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .serve_connection(upgraded, service)
            .await;
    });
    Ok(Session { task })
}

async fn route(cfg: Arc<SessionConfig>, req: Request<Incoming>) -> Response<Body> {
    match req.uri().path() {
        HEALTH => grpc::unary(Ok(grpc::frame(&proto::HealthCheckResponse { status: 1 }))),
        SECRET => {
            let mut reader = grpc::Reader::new(req.into_body());
            let reply = match reader.next::<proto::GetSecretRequest>().await {
                Ok(Some(ask)) => secret(&cfg.secrets, &ask.id),
                Ok(None) => Err((grpc::INTERNAL, "no request".into())),
                Err(e) => Err((grpc::INTERNAL, e)),
            };
            grpc::unary(reply.map(|data| grpc::frame(&proto::GetSecretResponse { data })))
        }
        CREDENTIALS => {
            let mut reader = grpc::Reader::new(req.into_body());
            let host = match reader.next::<proto::CredentialsRequest>().await {
                Ok(Some(ask)) => ask.host,
                _ => String::new(),
            };
            grpc::unary(Ok(grpc::frame(&credentials(&host).await)))
        }
        DIFF_COPY => diff_copy(cfg, req),
        _ => grpc::unary(Err((grpc::UNIMPLEMENTED, "not served by dockhand".into()))),
    }
}

/// Reads a secret's value at the moment the build asks for it.
fn secret(secrets: &[BuildSecret], id: &str) -> Result<Vec<u8>, (u32, String)> {
    let Some(s) = secrets.iter().find(|s| s.id == id) else {
        return Err((grpc::NOT_FOUND, format!("secret {id} not found")));
    };
    match &s.source {
        SecretSource::Env(var) => std::env::var_os(var)
            .map(|v| v.into_encoded_bytes())
            .ok_or_else(|| (grpc::NOT_FOUND, format!("secret {id}: ${var} is not set"))),
        SecretSource::File(path) => {
            let len = std::fs::metadata(path)
                .map_err(|e| (grpc::NOT_FOUND, format!("secret {id}: {e}")))?
                .len();
            if len > MAX_SECRET {
                return Err((grpc::INTERNAL, format!("secret {id} is over 500 KiB")));
            }
            std::fs::read(path).map_err(|e| (grpc::NOT_FOUND, format!("secret {id}: {e}")))
        }
    }
}

/// The saved login for `host`, as the Docker CLI's session answers it (empty when none).
async fn credentials(host: &str) -> proto::CredentialsResponse {
    let host = if host == "registry-1.docker.io" {
        "docker.io"
    } else {
        host
    };
    let saved = match crate::registry::credentials::DockerConfig::load_default() {
        Ok(config) => config.get(host).await.ok().flatten(),
        Err(_) => None,
    };
    match saved {
        Some(c) => match (&c.identity_token, &c.password) {
            (Some(token), _) if !token.is_empty() => proto::CredentialsResponse {
                username: String::new(),
                secret: token.expose().to_string(),
            },
            (_, password) => proto::CredentialsResponse {
                username: c.username.clone(),
                secret: password
                    .as_ref()
                    .map(|p| p.expose().to_string())
                    .unwrap_or_default(),
            },
        },
        None => proto::CredentialsResponse::default(),
    }
}

fn header_values(req: &Request<Incoming>, name: &str) -> Vec<String> {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn diff_copy(cfg: Arc<SessionConfig>, req: Request<Incoming>) -> Response<Body> {
    let dir_name = header_values(&req, "dir-name").into_iter().next();
    let Some(dir) = dir_name.as_ref().and_then(|d| cfg.dirs.get(d)).cloned() else {
        return grpc::unary(Err((
            grpc::NOT_FOUND,
            format!("no directory {dir_name:?} in this session"),
        )));
    };
    let mut excludes = header_values(&req, "exclude-patterns");
    let is_context = dir_name.as_deref() == Some("context");
    if is_context {
        excludes.extend(cfg.ignore.iter().cloned());
    }
    let spec = filesync::SyncSpec {
        dir,
        includes: header_values(&req, "include-patterns"),
        excludes,
        follow: header_values(&req, "followpaths"),
        reset_owner: is_context,
    };
    let record = is_context.then(|| cfg.synced.clone());
    let (tx, res) = grpc::streaming();
    let reader = grpc::Reader::new(req.into_body());
    tokio::spawn(async move {
        let result = filesync::send(spec, reader, tx.clone(), record).await;
        let (code, message) = match result {
            Ok(()) => (grpc::OK, String::new()),
            Err(e) => (grpc::INTERNAL, e),
        };
        let _ = tx
            .send(hyper::body::Frame::trailers(grpc::trailers(code, &message)))
            .await;
    });
    res
}
