//! Content-addressed file storage: every stored file (attachments, sealed tables, prediction uploads,
//! archive items, hackathon slides) is kept once under its SHA-256 (hex), behind one interface with two
//! backends, chosen by the setting `blob_store`:
//! - `folder` (the default): `<data_dir>/files/ab/abcdef…`. A file appears under its name only when complete
//!   (written to a temporary file, synced, then renamed), so a failed copy never leaves half a file behind.
//! - `database`: the tables `blobs` (one row a file) and `blob_chunks` (its content in pieces of
//!   [`CHUNK`] bytes), so that instances sharing one PostgreSQL share their files too. The chunks and the
//!   file's row are written in one transaction: a reader that finds the row finds the whole file.
//!
//! Files go in from a path or from bytes, and come out as a stream of chunks (downloads), whole (small
//! files: a sealed table, an inline text) or copied to a path; neither backend holds a whole file in memory
//! on the way in from a path or on the way out as a stream. Another backend (S3-compatible) would be one
//! more variant with the same methods.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use sea_orm::{DatabaseConnection, TransactionTrait};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{BlobBackend, Settings};

/// The size of a chunk in the database backend, and of a read when streaming.
pub const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone)]
pub enum BlobStore {
    /// `<data_dir>/files/`.
    Folder { root: PathBuf },
    /// The tables `blobs` and `blob_chunks`.
    Database { db: DatabaseConnection },
}

/// A stored file: its SHA-256 (hex) and size, and whether this call wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    pub written: bool,
}

/// A stored file's content as a stream of chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A stored file opened for reading: its size and its content.
pub struct Opened {
    pub size: u64,
    pub content: ByteStream,
}

/// Whether `s` is 64 lowercase hex digits, i.e. can name a blob.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn db_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("the database's blob store: {e}"))
}

fn join_error(e: tokio::task::JoinError) -> io::Error {
    io::Error::other(e)
}

impl BlobStore {
    /// The folder backend under a data folder.
    pub fn folder(data_dir: &Path) -> Self {
        BlobStore::Folder { root: data_dir.join("files") }
    }

    /// The database backend.
    pub fn database(db: DatabaseConnection) -> Self {
        BlobStore::Database { db }
    }

    /// The backend the settings name.
    pub fn of(settings: &Settings, db: &DatabaseConnection) -> Self {
        match settings.blob_store {
            BlobBackend::Folder => Self::folder(&settings.data_dir),
            BlobBackend::Database => Self::database(db.clone()),
        }
    }

