//! Sending a stored file as a download: `Content-Disposition: attachment` with its name (UTF-8 too),
//! bytes as bytes (`application/octet-stream`, and `nosniff` on every response), never cached by others.

use std::path::Path;

use actix_files::NamedFile;
use actix_web::http::header::{
    CACHE_CONTROL, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue, HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse};

use crate::web::kit::error::{AppError, AppResult};

pub async fn attachment(req: &HttpRequest, blob: &Path, name: &str) -> AppResult<HttpResponse> {
    let file = NamedFile::open_async(blob).await.map_err(|e| {
        tracing::error!(path = %blob.display(), error = %e, "a stored file is missing");
        AppError::NotFound
    })?;
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
    let mut res =
        file.set_content_type(mime::APPLICATION_OCTET_STREAM).set_content_disposition(disposition).into_response(req);
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(res)
}
