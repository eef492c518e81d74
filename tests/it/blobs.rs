//! Files in a shared store (issue 16): with `blob_store = "database"` every stored file is in the database,
//! so a second instance with its own, empty data folder serves what the first stored; `files migrate`
//! copies a folder store into the database once; a large file goes in and out in chunks.

use std::io::Write;

use futures_util::TryStreamExt;
use mwscup::blobs::BlobStore;
use mwscup::config::{BlobBackend, Settings};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};

use crate::cli::mwscup;
use crate::helpers::{Fixture, PASSWORD, TestApp, start_with};
use crate::{both, both_with};

both_with!(database_store; attachments_and_uploads_are_shared_by_instances);
both!(files_migrate_copies_the_folder_once, a_large_file_goes_in_and_out_in_chunks);

fn database_store(s: &mut Settings) {
    s.blob_store = BlobBackend::Database;
}

fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Another instance on the same database, with a data folder of its own (empty).
async fn second_instance(app: &TestApp) -> TestApp {
    let fixture =
        Fixture { url: app.fixture.url.clone(), dir: tempfile::tempdir().unwrap(), backend: app.fixture.backend };
    start_with(fixture, database_store).await
}

/// A member of a team of `cup` who agreed to the FFRI dataset's terms, logged in on `app`.
async fn agreed_player(app: &TestApp, name: &str) -> crate::helpers::Browser {
    let mut b = app.browser();
    b.register(name).await;
    b.create_team("cup", &format!("Team {name}")).await;
    b.post("/datasets/ffri/agree", &[]).await.assert_contains("You agreed to the terms");
    b
}

