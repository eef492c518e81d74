//! The body of an API request, read the same whatever its Content-Type: a JSON object when it is one
//! (`curl -d '{…}'` labels JSON as a form), else a form (urlencoded, or multipart as CTFd's clients may send
//! an answer) when the header says so, else an error. Fields are read one by one, so each problem is
//! reported against its field.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value};

use crate::web::kit::error::{AppError, Msg};

/// An API body as a map of fields.
#[derive(Debug, Default)]
pub struct ApiBody(Map<String, Value>);

const LIMIT: usize = 64 * 1024;

impl ApiBody {
    fn parse(is_form: bool, bytes: &[u8]) -> Result<Self, AppError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiBody::default());
        }
        let looks_like_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if is_form && !looks_like_json {
            return Ok(ApiBody(form_fields(bytes)?.into_iter().map(|(k, v)| (k, Value::String(v))).collect()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(ApiBody(map)),
            _ => Err(AppError::field("body", Msg::BodyNotAnObject)),
        }
    }

    /// A text field; numbers are taken as their text. Absent or null is `None`.
    pub fn text(&self, field: &'static str) -> Result<Option<String>, (&'static str, Msg)> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err((field, Msg::BadRequest)),
        }
    }

    /// A whole number, given as a JSON number or as text (forms have only text).
    pub fn int(&self, field: &'static str) -> Result<i32, (&'static str, Msg)> {
        match self.0.get(field) {
            None | Some(Value::Null) => Err((field, Msg::Required)),
            Some(Value::Number(n)) => n.as_i64().and_then(|v| i32::try_from(v).ok()).ok_or((field, Msg::NotANumber)),
            Some(Value::String(s)) => s.trim().parse().map_err(|_| (field, Msg::NotANumber)),
            Some(_) => Err((field, Msg::NotANumber)),
        }
    }
}

/// The fields of a form body. Unlike a lenient decoder, text that is not UTF-8 once decoded is refused
/// rather than turned into replacement characters.
fn form_fields(bytes: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|_| AppError::field("body", Msg::BadRequest))?;
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| AppError::field("body", Msg::BadRequest))
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

impl ApiBody {
    /// Reads several fields, collecting every problem instead of stopping at the first.
    pub fn fields(&self) -> Fields<'_> {
        Fields { body: self, errors: Vec::new() }
    }
}

/// Fields read from one body, with the problems found so far.
pub struct Fields<'a> {
    body: &'a ApiBody,
    errors: Vec<(&'static str, Msg)>,
}

impl Fields<'_> {
    /// A text field that must be present, parsed by `parse`.
    pub fn required<T, E: Into<Msg>>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.body.text(field) {
            Ok(Some(text)) => parse(&text).map_err(|e| self.errors.push((field, e.into()))).ok(),
            Ok(None) => {
                self.errors.push((field, Msg::Required));
                None
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// A text field that may be absent; `parse` sees `None` then.
    pub fn optional<T, E: Into<Msg>>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(Option<&str>) -> Result<T, E>,
    ) -> Option<T> {
        match self.body.text(field) {
            Ok(text) => parse(text.as_deref()).map_err(|e| self.errors.push((field, e.into()))).ok(),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// `Err` with every problem, if there was any.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.errors)) }
    }
}

impl FromRequest for ApiBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_start().to_ascii_lowercase())
            .unwrap_or_default();
        if content_type.starts_with("multipart/form-data") {
            let form = small_multipart(actix_multipart::Multipart::new(req.headers(), payload.take()), LIMIT);
            return Box::pin(async move {
                Ok(ApiBody(form.await?.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
            });
        }
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|_| AppError::field("body", Msg::BadRequest))?;
            if bytes.len() > LIMIT {
                return Err(AppError::field("body", Msg::TooLong { max: LIMIT }));
            }
            ApiBody::parse(is_form, &bytes)
        })
    }
}

/// A small multipart form read whole into memory: each field's text by name (a file field's content as
/// text). Refused if it is larger than `limit` in all, or a field is not UTF-8.
pub async fn small_multipart(
    mut payload: actix_multipart::Multipart,
    limit: usize,
) -> Result<std::collections::HashMap<String, String>, AppError> {
    use futures_util::StreamExt;
    let mut fields = std::collections::HashMap::new();
    let mut total = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::field("form", Msg::BadRequest))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::field("form", Msg::BadRequest))?;
            total += chunk.len();
            if total > limit {
                return Err(AppError::field("form", Msg::TooLong { max: limit }));
            }
            value.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(value).map_err(|_| AppError::field("form", Msg::BadRequest))?;
        fields.insert(name, text);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_forms_read_alike() {
        let json = ApiBody::parse(false, br#"{"name":"a","user_id":7}"#).expect("json");
        let form = ApiBody::parse(true, b"name=a&user_id=7").expect("form");
        let curl = ApiBody::parse(true, br#" {"name":"a","user_id":"7"}"#).expect("JSON sent as a form");
        for body in [json, form, curl] {
            assert_eq!(body.text("name"), Ok(Some("a".into())));
            assert_eq!(body.int("user_id"), Ok(7));
            assert_eq!(body.text("absent"), Ok(None));
        }
    }

    #[test]
    fn forms_must_be_utf8_once_decoded() {
        assert!(ApiBody::parse(true, b"name=%ff%fe").is_err());
        assert!(ApiBody::parse(true, &[b'a', b'=', 0xff]).is_err());
        let ok = ApiBody::parse(true, b"name=%E8%A7%A3%E6%9E%90+team&x").expect("valid");
        assert_eq!(ok.text("name"), Ok(Some("解析 team".into())));
        assert_eq!(ok.text("x"), Ok(Some(String::new())));
    }

    #[test]
    fn wrong_shapes_are_field_errors() {
        assert!(ApiBody::parse(false, b"[1,2]").is_err());
        assert!(ApiBody::parse(false, b"not json").is_err());
        let body = ApiBody::parse(false, br#"{"user_id":"x","n":99999999999,"o":{}}"#).expect("json");
        assert_eq!(body.int("user_id"), Err(("user_id", Msg::NotANumber)));
        assert_eq!(body.int("n"), Err(("n", Msg::NotANumber)));
        assert_eq!(body.text("o"), Err(("o", Msg::BadRequest)));
        assert_eq!(body.int("missing"), Err(("missing", Msg::Required)));
        assert!(ApiBody::parse(false, b"  ").is_ok(), "an empty body is an empty object");
    }
}
