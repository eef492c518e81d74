//! Content-addressed file storage: a file is stored once under its SHA-256 (`files/ab/cdef…`) in the data
//! folder. A file appears under its name only when complete (written to a temporary file, synced, then
//! renamed), so a failed copy never leaves half a file behind.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A stored file: its SHA-256 (hex) and size, and whether this call wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    pub written: bool,
}

/// Whether `s` is 64 lowercase hex digits, i.e. can name a blob.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> Self {
        BlobStore { root: data_dir.join("files") }
    }

    /// Where the blob of a digest lives; `None` for anything that is not a digest (no path tricks).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
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
    pub fn put_bytes(&self, bytes: &[u8]) -> io::Result<Stored> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let size = bytes.len() as u64;
        let target = self.path_of(&sha256).ok_or_else(|| io::Error::other("digest is not hex"))?;
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

    /// Stores a copy of the file at `source`, unless the same content is stored already.
    pub fn put_file(&self, source: &Path) -> io::Result<Stored> {
        let (sha256, size) = Self::digest_file(source)?;
        let target = self.path_of(&sha256).ok_or_else(|| io::Error::other("digest is not hex"))?;
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
            let (check, _) = Self::digest_file(&temp)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_stored_once_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::new(dir.path());
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        fs::write(&a, b"abc").expect("write");
        fs::write(&b, b"abc").expect("write");
        let first = store.put_file(&a).expect("stored");
        assert_eq!(first.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(first.written);
        assert_eq!(first.size, 3);
        let second = store.put_file(&b).expect("stored");
        assert!(!second.written, "same content, stored once");
        let third = store.put_bytes(b"abc").expect("stored");
        assert_eq!((third.sha256.as_str(), third.written), (first.sha256.as_str(), false));
        let fourth = store.put_bytes(b"abcd").expect("stored");
        assert!(fourth.written);
        assert_eq!(fs::read(store.path_of(&fourth.sha256).expect("a digest")).expect("read"), b"abcd");
        let path = store.path_of(&first.sha256).expect("a digest");
        assert_eq!(fs::read(path).expect("read"), b"abc");
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
    }
}
