//! `ssh://[user@]host[:port][/socket]` endpoints, reached the way the Docker CLI reaches them.
//!
//! Every HTTP connection is one run of the system `ssh` client (so `~/.ssh/config`, agents and
//! `known_hosts` apply) executing `docker system dial-stdio` on the far side; HTTP is spoken over
//! its stdin and stdout. The connections share one login (OpenSSH connection sharing, see
//! [`super::ssh_master`]), so only the first pays for the key exchange. A hyper client pools
//! them, so consecutive requests reuse a warm one, and streams (events, logs, exports, builds)
//! and hijacked exec sessions each get their own. The first connection starts a spare session
//! beside it, and a new connection is handed to the pool only once it answers `/_ping`, so a
//! request goes to whichever is ready first: a freed warm session or the new one.
//!
//! bollard's own `ssh` feature is not used: it drives an OpenSSH control master per connection
//! through the `openssh` crate and cannot reach a socket path on the far side.
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::Uri;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::task::JoinHandle;

use super::ssh_master::Master;

/// How long an unused connection (one `ssh` process) is kept for the next request.
const IDLE: Duration = Duration::from_secs(60);
/// Sessions started beside the first one: the event stream holds a connection for good, and
/// the first listing should not then wait for a new session to start on the far side.
const SPARES: usize = 1;
/// The tail of `ssh`'s stderr kept for error messages.
const STDERR_KEEP: usize = 4096;

/// Where an `ssh://` endpoint points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// Login name, when given.
    pub user: Option<String>,
    /// Host name or address (as `ssh` takes it: an alias from `~/.ssh/config` works).
    pub host: String,
    /// Port, when given.
    pub port: Option<u16>,
    /// Engine socket on the far side, when the URL has a path.
    pub socket: Option<String>,
}

impl SshTarget {
    /// Parses `ssh://[user@]host[:port][/path]` like the Docker CLI (no password, no query).
    pub fn parse(url: &str) -> Result<SshTarget, String> {
        let rest = url
            .strip_prefix("ssh://")
            .ok_or_else(|| format!("{url} is not an ssh:// URL"))?;
        if rest.contains(['?', '#']) {
            return Err(format!("{url}: extra query or fragment after the host"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((user, _)) if user.contains(':') => {
                return Err(format!("{url}: a password in the URL is not supported"));
            }
            Some((user, hp)) if !user.is_empty() => (Some(user.to_string()), hp),
            Some((_, hp)) => (None, hp),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport).map_err(|e| format!("{url}: {e}"))?;
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        let socket = (!path.is_empty() && path != "/").then(|| path.to_string());
        Ok(SshTarget {
            user,
            host,
            port,
            socket,
        })
    }

    /// Options and login of every `ssh` command for this target.
    fn login_args(&self) -> Vec<String> {
        // BatchMode: no password or host-key prompt can take over the terminal under the TUI.
        let mut args: Vec<String> = ["-o", "ConnectTimeout=30", "-o", "BatchMode=yes"]
            .into_iter()
            .map(String::from)
            .collect();
        if let Some(user) = &self.user {
            args.extend(["-l".to_string(), user.clone()]);
        }
        if let Some(port) = self.port {
            args.extend(["-p".to_string(), port.to_string()]);
        }
        args
    }

    /// The `ssh` command line (without `ssh`) holding the shared login on control `socket`.
    pub fn master_args(&self, socket: &Path) -> Vec<String> {
        let mut args = self.login_args();
        args.extend([
            "-M".to_string(),
            "-S".to_string(),
            socket.display().to_string(),
        ]);
        args.extend(["-o", "ControlPersist=no", "-N", "--"].map(String::from));
        args.push(self.host.clone());
        args
    }

    /// The `ssh` command line (without `ssh`) of one connection to the engine: through the
    /// shared login on `socket` when given (ssh connects by itself when that login is gone).
    pub fn ssh_args(&self, socket: Option<&Path>) -> Vec<String> {
        let mut args = self.login_args();
        if let Some(socket) = socket {
            args.extend(["-S".to_string(), socket.display().to_string()]);
            args.extend(["-o", "ControlMaster=no"].map(String::from));
        }
        args.extend(["-T", "--"].map(String::from));
        args.extend([self.host.clone(), "docker".to_string()]);
        if let Some(socket) = &self.socket {
            args.extend(["--host".to_string(), format!("unix://{socket}")]);
        }
        args.extend(["system".to_string(), "dial-stdio".to_string()]);
        args
    }
}

fn split_host_port(s: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed '[' in the host")?;
        (host, after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (s, None),
        }
    };
    let port = port
        .map(|p| p.parse::<u16>().map_err(|_| format!("bad port {p:?}")))
        .transpose()?;
    Ok((host.to_string(), port))
}

/// One `ssh … docker system dial-stdio` process as a byte stream.
struct SshPipe {
    stdout: ChildStdout,
    stdin: ChildStdin,
    /// Collects the tail of stderr; taken when stdout ends before any byte came.
    stderr: Option<JoinHandle<String>>,
    got_data: bool,
    host: Arc<str>,
    /// Killed when the connection is dropped (idle, failed or finished).
    _child: Child,
}

impl AsyncRead for SshPipe {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stdout).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.got_data = true;
            return Poll::Ready(Ok(()));
        }
        // End of stream. Before any answer it means ssh or dial-stdio failed: say why.
        if !this.got_data
            && let Some(task) = this.stderr.as_mut()
        {
            let text = ready!(Pin::new(task).poll(cx)).unwrap_or_default();
            this.stderr = None;
            return Poll::Ready(Err(io::Error::other(failure(&this.host, &text))));
        }
        Poll::Ready(Ok(()))
    }
}

