//! Request bodies bound by Content-Type as Gogs does: JSON (keys case-insensitive) or
//! `application/x-www-form-urlencoded` (typed leniently: `on`/`true`/`1` booleans, repeated keys
//! for lists). Missing Content-Type → 415, malformed JSON → 400, form type errors → 422, bodies
//! over the limit → 413.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::form;
use crate::app::AppState;
use crate::error::{ApiError, FieldError};

pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        if content_type.is_empty() {
            return Err(ApiError::ContentType("Empty Content-Type"));
        }
        let bytes = read_limited(req.into_body(), state.config.server.max_body_bytes).await?;
        bind(&content_type, &bytes).map(Body)
    }
}

/// A body read up front but bound later, after the route's guards (repository lookup, role) have
/// passed, so that validation errors are only reported to callers allowed to see them.
pub struct LateBody {
    content_type: String,
    bytes: axum::body::Bytes,
}

impl FromRequest<AppState> for LateBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        let bytes = read_limited(req.into_body(), state.config.server.max_body_bytes).await?;
        Ok(LateBody { content_type, bytes })
    }
}

impl LateBody {
    /// No body bytes at all (some routes accept that as "all defaults").
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        bind(&self.content_type, &self.bytes)
    }
}

fn bind<T: DeserializeOwned>(content_type: &str, bytes: &[u8]) -> Result<T, ApiError> {
    if content_type.is_empty() {
        return Err(ApiError::ContentType("Empty Content-Type"));
    }
    if content_type.contains("form-urlencoded") {
        return form::from_bytes(bytes);
    }
    if content_type.contains("json") {
        return parse_json(bytes);
    }
    Err(ApiError::ContentType("Unsupported Content-Type"))
}

/// Read the whole body, refusing more than `limit` bytes (chunked bodies included).
pub async fn read_limited(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || e.to_string().contains("length limit");
        if too_large { ApiError::TooLarge } else { ApiError::Deserialization(e.to_string()) }
    })
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(bytes).map_err(|e| ApiError::Deserialization(e.to_string()))?
    };
    // Go's decoder matches keys case-insensitively; our field names are lower case.
    let value = match strip_nulls(value) {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect()),
        Value::Null => Value::Object(Default::default()),
        other => other,
    };
    serde_json::from_value(value).map_err(|e| ApiError::Deserialization(e.to_string()))
}

/// Go's decoder leaves a field untouched (zero, or nil for pointers) when the JSON says `null`;
/// dropping null members gives our defaults and `None` the same meaning. Clients such as the PyPI
/// `gogs-client` send `null` for every optional argument left out.
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

impl From<form::FormError> for ApiError {
    fn from(e: form::FormError) -> ApiError {
        ApiError::Validation(vec![FieldError::new(&e.field, e.classification, &e.message)])
    }
}