async fn download(b: &crate::helpers::Browser, app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = b.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

async fn attachments_and_uploads_are_shared_by_instances(app: TestApp) {
    let source = crate::files::load(&app, crate::classification::source_with_classification("")).await;
    assert!(!app.fixture.data_dir().join("files").exists(), "nothing is stored in the data folder");
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let sha = sha256_of(&content);
    let path = format!("/files/{sha}/sysmon.txt");

    let alice = agreed_player(&app, "alice").await;
    let (headers, body) = download(&alice, &app, &path).await;
    assert_eq!(body, content, "byte for byte");
    assert_eq!(sha256_of(&body), sha);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment") && disposition.contains("sysmon.txt"), "{disposition}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["cache-control"], "private, no-cache");
    assert_eq!(headers["content-length"], content.len().to_string().as_str());
    // A digest that is not stored: nothing, as from the folder.
    assert_eq!(
        alice.client.get(app.url(&format!("/files/{}/sysmon.txt", "0".repeat(64)))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // A prediction file uploaded to the first instance.
    let token = app.token_named("alice").await;
    let omega = crate::classification::omega_id(&app, &token).await;
    let csv = crate::classification::predictions(&["a", "b"]);
    let (status, _) = crate::classification::upload_api(&app, &token, omega, &csv).await;
    assert_eq!(status, StatusCode::OK);
    let upload = entity::predictions::Entity::find().one(&app.db).await.unwrap().unwrap();

    // The second instance, whose data folder is empty, has it all.
    let other = second_instance(&app).await;
    let mut bob = other.browser();
    bob.login("alice", PASSWORD).await;
    let (_, body) = download(&bob, &other, &path).await;
    assert_eq!(body, content, "the same attachment from the other instance");
    assert_eq!(other.blobs.read_to_bytes(&upload.sha256).await.unwrap(), Some(csv.as_bytes().to_vec()));
    let sealed = entity::classifications::Entity::find().one(&other.db).await.unwrap().unwrap().sealed_sha256;
    assert!(other.blobs.exists(&sealed).await.unwrap(), "the sealed table too");
    assert!(!other.fixture.data_dir().join("files").exists());
}

async fn files_migrate_copies_the_folder_once(app: TestApp) {
    // Stored in the folder (the default), then copied into the database.
    let source = crate::files::load_cup(&app).await;
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let stored = mwscup::blobs::folder_digests(&app.fixture.data_dir()).unwrap();
    assert!(!stored.is_empty());
    let run = || {
        let out = mwscup(&app.fixture).args(["files", "migrate", "--to", "database"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    assert!(first.contains(&format!("copied {} files", stored.len())), "{first}");
    let second = run();
    assert!(second.contains(&format!("nothing to copy: all {} files", stored.len())), "{second}");
    let database = BlobStore::database(app.db.clone());
    for sha in &stored {
        assert!(database.exists(sha).await.unwrap(), "{sha}");
    }

    // An instance with the database store and an empty data folder serves the attachment.
    let other = second_instance(&app).await;
    let alice = agreed_player(&other, "alice").await;
    let (_, body) = download(&alice, &other, &format!("/files/{}/sysmon.txt", sha256_of(&content))).await;
    assert_eq!(body, content);
}

/// Writes `size` pseudo-random bytes to a file, returning their SHA-256.
fn random_file(path: &std::path::Path, size: usize) -> String {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut hasher = Sha256::new();
    let mut block = [0u8; 64 * 1024];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..size / block.len() {
        for b in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b.copy_from_slice(&state.to_le_bytes());
        }
        hasher.update(block);
        out.write_all(&block).unwrap();
    }
    out.flush().unwrap();
    hex::encode(hasher.finalize())
}

/// Streams a stored file, returning its SHA-256 and size.
async fn digest_of(store: &BlobStore, sha: &str) -> (String, u64) {
    let opened = store.open(sha).await.unwrap().expect("stored");
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut content = opened.content;
    while let Some(chunk) = content.try_next().await.unwrap() {
        assert!(chunk.len() <= mwscup::blobs::CHUNK);
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    assert_eq!(size, opened.size);
    (hex::encode(hasher.finalize()), size)
}

async fn a_large_file_goes_in_and_out_in_chunks(app: TestApp) {
    const SIZE: usize = 64 << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let sha = random_file(&path, SIZE);
    let store = BlobStore::database(app.db.clone());
    let stored = store.put_file(&path).await.unwrap();
    assert_eq!((stored.sha256.as_str(), stored.size, stored.written), (sha.as_str(), SIZE as u64, true));
    let (files, chunks) = mwscup::store::blobs::counts(&app.db).await.unwrap();
    assert_eq!((files, chunks), (1, 64), "64 chunks of 1 MiB");
    assert_eq!(digest_of(&store, &sha).await, (sha.clone(), SIZE as u64));
    assert!(!store.put_file(&path).await.unwrap().written, "stored once");
    let copy = dir.path().join("copy.bin");
    assert!(store.copy_to(&sha, &copy).await.unwrap());
    assert_eq!(BlobStore::digest_file(&copy).unwrap(), (sha.clone(), SIZE as u64));
    // Small files, an empty one and bytes in memory.
    let empty = store.put_bytes(Vec::new()).await.unwrap();
    assert_eq!(store.read_to_bytes(&empty.sha256).await.unwrap(), Some(Vec::new()));
    let small = store.put_bytes(b"abc".to_vec()).await.unwrap();
    assert_eq!(small.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(store.read_to_bytes(&small.sha256).await.unwrap(), Some(b"abc".to_vec()));
    assert!(store.open(&"0".repeat(64)).await.unwrap().is_none());
    assert!(store.open("../../etc/passwd").await.unwrap().is_none());
}

/// The peak resident memory of this process so far (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A 1 GiB file in and out of the database store, with the peak memory it took. Run alone:
/// `cargo test --test it -- --ignored a_gibibyte --nocapture` (PostgreSQL when MWSCUP_TEST_POSTGRES_URL is
/// set, else SQLite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes and reads 1 GiB; run by hand to measure memory"]
async fn a_gibibyte_streams_in_and_out_in_little_memory() {
    const SIZE: usize = 1 << 30;
    let backend = if std::env::var("MWSCUP_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        crate::helpers::Backend::Postgres
    } else {
        crate::helpers::Backend::Sqlite
    };
    let fixture = Fixture::new(backend).await.unwrap();
    let db = mwscup::db::connect(&fixture.url).await.unwrap();
    mwscup::db::migrate(&db).await.unwrap();
    let path = fixture.data_dir().join("big.bin");
    let sha = random_file(&path, SIZE);
    let before = peak_rss_kib();
    let store = BlobStore::database(db.clone());
    let started = std::time::Instant::now();
    let stored = store.put_file(&path).await.unwrap();
    let put = started.elapsed();
    assert_eq!(stored.sha256, sha);
    let after_put = peak_rss_kib();
    let started = std::time::Instant::now();
    assert_eq!(digest_of(&store, &sha).await, (sha, SIZE as u64));
    let read = started.elapsed();
    let after_read = peak_rss_kib();
    println!(
        "{backend:?}: 1 GiB in {put:?}, out {read:?}; peak RSS {before} KiB before, {after_put} KiB after put, {after_read} KiB after read"
    );
    assert!(after_read < before + 256 * 1024, "peak RSS grew by more than 256 MiB");
}