/// The message for an ssh connection that ended before the engine answered.
pub(super) fn failure(host: &str, stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .map(|l| crate::util::sanitize::sanitize(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        format!("ssh to {host} ended before the engine answered")
    } else {
        format!("ssh to {host}: {}", lines.join("; "))
    }
}

impl AsyncWrite for SshPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stdin).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_shutdown(cx)
    }
}

/// A connection as hyper sees it.
pub struct SshStream(TokioIo<SshPipe>);

impl hyper::rt::Read for SshStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for SshStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl Connection for SshStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// Sessions started ahead of need, handed out before new ones are spawned.
#[derive(Default)]
struct Spares {
    streams: Mutex<Vec<SshStream>>,
}

impl Spares {
    /// A spare session whose `ssh` is still running.
    fn take(&self) -> Option<SshStream> {
        let mut streams = self.streams.lock().ok()?;
        while let Some(mut stream) = streams.pop() {
            if matches!(stream.0.inner_mut()._child.try_wait(), Ok(None)) {
                return Some(stream);
            }
        }
        None
    }

    /// Starts the spares; those still unused after [`IDLE`] are ended, like idle pooled
    /// connections.
    fn fill(self: &Arc<Self>, target: &SshTarget, socket: Option<&Path>) {
        let fresh: Vec<SshStream> = (0..SPARES)
            .filter_map(|_| spawn(target, socket).ok())
            .collect();
        if let Ok(mut streams) = self.streams.lock() {
            streams.extend(fresh);
        }
        let spares: Weak<Spares> = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep(IDLE).await;
            if let Some(spares) = spares.upgrade()
                && let Ok(mut streams) = spares.streams.lock()
            {
                streams.clear();
            }
        });
    }
}

/// Opens connections by running `ssh`.
#[derive(Clone)]
pub struct SshConnector {
    target: Arc<SshTarget>,
    /// The shared login, when a private directory for its socket could be made.
    master: Option<Arc<Master>>,
    /// Whether a connection was opened before (every later one is probed, see [`ready`]).
    opened: Arc<AtomicBool>,
    spares: Arc<Spares>,
}