    /// The setting's value for this backend: `folder` or `database`.
    pub fn kind(&self) -> &'static str {
        match self {
            BlobStore::Folder { .. } => "folder",
            BlobStore::Database { .. } => "database",
        }
    }

    /// Where the blob of a digest lives in the folder backend; `None` for anything that is not a digest
    /// (no path tricks) and for the other backends.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        match self {
            BlobStore::Folder { root } => is_sha256(sha256).then(|| root.join(&sha256[..2]).join(sha256)),
            BlobStore::Database { .. } => None,
        }
    }

    /// The SHA-256 and size of a file, read in chunks.
    pub fn digest_file(path: &Path) -> io::Result<(String, u64)> {
        let mut file = File::open(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        Ok((hex::encode(hasher.finalize()), size))
    }

    /// Stores bytes held in memory (an upload read whole), unless the same content is stored already.
    pub async fn put_bytes(&self, bytes: impl Into<Bytes>) -> io::Result<Stored> {
        self.store(bytes.into()).await.map(counted)
    }

    async fn store(&self, bytes: Bytes) -> io::Result<Stored> {
        match self {
            BlobStore::Folder { root } => {
                let root = root.clone();
                tokio::task::spawn_blocking(move || folder_put_bytes(&root, &bytes)).await.map_err(join_error)?
            }
            BlobStore::Database { db } => {
                let sha256 = hex::encode(Sha256::digest(&bytes));
                let size = bytes.len() as u64;
                if crate::store::blobs::size(db, &sha256).await.map_err(db_error)?.is_some() {
                    return Ok(Stored { sha256, size, written: false });
                }
                let txn = db.begin().await.map_err(db_error)?;
                for (seq, chunk) in bytes.chunks(CHUNK).enumerate() {
                    let seq = i32::try_from(seq).map_err(db_error)?;
                    crate::store::blobs::put_chunk(&txn, &sha256, seq, chunk.to_vec()).await.map_err(db_error)?;
                }
                let written = crate::store::blobs::put_row(&txn, &sha256, size).await.map_err(db_error)?;
                txn.commit().await.map_err(db_error)?;
                Ok(Stored { sha256, size, written })
            }
        }
    }

    /// Stores a copy of the file at `source`, unless the same content is stored already. The file is read
    /// twice (its digest, then its content), a chunk at a time.
    pub async fn put_file(&self, source: &Path) -> io::Result<Stored> {
        self.store_file(source.to_path_buf()).await.map(counted)
    }

    async fn store_file(&self, source: PathBuf) -> io::Result<Stored> {
        match self {
            BlobStore::Folder { root } => {
                let root = root.clone();
                tokio::task::spawn_blocking(move || folder_put_file(&root, &source)).await.map_err(join_error)?
            }
            BlobStore::Database { db } => {
                let hashed = source.clone();
                let (sha256, size) =
                    tokio::task::spawn_blocking(move || Self::digest_file(&hashed)).await.map_err(join_error)??;
                if crate::store::blobs::size(db, &sha256).await.map_err(db_error)?.is_some() {
                    return Ok(Stored { sha256, size, written: false });
                }
                let mut file = tokio::fs::File::open(&source).await?;
                let mut hasher = Sha256::new();
                let mut total = 0u64;
                let txn = db.begin().await.map_err(db_error)?;
                for seq in 0.. {
                    let chunk = read_chunk(&mut file).await?;
                    if chunk.is_empty() {
                        break;
                    }
                    hasher.update(&chunk);
                    total += chunk.len() as u64;
                    crate::store::blobs::put_chunk(&txn, &sha256, seq, chunk).await.map_err(db_error)?;
                }
                // The content must still be what was hashed: the source may have changed meanwhile. The
                // transaction is rolled back when dropped, chunks and all.
                if hex::encode(hasher.finalize()) != sha256 || total != size {
                    return Err(io::Error::other(format!("{} changed while it was being stored", source.display())));
                }
                let written = crate::store::blobs::put_row(&txn, &sha256, size).await.map_err(db_error)?;
                txn.commit().await.map_err(db_error)?;
                Ok(Stored { sha256, size, written })
            }
        }
    }

    /// The size of a stored file; `None` if it is not stored (or `sha256` is no digest).
    pub async fn size(&self, sha256: &str) -> io::Result<Option<u64>> {
        if !is_sha256(sha256) {
            return Ok(None);
        }
        match self {
            BlobStore::Folder { .. } => {
                let path = self.path_of(sha256).ok_or_else(|| io::Error::other("digest is not hex"))?;
                match tokio::fs::metadata(path).await {
                    Ok(m) => Ok(Some(m.len())),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }
            BlobStore::Database { db } => crate::store::blobs::size(db, sha256).await.map_err(db_error),
        }
    }

    /// Whether a file is stored.
    pub async fn exists(&self, sha256: &str) -> io::Result<bool> {
        Ok(self.size(sha256).await?.is_some())
    }

    /// A stored file's content as a stream; `None` if it is not stored.
    pub async fn open(&self, sha256: &str) -> io::Result<Option<Opened>> {
        let Some(size) = self.size(sha256).await? else {
            return Ok(None);
        };
        let content: ByteStream = match self {
            BlobStore::Folder { .. } => {
                let path = self.path_of(sha256).ok_or_else(|| io::Error::other("digest is not hex"))?;
                let file = match tokio::fs::File::open(path).await {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                };
                Box::pin(futures_util::stream::try_unfold(file, |mut file| async move {
                    let chunk = read_chunk(&mut file).await?;
                    Ok((!chunk.is_empty()).then(|| (Bytes::from(chunk), file)))
                }))
            }
            BlobStore::Database { db } => {
                let (db, sha256) = (db.clone(), sha256.to_owned());
                Box::pin(futures_util::stream::try_unfold((0i32, 0u64), move |(seq, read)| {
                    let (db, sha256) = (db.clone(), sha256.clone());
                    async move {
                        match crate::store::blobs::chunk(&db, &sha256, seq).await.map_err(db_error)? {
                            Some(bytes) => {
                                let read = read + bytes.len() as u64;
                                Ok(Some((Bytes::from(bytes), (seq + 1, read))))
                            }
                            None if read == size => Ok(None),
                            None => Err(io::Error::other(format!("blob {sha256}: {read} of {size} bytes found"))),
                        }
                    }
                }))
            }
        };
        let content = Box::pin(content.inspect_ok(|chunk| {
            crate::metrics::METRICS.blob_read.inc_by(chunk.len() as u64);
        }));
        Ok(Some(Opened { size, content }))
    }

    /// A small stored file read whole (a sealed table, a text shown inline); `None` if it is not stored.
    pub async fn read_to_bytes(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        let Some(opened) = self.open(sha256).await? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(usize::try_from(opened.size).unwrap_or(0));
        let mut content = opened.content;
        while let Some(chunk) = content.try_next().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(Some(out))
    }

    /// Copies a stored file to `dest` (for code that needs a path); whether it was stored.
    pub async fn copy_to(&self, sha256: &str, dest: &Path) -> io::Result<bool> {
        let Some(opened) = self.open(sha256).await? else {
            return Ok(false);
        };
        let mut out = tokio::fs::File::create(dest).await?;
        let mut content = opened.content;
        while let Some(chunk) = content.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
        Ok(true)
    }
}

/// Counts a newly written file's bytes for `/metrics`.
fn counted(stored: Stored) -> Stored {
    if stored.written {
        crate::metrics::METRICS.blob_written.inc_by(stored.size);
    }
    stored
}

/// Reads up to [`CHUNK`] bytes (fewer only at the end of the file).
async fn read_chunk(file: &mut tokio::fs::File) -> io::Result<Vec<u8>> {
    let mut chunk = vec![0u8; CHUNK];
    let mut filled = 0;
    while filled < CHUNK {
        let n = file.read(&mut chunk[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    chunk.truncate(filled);
    Ok(chunk)
}

fn folder_path(root: &Path, sha256: &str) -> io::Result<PathBuf> {
    if !is_sha256(sha256) {
        return Err(io::Error::other("digest is not hex"));
    }
    Ok(root.join(&sha256[..2]).join(sha256))
}

fn folder_put_bytes(root: &Path, bytes: &[u8]) -> io::Result<Stored> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let size = bytes.len() as u64;
    let target = folder_path(root, &sha256)?;
    if target.exists() {
        return Ok(Stored { sha256, size, written: false });
    }
    let folder = target.parent().ok_or_else(|| io::Error::other("blob path has no folder"))?;
    fs::create_dir_all(folder)?;
    let temp = tempfile::NamedTempFile::new_in(folder)?;
    let mut out = temp.as_file();
    out.write_all(bytes)?;
    out.sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(Stored { sha256, size, written: true })
}

fn folder_put_file(root: &Path, source: &Path) -> io::Result<Stored> {
    let (sha256, size) = BlobStore::digest_file(source)?;
    let target = folder_path(root, &sha256)?;
    if target.exists() {
        return Ok(Stored { sha256, size, written: false });
    }
    let folder = target.parent().ok_or_else(|| io::Error::other("blob path has no folder"))?;
    fs::create_dir_all(folder)?;
    let temp = folder.join(format!(".{sha256}.{}.part", std::process::id()));
    let result = (|| {
        let mut out = File::create(&temp)?;
        io::copy(&mut File::open(source)?, &mut out)?;
        out.flush()?;
        out.sync_all()?;
        // The content must still be what was hashed: the source may have changed meanwhile.
        let (check, _) = BlobStore::digest_file(&temp)?;
        if check != sha256 {
            return Err(io::Error::other(format!("{} changed while it was being stored", source.display())));
        }
        fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map(|()| Stored { sha256, size, written: true })
}

/// The digests of the files in a folder store (`<data_dir>/files`), for `mwscup files migrate`; names that
/// are not digests (temporary files) are passed over.
pub fn folder_digests(data_dir: &Path) -> io::Result<Vec<String>> {
    let root = data_dir.join("files");
    let mut found = Vec::new();
    if !root.is_dir() {
        return Ok(found);
    }
    for prefix in fs::read_dir(&root)? {
        let prefix = prefix?;
        if !prefix.file_type()?.is_dir() {
            continue;
        }
        for entry in fs::read_dir(prefix.path())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && is_sha256(&name) && name[..2] == *prefix.file_name().to_string_lossy() {
                found.push(name);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::folder(dir.path());
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        fs::write(&a, b"abc").expect("write");
        fs::write(&b, b"abc").expect("write");
        let first = store.put_file(&a).await.expect("stored");
        assert_eq!(first.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(first.written);
        assert_eq!(first.size, 3);
        let second = store.put_file(&b).await.expect("stored");
        assert!(!second.written, "same content, stored once");
        let third = store.put_bytes(b"abc".to_vec()).await.expect("stored");
        assert_eq!((third.sha256.as_str(), third.written), (first.sha256.as_str(), false));
        let fourth = store.put_bytes(b"abcd".to_vec()).await.expect("stored");
        assert!(fourth.written);
        assert_eq!(fs::read(store.path_of(&fourth.sha256).expect("a digest")).expect("read"), b"abcd");
        let path = store.path_of(&first.sha256).expect("a digest");
        assert_eq!(fs::read(path).expect("read"), b"abc");
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert_eq!(store.read_to_bytes(&fourth.sha256).await.expect("read"), Some(b"abcd".to_vec()));
        assert_eq!(store.size(&first.sha256).await.expect("size"), Some(3));
        assert!(!store.exists(&"0".repeat(64)).await.expect("exists"));
        assert!(store.open("../../etc/passwd").await.expect("open").is_none());
        let mut both = vec![first.sha256.clone(), fourth.sha256.clone()];
        both.sort();
        assert_eq!(folder_digests(dir.path()).expect("listed"), both);
    }
}
