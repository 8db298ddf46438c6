//! Interactive exec with a real TTY: the caller hands over the terminal (raw mode, main screen);
//! this pipes raw stdin to the exec, its output to stdout, and follows terminal resizes.
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use std::pin::Pin;

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, InspectContainerOptions, ResizeContainerTTYOptionsBuilder,
    StartContainerOptions,
};
use futures::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::error::EngineError;

/// Reads raw bytes from stdin on a thread until `stop` is set, polling so it never keeps a
/// keystroke after the exec ended.
fn stdin_pump(
    stop: Arc<AtomicBool>,
    tx: mpsc::UnboundedSender<Vec<u8>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::SeqCst) {
            let mut fds = libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: `fds` is a valid pollfd for the duration of the call and nfds is 1.
            let ready = unsafe { libc::poll(&mut fds, 1, 100) };
            if ready <= 0 || fds.revents & libc::POLLIN == 0 {
                if ready < 0 || fds.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                    return;
                }
                continue;
            }
            // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
            let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
            let Ok(n) = usize::try_from(n) else { return };
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                return;
            }
        }
    })
}

/// Runs `cmd` in container `id` with a TTY attached to this process's terminal, until it exits.
/// Returns the exec's exit code when the engine reports one.
pub async fn interactive(
    docker: &Docker,
    id: &str,
    cmd: &[String],
) -> Result<Option<i64>, EngineError> {
    let exec = docker
        .create_exec(
            id,
            CreateExecOptions {
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(true),
                cmd: Some(cmd.to_vec()),
                env: Some(vec!["TERM=xterm-256color".to_string()]),
                ..Default::default()
            },
        )
        .await?;
    let start = StartExecOptions {
        detach: false,
        tty: true,
        output_capacity: None,
    };
    let StartExecResults::Attached { output, input } =
        docker.start_exec(&exec.id, Some(start)).await?
    else {
        return Err(EngineError::Invalid("the engine detached the exec".into()));
    };
    pipe(docker, Resize::Exec(&exec.id), output, input).await?;
    let code = docker
        .inspect_exec(&exec.id)
        .await
        .ok()
        .and_then(|i| i.exit_code);
    Ok(code)
}

/// What a terminal resize applies to.
enum Resize<'a> {
    /// An exec, by ID.
    Exec(&'a str),
    /// A container's own TTY, by ID.
    Container(&'a str),
}

impl Resize<'_> {
    async fn apply(&self, docker: &Docker, (width, height): (u16, u16)) {
        let _ = match self {
            Resize::Exec(id) => {
                docker
                    .resize_exec(id, ResizeExecOptions { width, height })
                    .await
            }
            Resize::Container(id) => {
                let opts = ResizeContainerTTYOptionsBuilder::default()
                    .w(i32::from(width))
                    .h(i32::from(height))
                    .build();
                docker.resize_container_tty(id, opts).await
            }
        };
    }
}

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Input = Pin<Box<dyn AsyncWrite + Send>>;

/// Pipes raw stdin to `input` and `output` to stdout until the output ends, following terminal
/// resizes.
async fn pipe(
    docker: &Docker,
    resize: Resize<'_>,
    mut output: Output,
    mut input: Input,
) -> Result<(), EngineError> {
    let mut size = crossterm::terminal::size().unwrap_or((80, 24));
    resize.apply(docker, size).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let pump = stdin_pump(stop.clone(), tx);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut stdout = std::io::stdout();
    let result = loop {
        tokio::select! {
            item = output.next() => match item {
                Some(Ok(out)) => {
                    let bytes = out.into_bytes();
                    if stdout.write_all(&bytes).and_then(|()| stdout.flush()).is_err() {
                        break Ok(());
                    }
                }
                Some(Err(e)) => break Err(EngineError::from(e)),
                None => break Ok(()),
            },
            Some(bytes) = rx.recv() => {
                if input.write_all(&bytes).await.is_err() {
                    break Ok(());
                }
                let _ = input.flush().await;
            }
            _ = tick.tick() => {
                let now = crossterm::terminal::size().unwrap_or(size);
                if now != size {
                    size = now;
                    resize.apply(docker, size).await;
                }
            }
        }
    };
    stop.store(true, Ordering::SeqCst);
    drop(rx);
    let _ = tokio::task::spawn_blocking(move || pump.join()).await;
    result
}

/// `docker run -it`'s second half: attaches this terminal to a created container's TTY, starts
/// it, and pipes until its process exits. Returns its exit code when the engine still has it
/// (not after `--rm` removed the container).
pub async fn attach_and_start(docker: &Docker, id: &str) -> Result<Option<i64>, EngineError> {
    let opts = AttachContainerOptionsBuilder::default()
        .stream(true)
        .stdin(true)
        .stdout(true)
        .stderr(true)
        .build();
    let attached = docker.attach_container(id, Some(opts)).await?;
    docker
        .start_container(id, None::<StartContainerOptions>)
        .await?;
    pipe(
        docker,
        Resize::Container(id),
        attached.output,
        attached.input,
    )
    .await?;
    let code = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .ok()
        .and_then(|c| c.state)
        .and_then(|s| s.exit_code);
    Ok(code)
}