type ConnectFuture = Pin<Box<dyn Future<Output = io::Result<SshStream>> + Send>>;

impl tower_service::Service<Uri> for SshConnector {
    type Response = SshStream;
    type Error = io::Error;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> ConnectFuture {
        let (target, master) = (self.target.clone(), self.master.clone());
        let probe = self.opened.swap(true, Ordering::SeqCst);
        let spares = self.spares.clone();
        Box::pin(async move {
            if let Some(master) = &master {
                master.ensure(&target).await.map_err(io::Error::other)?;
            }
            let socket = master.as_deref().map(Master::socket);
            if !probe {
                let stream = spawn(&target, socket)?;
                spares.fill(&target, socket);
                return Ok(stream);
            }
            let mut stream = match spares.take() {
                Some(stream) => stream,
                None => spawn(&target, socket)?,
            };
            ready(&mut stream.0).await?;
            Ok(stream)
        })
    }
}

/// Waits until a new session answers `/_ping`. Until then the pool may still hand the request
/// to a connection that becomes free sooner: a warm session answers in a round trip, a new one
/// only once the far side's `docker` has started. The first connection is not probed, as no
/// other could serve its request.
async fn ready(pipe: &mut TokioIo<SshPipe>) -> io::Result<()> {
    let pipe = pipe.inner_mut();
    pipe.write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        .await?;
    let mut got = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    loop {
        let n = pipe.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the ssh session closed during its /_ping",
            ));
        }
        got.extend_from_slice(&buf[..n]);
        if let Some(complete) = ping_complete(&got) {
            return complete;
        }
        if got.len() > 16 * 1024 {
            return Err(io::Error::other("no end to the engine's /_ping answer"));
        }
    }
}

/// Whether `got` holds a whole `/_ping` answer (headers and a `Content-Length` body): None
/// while more must be read, an error for anything but a 200.
fn ping_complete(got: &[u8]) -> Option<io::Result<()>> {
    let end = got.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&got[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let length = head
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let Some(length) = length else {
        return Some(Err(io::Error::other(format!(
            "the engine's /_ping answer ({status}) has no length"
        ))));
    };
    if got.len() < end + length {
        return None;
    }
    Some(if status == "200" {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "the engine answered /_ping with {status}"
        )))
    })
}

fn spawn(target: &SshTarget, socket: Option<&Path>) -> io::Result<SshStream> {
    let mut cmd = tokio::process::Command::new("ssh");
    cmd.args(target.ssh_args(socket))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group: a Ctrl-C typed into an exec session is not ssh's to act on.
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run ssh: {e}")))?;
    let (Some(stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(io::Error::other("ssh started without its pipes"));
    };
    let collect = tokio::spawn(async move {
        let mut tail = Vec::new();
        let mut buf = [0u8; 1024];
        while let Ok(n) = stderr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > STDERR_KEEP {
                tail.drain(..tail.len() - STDERR_KEEP);
            }
        }
        String::from_utf8_lossy(&tail).into_owned()
    });
    Ok(SshStream(TokioIo::new(SshPipe {
        stdout,
        stdin,
        stderr: Some(collect),
        got_data: false,
        host: target.host.as_str().into(),
        _child: child,
    })))
}

/// The body type of bollard's requests.
trait HasBody {
    type Body;
}

impl<B> HasBody for http::Request<B> {
    type Body = B;
}

type Body = <BollardRequest as HasBody>::Body;

/// A pool of ssh connections to one engine; clones share the pool.
#[derive(Clone)]
pub struct SshTransport {
    client: Client<SshConnector, Body>,
}

impl SshTransport {
    /// A transport for `target`; nothing runs until the first request.
    pub fn new(target: SshTarget) -> SshTransport {
        let connector = SshConnector {
            target: Arc::new(target),
            master: Master::new().ok().map(Arc::new),
            opened: Arc::default(),
            spares: Arc::default(),
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE)
            // Without a timer idle connections are only dropped when the pool is next used.
            .pool_timer(TokioTimer::new())
            .build(connector);
        SshTransport { client }
    }

