//! The one place where errors become HTTP answers, in Gogs' shapes (spec README §4).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::service::ServiceError;

const DOCS_URL: &str = "https://github.com/gogs/docs-api";
/// The messages of [`ServiceError::TooManyLoginAttempts`] and [`ServiceError::Busy`] (also on Git HTTP).
pub const TOO_MANY_LOGIN_ATTEMPTS: &str = "Too many failed login attempts, please try again later.";
pub const SERVER_BUSY: &str = "Too many password checks in progress, please try again later.";

/// One failing field of a binding error (`fieldNames` holds the Go struct field name).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FieldError {
    #[serde(rename = "fieldNames", skip_serializing_if = "Vec::is_empty")]
    pub field_names: Vec<String>,
    pub classification: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, classification: &str, message: &str) -> FieldError {
        FieldError {
            field_names: vec![field.to_string()],
            classification: classification.to_string(),
            message: message.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A guard or lookup failure: the status with a `{"message"}` body.
    #[error("{0}")]
    Status(StatusCode),
    /// A handler error with Gogs' `{"message","url"}` body.
    #[error("{1}")]
    Message(StatusCode, String),
    /// Binding validation: 422 with the array of failing fields.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Malformed body: 400 `DeserializationError`.
    #[error("bad body: {0}")]
    Deserialization(String),
    /// Missing or unsupported Content-Type: 415.
    #[error("content type: {0}")]
    ContentType(&'static str),
    /// Body over the configured limit.
    #[error("request body too large")]
    TooLarge,
    /// Come back later (429 or 503): Gogs' `{"message","url"}` body with `Retry-After` (seconds).
    #[error("{1}")]
    RetryAfter(StatusCode, String, u64),
    /// `307 Temporary Redirect` to this location (an old name of a renamed or transferred
    /// repository), with Gogs' `{"message"}` body.
    #[error("redirect to {0}")]
    Redirect(String),
    /// Anything unexpected: logged, answered with Gogs' generic 500 body.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn not_found() -> ApiError {
        ApiError::Status(StatusCode::NOT_FOUND)
    }
    pub fn unauthorized() -> ApiError {
        ApiError::Status(StatusCode::UNAUTHORIZED)
    }
    pub fn forbidden() -> ApiError {
        ApiError::Status(StatusCode::FORBIDDEN)
    }
    pub fn unprocessable(msg: impl Into<String>) -> ApiError {
        ApiError::Message(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
    }
    pub fn field(field: &str, classification: &str, message: &str) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, classification, message)])
    }
}

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    resp
}

#[derive(Serialize)]
struct MessageBody<'a> {
    message: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct StatusBody<'a> {
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Status(status) => {
                let message = status.canonical_reason().unwrap_or("Error");
                json_response(status, &StatusBody { message })
            }
            ApiError::Message(status, message) => {
                json_response(status, &MessageBody { message: &message, url: DOCS_URL })
            }
            ApiError::Validation(fields) => json_response(StatusCode::UNPROCESSABLE_ENTITY, &fields),
            ApiError::Deserialization(message) => json_response(
                StatusCode::BAD_REQUEST,
                &[FieldError { field_names: vec![], classification: "DeserializationError".into(), message }],
            ),
            ApiError::ContentType(message) => json_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &[FieldError {
                    field_names: vec![],
                    classification: "ContentTypeError".into(),
                    message: message.into(),
                }],
            ),
            ApiError::TooLarge => json_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &MessageBody { message: "request body is too large", url: DOCS_URL },
            ),
            ApiError::RetryAfter(status, message, secs) => {
                let mut resp = json_response(status, &MessageBody { message: &message, url: DOCS_URL });
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
                resp
            }
            ApiError::Redirect(location) => {
                let mut resp = json_response(
                    StatusCode::TEMPORARY_REDIRECT,
                    &StatusBody { message: StatusCode::TEMPORARY_REDIRECT.canonical_reason().unwrap_or("Redirect") },
                );
                match HeaderValue::from_str(&location) {
                    Ok(v) => {
                        resp.headers_mut().insert(header::LOCATION, v);
                        resp
                    }
                    Err(_) => internal_error_response(),
                }
            }
            ApiError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                internal_error_response()
            }
        }
    }
}

/// Gogs' generic 500 body; the real error only goes to the log.
pub fn internal_error_response() -> Response {
    json_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &MessageBody {
            message: "Something went wrong, please check the server logs for more information.",
            url: DOCS_URL,
        },
    )
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::NotFoundMessage(msg) => ApiError::Message(StatusCode::NOT_FOUND, msg),
            ServiceError::Forbidden(msg) => ApiError::Message(StatusCode::FORBIDDEN, msg),
            ServiceError::Invalid(msg) => ApiError::unprocessable(msg),
            ServiceError::BadRequest(msg) => ApiError::Message(StatusCode::BAD_REQUEST, msg),
            ServiceError::Conflict(msg) => ApiError::Message(StatusCode::CONFLICT, msg),
            ServiceError::Locked(msg) => ApiError::Message(StatusCode::LOCKED, msg),
            ServiceError::NotAllowed(msg) => ApiError::Message(StatusCode::METHOD_NOT_ALLOWED, msg),
            ServiceError::Precondition(msg) => ApiError::Message(StatusCode::PRECONDITION_FAILED, msg),
            ServiceError::Field { field, classification, message } => ApiError::field(field, classification, message),
            ServiceError::TooManyLoginAttempts { retry_after_secs } => {
                ApiError::RetryAfter(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_LOGIN_ATTEMPTS.into(), retry_after_secs)
            }
            ServiceError::Busy { retry_after_secs } => {
                ApiError::RetryAfter(StatusCode::SERVICE_UNAVAILABLE, SERVER_BUSY.into(), retry_after_secs)
            }
            ServiceError::Internal(err) => ApiError::Internal(err),
        }
    }
}

impl From<hearth_store::StoreError> for ApiError {
    fn from(e: hearth_store::StoreError) -> ApiError {
        ApiError::from(ServiceError::from(e))
    }
}
