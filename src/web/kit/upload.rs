//! Multipart uploads with files (archive items, hackathon entries): each file streamed to a temporary
//! file under the data folder and refused the moment it passes its limit, so nothing large is held in
//! memory and nothing is kept until every check has passed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::inspect;
use crate::web::kit::csrf;
use crate::web::kit::error::{AppError, AppResult, Msg};

/// A file received, in a temporary file until every check has passed.
pub struct Received {
    /// The form field it came in.
    pub field: String,
    /// Its name, made safe.
    pub name: String,
    pub temp: tempfile::NamedTempFile,
    pub size: i64,
}

/// The fields of an upload.
#[derive(Default)]
pub struct UploadForm {
    pub fields: HashMap<String, Vec<String>>,
    pub files: Vec<Received>,
}

impl UploadForm {
    pub fn one(&self, name: &str) -> String {
        self.fields.get(name).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// Refused unless the form carries the request's CSRF token (a multipart form cannot use `CsrfForm`).
    pub fn check_csrf(&self, req: &HttpRequest) -> AppResult<()> {
        if csrf::matches(req, &self.one("csrf")) { Ok(()) } else { Err(AppError::Csrf) }
    }
}

/// The folder temporary uploads go to (beside the blobs, so storing one is a rename).
pub fn temp_dir(data_dir: &Path) -> AppResult<PathBuf> {
    let tmp = data_dir.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| AppError::Internal(e.into()))?;
    Ok(tmp)
}

/// Limits of an upload: bytes of a single file and of all files together, and how many files.
pub struct Limits {
    pub file: i64,
    pub room: i64,
    pub files: usize,
}

/// Parts a form may have in all (files and text fields): every form of ours has a few dozen at most.
const MAX_PARTS: usize = 200;
/// Bytes of one text field, and of all text fields together.
const MAX_FIELD: usize = 64 * 1024;
const MAX_TEXT: usize = 256 * 1024;

/// Reads the multipart body: parts with a file name in one of `file_fields` are streamed to temporary
/// files and refused over the limits; the other parts are short text fields. Bounded in every dimension (parts,
/// files, bytes of each and of all, text), so that no body can exhaust memory or descriptors; past a bound
/// the upload is refused with the reason, and the temporary files made so far are removed as they drop.
/// Files are written through Tokio's blocking pool, never on the worker's own thread.
pub async fn read(mut payload: Multipart, tmp: &Path, file_fields: &[&str], limits: Limits) -> AppResult<UploadForm> {
    let mut form = UploadForm::default();
    let mut total = 0i64;
    let mut parts = 0usize;
    let mut text_bytes = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::field("files", Msg::BadRequest))?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::TooLarge(Msg::TooManyParts { max: MAX_PARTS }));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
        match filename {
            Some(filename) if file_fields.contains(&name.as_str()) => {
                if filename.is_empty() {
                    // An empty file input sends a nameless part.
                    while field.next().await.is_some() {}
                    continue;
                }
                if form.files.len() >= limits.files {
                    return Err(AppError::TooLarge(Msg::TooManyFiles { max: limits.files }));
                }
                let dir = tmp.to_path_buf();
                let temp = actix_web::web::block(move || tempfile::NamedTempFile::new_in(dir))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?
                    .map_err(|e| AppError::Internal(e.into()))?;
                let mut out = tokio::fs::File::from_std(temp.reopen().map_err(|e| AppError::Internal(e.into()))?);
                let mut size = 0i64;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| AppError::field("files", Msg::BadRequest))?;
                    size += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
                    total += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
                    if size > limits.file {
                        return Err(AppError::TooLarge(Msg::FileTooLarge {
                            name: inspect::safe_file_name(&filename),
                            limit_mib: limits.file / (1024 * 1024),
                        }));
                    }
                    if total > limits.room {
                        return Err(AppError::TooLarge(Msg::TeamQuotaFull {
                            limit_mib: limits.room.max(0) / (1024 * 1024),
                        }));
                    }
                    out.write_all(&chunk).await.map_err(|e| AppError::Internal(e.into()))?;
                }
                out.flush().await.map_err(|e| AppError::Internal(e.into()))?;
                drop(out);
                form.files.push(Received { field: name, name: inspect::safe_file_name(&filename), temp, size });
            }
            _ => {
                let mut value = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| AppError::field("form", Msg::BadRequest))?;
                    text_bytes += chunk.len();
                    if value.len() + chunk.len() > MAX_FIELD || text_bytes > MAX_TEXT {
                        return Err(AppError::field("form", Msg::TooLong { max: MAX_FIELD }));
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value).map_err(|_| AppError::field("form", Msg::BadRequest))?;
                form.fields.entry(name).or_default().push(value);
            }
        }
    }
    Ok(form)
}