    /// A bollard client speaking API `version` over this transport.
    pub fn docker(&self, timeout_secs: u64, version: &ClientVersion) -> Result<Docker, String> {
        let client = self.client.clone();
        Docker::connect_with_custom_transport(
            move |req: BollardRequest| {
                let client = client.clone();
                async move { client.request(req).await.map_err(request_error) }
            },
            Some("http://docker"),
            timeout_secs,
            version,
        )
        .map_err(|e| e.to_string())
    }
}

/// hyper's error with its causes (the ssh failure is the innermost one).
fn request_error(e: hyper_util::client::legacy::Error) -> bollard::errors::Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    bollard::errors::Error::IOError {
        err: io::Error::other(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_docker_cli() {
        let t = SshTarget::parse("ssh://me@example.org:2222").unwrap();
        assert_eq!(t.user.as_deref(), Some("me"));
        assert_eq!(t.host, "example.org");
        assert_eq!(t.port, Some(2222));
        assert_eq!(t.socket, None);
        let t = SshTarget::parse("ssh://box").unwrap();
        assert_eq!((t.user, t.host.as_str(), t.port), (None, "box", None));
        let t = SshTarget::parse("ssh://root@[::1]:22/run/user/1000/docker.sock").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(t.port, Some(22));
        assert_eq!(t.socket.as_deref(), Some("/run/user/1000/docker.sock"));
        assert_eq!(SshTarget::parse("ssh://h/").unwrap().socket, None);
    }

    #[test]
    fn refuses_what_the_cli_refuses() {
        assert!(
            SshTarget::parse("ssh://me:pw@h")
                .unwrap_err()
                .contains("password")
        );
        assert!(SshTarget::parse("ssh://h?x=1").is_err());
        assert!(
            SshTarget::parse("ssh://h:port")
                .unwrap_err()
                .contains("bad port")
        );
        assert!(SshTarget::parse("ssh://").is_err());
        assert!(SshTarget::parse("tcp://h").is_err());
    }

    #[test]
    fn command_line_matches_the_cli() {
        let t = SshTarget::parse("ssh://me@h:2222/var/run/alt.sock").unwrap();
        assert_eq!(
            t.ssh_args(None).join(" "),
            "-o ConnectTimeout=30 -o BatchMode=yes -l me -p 2222 -T -- h \
             docker --host unix:///var/run/alt.sock system dial-stdio"
        );
        let t = SshTarget::parse("ssh://h").unwrap();
        let socket = Path::new("/tmp/d/ctl");
        assert_eq!(
            t.ssh_args(Some(socket)).join(" "),
            "-o ConnectTimeout=30 -o BatchMode=yes -S /tmp/d/ctl -o ControlMaster=no -T -- h \
             docker system dial-stdio"
        );
        assert_eq!(
            t.master_args(socket).join(" "),
            "-o ConnectTimeout=30 -o BatchMode=yes -M -S /tmp/d/ctl -o ControlPersist=no -N -- h"
        );
    }

    #[test]
    fn a_ping_answer_is_whole_once_its_body_came() {
        let head = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\n";
        assert!(ping_complete(&head[..20]).is_none());
        assert!(ping_complete(head).is_none());
        let whole = [&head[..], b"OK"].concat();
        assert!(matches!(ping_complete(&whole), Some(Ok(()))));
        let refused = b"HTTP/1.1 500 Oops\r\ncontent-length: 0\r\n\r\n";
        assert!(matches!(ping_complete(refused), Some(Err(_))));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(matches!(ping_complete(chunked), Some(Err(_))));
    }

    #[test]
    fn failures_quote_ssh() {
        assert_eq!(
            failure("h", "Permission denied (publickey).\r\n"),
            "ssh to h: Permission denied (publickey)."
        );
        assert_eq!(
            failure("h", ""),
            "ssh to h ended before the engine answered"
        );
    }
}
