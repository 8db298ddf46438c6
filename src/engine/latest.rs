//! "Newest request wins", once for the whole engine: a task started under a key aborts the task
//! that key was running, so a superseded request (details of an image the cursor left, the
//! preview of a prune whose scope changed, a search typed further) never reports.
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

use tokio::task::AbortHandle;

/// Running tasks, one per key.
#[derive(Debug)]
pub struct Latest<K> {
    running: HashMap<K, AbortHandle>,
}

impl<K> Default for Latest<K> {
    fn default() -> Self {
        Latest {
            running: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Latest<K> {
    /// Runs `task` under `key`, aborting the task the key was running.
    pub fn spawn<F>(&mut self, key: K, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.stop(&key);
        let handle = tokio::spawn(task).abort_handle();
        self.running.insert(key, handle);
    }

    /// Aborts the task running under `key`, if any.
    pub fn stop(&mut self, key: &K) {
        if let Some(old) = self.running.remove(key) {
            old.abort();
        }
    }

    /// Aborts every task whose key `keep` rejects.
    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.running.retain(|k, task| {
            let kept = keep(k);
            if !kept {
                task.abort();
            }
            kept
        });
    }

    /// Whether a task runs (or ran and was not replaced) under `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.running.contains_key(key)
    }

    /// Whether the task under `key` is still running.
    pub fn is_running(&self, key: &K) -> bool {
        self.running.get(key).is_some_and(|t| !t.is_finished())
    }

    /// Aborts everything.
    pub fn abort_all(&mut self) {
        for (_, task) in self.running.drain() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_newer_task_under_the_same_key_aborts_the_older() {
        let done = Arc::new(AtomicUsize::new(0));
        let mut latest = Latest::default();
        for n in 1..=3 {
            let done = done.clone();
            latest.spawn("details", async move {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                done.fetch_add(n, Ordering::SeqCst);
            });
        }
        let other = done.clone();
        latest.spawn("plan", async move {
            other.fetch_add(100, Ordering::SeqCst);
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            done.load(Ordering::SeqCst),
            103,
            "only the newest details ran"
        );
        latest.retain(|k| *k != "plan");
        assert!(!latest.contains(&"plan") && latest.contains(&"details"));
        latest.abort_all();
        assert!(!latest.contains(&"details"));
    }
}
