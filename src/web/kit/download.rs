//! Sending a stored file as a download: `Content-Disposition: attachment` with its name (UTF-8 too),
//! bytes as bytes (`application/octet-stream`, and `nosniff` on every response), never cached by others.
//! From the folder store the file is served as a file (ranges, `Last-Modified`); from the database it is
//! streamed a chunk at a time with its length, never read whole.

use actix_files::NamedFile;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, Charset, ContentDisposition, DispositionParam, DispositionType, ETAG,
    ExtendedValue, HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse};

use crate::blobs::BlobStore;
use crate::web::kit::error::{AppError, AppResult};

pub async fn attachment(req: &HttpRequest, blobs: &BlobStore, sha256: &str, name: &str) -> AppResult<HttpResponse> {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(name.to_owned()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    };
    let missing = |e: &dyn std::fmt::Display| {
        tracing::error!(sha256, backend = blobs.kind(), error = %e, "a stored file is missing");
        AppError::NotFound
    };
    let mut res = if let Some(path) = blobs.path_of(sha256) {
        let file = NamedFile::open_async(&path).await.map_err(|e| missing(&e))?;
        file.set_content_type(mime::APPLICATION_OCTET_STREAM).set_content_disposition(disposition).into_response(req)
    } else {
        let opened = match blobs.open(sha256).await {
            Ok(Some(opened)) => opened,
            Ok(None) => return Err(missing(&"not in the blob store")),
            Err(e) => {
                tracing::error!(sha256, error = %e, "a stored file could not be read");
                return Err(AppError::Unavailable(crate::web::kit::error::Msg::StorageFailed));
            }
        };
        HttpResponse::Ok()
            .content_type(mime::APPLICATION_OCTET_STREAM)
            .insert_header((CONTENT_DISPOSITION, disposition))
            .insert_header((ETAG, format!("\"{sha256}\"")))
            .no_chunking(opened.size)
            .streaming(opened.content)
    };
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(res)
}
