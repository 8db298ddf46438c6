//! The clients of the engines that are connected right now, by endpoint URL.
//!
//! Every engine worker registers its client while it is connected, so code that needs a client
//! outside the worker (an exec session on the terminal, copying an image between engines) uses
//! the same, already negotiated connection instead of resolving and connecting a second time.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use bollard::Docker;

type Table = HashMap<String, Vec<(u64, Docker)>>;

fn table() -> &'static Mutex<Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Keeps a client registered until dropped.
#[derive(Debug)]
pub struct Registration {
    endpoint: String,
    token: u64,
}

/// Registers `docker` as the live client of `endpoint` until the returned guard is dropped.
pub fn register(endpoint: &str, docker: Docker) -> Registration {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let token = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut t) = table().lock() {
        t.entry(endpoint.to_string())
            .or_default()
            .push((token, docker));
    }
    Registration {
        endpoint: endpoint.to_string(),
        token,
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut t) = table().lock()
            && let Some(list) = t.get_mut(&self.endpoint)
        {
            list.retain(|(token, _)| *token != self.token);
            if list.is_empty() {
                t.remove(&self.endpoint);
            }
        }
    }
}

/// The live client of `endpoint`, if a worker is connected to it.
pub fn client(endpoint: &str) -> Option<Docker> {
    let t = table().lock().ok()?;
    t.get(endpoint)?.last().map(|(_, d)| d.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_until_dropped() {
        let ep = "unix:///tmp/dockhand-live-test.sock";
        let docker =
            Docker::connect_with_http("http://127.0.0.1:9", 1, bollard::API_DEFAULT_VERSION)
                .expect("client");
        assert!(client(ep).is_none());
        let a = register(ep, docker.clone());
        let b = register(ep, docker);
        assert!(client(ep).is_some());
        drop(a);
        assert!(client(ep).is_some(), "the second registration still holds");
        drop(b);
        assert!(client(ep).is_none());
    }
}
