//! The API's JSON answer: axum's `Json`, but serialized into a buffer sized for a typical answer
//! (axum's starts at 128 bytes and grows, copying, four times for a repository), and labelled
//! with the charset as Gogs labels it, so the request log has nothing to rewrite.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A value answered as JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Most single-object answers fit; lists grow from here.
const INITIAL_CAPACITY: usize = 2048;

pub const CONTENT_TYPE: HeaderValue = HeaderValue::from_static("application/json; charset=UTF-8");

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(INITIAL_CAPACITY);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], buf).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "serializing a JSON answer");
                crate::error::internal_error_response()
            }
        }
    }
}

/// `value` serialized as an answer's body would be (for answers kept to be sent again).
pub fn to_bytes<T: Serialize>(value: &T) -> Result<axum::body::Bytes, serde_json::Error> {
    let mut buf = Vec::with_capacity(INITIAL_CAPACITY);
    serde_json::to_writer(&mut buf, value)?;
    Ok(buf.into())
}

/// A JSON body serialized before (see [`to_bytes`]).
#[derive(Debug, Clone)]
pub struct Raw(pub axum::body::Bytes);

impl IntoResponse for Raw {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, CONTENT_TYPE)], self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_json_with_gogs_content_type() {
        let resp = Json(serde_json::json!({"a": [1, 2]})).into_response();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json; charset=UTF-8");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        assert_eq!(&body[..], br#"{"a":[1,2]}"#);
    }
}
