//! Password hashing, bounded. One argon2id hash takes 19 MiB and tens of milliseconds of a core, so hashes
//! run on `workers` threads of their own (one a core, by default). Callers wait in line for a worker for at
//! most `wait`, then are told the server is busy (503, try again) instead of piling up threads and memory:
//! 900 players signing in at ten o'clock ask for 900 hashes, which cost 2 × 19 MiB, not 17 GiB.
//!
//! Each worker keeps its 19 MiB (`password::Scratch`) and reuses it for every hash. Allocated and freed per
//! hash, on whichever blocking thread ran it, that memory stayed with the process after a burst: glibc keeps
//! freed blocks in the arena of the thread that freed them, and raises its mmap threshold after the first
//! such free, so 100 registrations left it at 0.9 GiB, for good. Reused, it is allocated once a worker.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::domain::password::{self, Scratch};

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

/// Work for a hashing worker, in its memory.
type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

#[derive(Debug, Clone)]
pub struct Hashing {
    /// One a worker: whoever holds one has a worker free for its job.
    permits: Arc<Semaphore>,
    wait: Duration,
    jobs: Sender<Job>,
}

impl Hashing {
    /// `workers` threads, which end when the last clone of this is dropped.
    pub fn new(workers: usize, wait: Duration) -> Self {
        let workers = workers.max(1);
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || work(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing worker");
            }
        }
        Hashing { permits: Arc::new(Semaphore::new(workers)), wait, jobs }
    }

    /// One worker a core of this machine, waiting at most [`QUEUE_WAIT`].
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from), QUEUE_WAIT)
    }

    /// The argon2id PHC string of a password.
    pub async fn hash(&self, plain: String) -> Result<String, HashingError> {
        self.turn().await?.run(move |scratch| password::hash_with(&plain, scratch)).await
    }

    /// Whether `plain` matches the stored PHC string.
    pub async fn verify(&self, plain: String, stored: String) -> Result<bool, HashingError> {
        self.turn().await?.verify(plain, stored).await
    }

    /// The hashes of many passwords (a bulk registration), one after another on a single worker, so that
    /// the others stay free for people signing in.
    pub async fn hash_all(&self, plains: Vec<String>) -> Result<Vec<String>, HashingError> {
        self.turn().await?.run(move |scratch| plains.iter().map(|p| password::hash_with(p, scratch)).collect()).await
    }

    /// Waits (at most the queue's wait) for a free worker, kept until the turn's work is done. A login takes
    /// its turn before it is counted as under way, so that a crowd signing in from one address is under way
    /// a few at a time, not all at once against the address's limit.
    pub async fn turn(&self) -> Result<Turn, HashingError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| HashingError::Busy)?
            .map_err(|_| HashingError::Busy)?;
        Ok(Turn { permit, jobs: self.jobs.clone() })
    }

    /// Workers free now (for tests and metrics).
    pub fn free(&self) -> usize {
        self.permits.available_permits()
    }
}

/// A worker's loop: the next job, in the worker's own memory, until every sender is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut scratch = Scratch::default();
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        // A job that panics loses its answer (its caller hears `Failed`), not the worker.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut scratch)));
    }
}

/// A hashing worker, held.
pub struct Turn {
    permit: OwnedSemaphorePermit,
    jobs: Sender<Job>,
}

impl Turn {
    /// Whether `plain` matches the stored PHC string.
    pub async fn verify(self, plain: String, stored: String) -> Result<bool, HashingError> {
        self.run(move |scratch| password::verify_with(&plain, &stored, scratch)).await
    }

    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, HashingError> {
        let (done, answer) = oneshot::channel();
        let permit = self.permit;
        // The permit goes with the job: a client that hangs up does not free a worker still hashing.
        let job: Job = Box::new(move |scratch| {
            let out = work(scratch);
            drop(permit);
            let _ = done.send(out);
        });
        self.jobs.send(job).map_err(|_| HashingError::Failed("the hashing workers have stopped".into()))?;
        answer.await.map_err(|_| HashingError::Failed("a hashing job ended without an answer".into()))
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
            move |_: &mut Scratch| {
                let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(300));
                running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        };
        let first = {
            let (h, r, m) = (hashing.clone(), running.clone(), most.clone());
            tokio::spawn(async move { h.turn().await?.run(slow(r, m)).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The one worker is taken for 300 ms; a second caller gives up after 50.
        assert!(matches!(hashing.turn().await, Err(HashingError::Busy)));
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
