//! Password hashing, bounded. One argon2id hash takes 19 MiB and tens of milliseconds of a core, so at most
//! `workers` hashes (one a core, by default) run at once, on the blocking pool. The others wait in line for at
//! most `wait`, then are told the server is busy (503, try again) instead of piling up threads and memory: 900
//! players signing in at ten o'clock ask for 900 hashes, which then cost 2 × 19 MiB at a time, not 17 GiB.
//!
//! The bound is also what keeps memory small after a burst: glibc keeps freed memory in the arena of the
//! thread that freed it, so unbounded hashing on hundreds of blocking threads left the process at 1.9 GiB;
//! with `workers` hashes at once, at most that many 19 MiB buffers are ever live.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::password;

/// How long a hash waits for a free worker before the request is answered "busy".
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashingError {
    /// Every worker stayed busy for the whole wait.
    Busy,
    /// The blocking task failed (it panicked or the runtime is shutting down).
    Failed(String),
}

impl std::fmt::Display for HashingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HashingError::Busy => write!(f, "every password worker is busy"),
            HashingError::Failed(why) => write!(f, "password hashing failed: {why}"),
        }
    }
}

impl std::error::Error for HashingError {}

#[derive(Debug, Clone)]
pub struct Hashing {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Hashing {
    pub fn new(workers: usize, wait: Duration) -> Self {
        Hashing { permits: Arc::new(Semaphore::new(workers.max(1))), wait }
    }

    /// One worker a core of this machine, waiting at most [`QUEUE_WAIT`].
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from), QUEUE_WAIT)
    }

    /// The argon2id PHC string of a password.
    pub async fn hash(&self, plain: String) -> Result<String, HashingError> {
        self.run(move || password::hash(&plain)).await
    }

    /// Whether `plain` matches the stored PHC string.
    pub async fn verify(&self, plain: String, stored: String) -> Result<bool, HashingError> {
        self.run(move || password::verify(&plain, &stored)).await
    }

    /// The hashes of many passwords (a bulk registration), one after another on a single worker, so that
    /// the others stay free for people signing in.
    pub async fn hash_all(&self, plains: Vec<String>) -> Result<Vec<String>, HashingError> {
        self.run(move || plains.iter().map(|p| password::hash(p)).collect()).await
    }

    /// Waits (at most the queue's wait) for a free worker, kept until the turn's work is done. A login takes
    /// its turn before it is counted as under way, so that a crowd signing in from one address is under way
    /// a few at a time, not all at once against the address's limit.
    pub async fn turn(&self) -> Result<Turn, HashingError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| HashingError::Busy)?
            .map_err(|_| HashingError::Busy)?;
        Ok(Turn { permit })
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashingError> {
        self.turn().await?.run(work).await
    }

    /// Workers free now (for tests and metrics).
    pub fn free(&self) -> usize {
        self.permits.available_permits()
    }
}

/// A hashing worker, held.
pub struct Turn {
    permit: OwnedSemaphorePermit,
}

impl Turn {
    /// Whether `plain` matches the stored PHC string.
    pub async fn verify(self, plain: String, stored: String) -> Result<bool, HashingError> {
        self.run(move || password::verify(&plain, &stored)).await
    }

    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashingError> {
        let permit = self.permit;
        // The worker goes with the work: a client that hangs up does not free a worker still hashing.
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| HashingError::Failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_workers_run_and_the_rest_wait_then_hear_busy() {
        let hashing = Hashing::new(1, Duration::from_millis(50));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let slow = |running: Arc<std::sync::atomic::AtomicUsize>, most: Arc<std::sync::atomic::AtomicUsize>| {
            move || {
                let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(300));
                running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        };
        let first = {
            let (h, r, m) = (hashing.clone(), running.clone(), most.clone());
            tokio::spawn(async move { h.run(slow(r, m)).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The one worker is taken for 300 ms; a second caller gives up after 50.
        assert_eq!(hashing.run(slow(running.clone(), most.clone())).await, Err(HashingError::Busy));
        assert_eq!(first.await.expect("the first hash ran"), Ok(()));
        assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(hashing.free(), 1, "the worker is free again");
    }

    #[tokio::test]
    async fn hashes_verify_through_the_workers() {
        let hashing = Hashing::new(2, QUEUE_WAIT);
        let stored = hashing.hash("correct horse battery".into()).await.expect("hashed");
        assert_eq!(hashing.verify("correct horse battery".into(), stored.clone()).await, Ok(true));
        assert_eq!(hashing.verify("correct horse batterY".into(), stored).await, Ok(false));
        let all = hashing.hash_all(vec!["one password".into(), "two password".into()]).await.expect("hashed");
        assert_eq!(all.len(), 2);
        assert!(password::verify("two password", &all[1]));
    }
}
