//! The Git LFS locking API (Gitea's behaviour; Gogs has none) under
//! `/:owner/:repo[.git]/info/lfs/locks`: list (read access), create, verify and unlock (write
//! access), authorized as the rest of Git LFS over HTTP is ([`crate::lfs::grant`]).
//!
//! A repository has at most one lock per path; a lock belongs to the user who made it. Only its
//! owner removes it, or, with `force`, an administrator of the repository. Paths are kept
//! normalised (relative, `/`-separated, no `.` or empty components), and a path that climbs out of
//! the repository (`..`) or names nothing is refused. Lists are newest first and paged by a cursor
//! (the id of the first lock of the next page), so locks made while a client pages do not move the
//! pages it has not read yet.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use hearth_store::lfs_locks::{self as store, CreateError, LfsLockRow, LockQuery, NewLock};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::git_http::served_as;
use crate::lfs::{grant, lfs_error, lfs_json};
use crate::service::access::{AccessMode, access_mode};
use crate::service::git_access::{Grant, Verb};

/// The most locks one page holds (also the page size when the client names none).
const MAX_LIMIT: i64 = 100;
/// The longest path a lock may name, in bytes.
const MAX_PATH_BYTES: usize = 4096;
/// The longest ref name a lock request may carry, in bytes.
const MAX_REF_BYTES: usize = 1024;
/// Lock requests are small JSON documents.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{owner}/{repo}/info/lfs/locks", get(list_locks).post(create_lock))
        .route("/{owner}/{repo}/info/lfs/locks/verify", post(verify_locks))
        .route("/{owner}/{repo}/info/lfs/locks/{id}/unlock", post(unlock_lock))
}

/// A lock as LFS clients read it.
#[derive(Debug, Serialize)]
struct LockJson<'a> {
    /// The spec wants a string.
    id: String,
    path: &'a str,
    /// RFC 3339, UTC, second precision.
    locked_at: String,
    owner: OwnerJson<'a>,
}

#[derive(Debug, Serialize)]
struct OwnerJson<'a> {
    name: &'a str,
}

fn lock_json(lock: &LfsLockRow) -> LockJson<'_> {
    LockJson {
        id: lock.id.to_string(),
        path: &lock.path,
        locked_at: crate::types::rfc3339(lock.created_unix),
        owner: OwnerJson { name: &lock.owner_name },
    }
}

/// `value` in the LFS media type with `status`.
fn lfs_answer(status: StatusCode, value: Value) -> Response {
    let mut resp = lfs_json(value);
    *resp.status_mut() = status;
    resp
}

/// A page of locks, with `next_cursor` (a string, as git-lfs reads it) when there is more.
fn paged(mut body: Value, next_cursor: Option<i64>) -> Response {
    if let Some(next) = next_cursor {
        body["next_cursor"] = json!(next.to_string());
    }
    lfs_json(body)
}

/// A request refused or failed: its status and message (answered as `{"message": …}`).
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
}

fn fail(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure { status, message: message.into() }
}

impl From<Failure> for Response {
    fn from(f: Failure) -> Response {
        lfs_error(f.status, &f.message)
    }
}

fn internal(e: impl std::fmt::Display) -> Failure {
    tracing::error!(error = %e, "lfs locks");
    fail(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
}

/// A lock's path made canonical: relative to the repository's root, `/`-separated, without empty
/// or `.` components (so `/a//./b` is `a/b`). `None` for a path that names nothing, climbs with
/// `..`, holds control characters or is too long.
fn normalize_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_PATH_BYTES || raw.chars().any(char::is_control) {
        return None;
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A lock id or cursor as the client sent it: a positive decimal number (`None` for anything else).
fn parse_id(raw: &str) -> Option<i64> {
    raw.bytes().all(|b| b.is_ascii_digit()).then(|| raw.parse::<i64>().ok()).flatten().filter(|id| *id > 0)
}

/// The page size asked for: none or 0 is the default, more than [`MAX_LIMIT`] is [`MAX_LIMIT`].
fn page_size(limit: Option<i64>) -> Result<i64, Failure> {
    match limit {
        None | Some(0) => Ok(MAX_LIMIT),
        Some(n) if n < 0 => Err(fail(StatusCode::BAD_REQUEST, "Invalid limit")),
        Some(n) => Ok(n.min(MAX_LIMIT)),
    }
}

fn cursor(raw: Option<&str>) -> Result<Option<i64>, Failure> {
    match raw.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => parse_id(c).map(Some).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "Invalid cursor")),
    }
}

/// `{"name": …}`: the ref a request concerns (the spec's v2.4 addition).
#[derive(Debug, Default, Deserialize)]
struct RefJson {
    #[serde(default)]
    name: Option<String>,
}

/// The ref name a lock request carries, checked (kept with the lock, not used for matching).
fn ref_name(r: Option<RefJson>) -> Result<Option<String>, Failure> {
    match r.and_then(|r| r.name).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n) if n.len() > MAX_REF_BYTES || n.chars().any(char::is_control) => {
            Err(fail(StatusCode::UNPROCESSABLE_ENTITY, "Invalid ref name"))
        }
        Some(n) => Ok(Some(n)),
    }
}

/// A JSON request body (an empty one is `{}`); 400 when it is not the shape expected.
fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Failure> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    serde_json::from_slice(bytes).map_err(|_| fail(StatusCode::BAD_REQUEST, format!("Invalid {what} request")))
}

/// The request body, read whole before anything can refuse the request (so that a refusal leaves
/// the connection usable).
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Response> {
    let limit = MAX_BODY_BYTES.min(state.config.server.max_body_bytes);
    crate::extract::read_limited(body, limit).await.map_err(|e| match e {
        ApiError::TooLarge => lfs_error(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"),
        _ => lfs_error(StatusCode::BAD_REQUEST, "The request body could not be read"),
    })
}

/// What every endpoint does first: LFS on, body read, access granted. The grant and the request
/// body, or the answer.
async fn admit(
    state: &AppState,
    owner: &str,
    repo: &str,
    verb: Verb,
    req: Request,
) -> Result<(Box<Grant>, Option<crate::extract::auth::RequestUser>, Bytes), Response> {
    if !state.config.lfs.enabled {
        return Err(lfs_error(StatusCode::NOT_FOUND, "Not Found"));
    }
    let (parts, body) = req.into_parts();
    let bytes = read_body(state, body).await?;
    let (g, user) = grant(state, owner, repo, verb, &parts.headers, &parts.extensions).await?;
    Ok((g, user, bytes))
}

/// The user a write was granted to (always one: anonymous callers never get write access).
fn actor(g: &Grant) -> Result<&hearth_store::users::UserRow, Failure> {
    g.actor.as_ref().ok_or_else(|| fail(StatusCode::UNAUTHORIZED, "Credentials needed"))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    path: Option<String>,
    id: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
    // `refspec` is ignored: locks are per repository, not per ref.
}

/// `GET …/info/lfs/locks?path=&id=&cursor=&limit=`: the repository's locks, newest first, for
/// whoever can read it.
async fn list_locks(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    let query = req.uri().query().unwrap_or_default().to_string();
    let (g, user, _) = match admit(&state, &owner, &repo, Verb::Read, req).await {
        Ok(admitted) => admitted,
        Err(resp) => return resp,
    };
    served_as(list(&state, &g, &query).await.unwrap_or_else(Response::from), user)
}

async fn list(state: &AppState, g: &Grant, query: &str) -> Result<Response, Failure> {
    let q: ListQuery = serde_urlencoded::from_str(query).map_err(|_| fail(StatusCode::BAD_REQUEST, "Invalid query"))?;
    let path = match q.path.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(normalize_path(p).ok_or_else(|| fail(StatusCode::UNPROCESSABLE_ENTITY, "Invalid path"))?),
    };
    let id = match q.id.as_deref().filter(|i| !i.is_empty()) {
        None => None,
        Some(i) => Some(parse_id(i).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "Invalid lock id"))?),
    };
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(l.parse::<i64>().map_err(|_| fail(StatusCode::BAD_REQUEST, "Invalid limit"))?),
    };
    let query = LockQuery { path: path.as_deref(), id, cursor: cursor(q.cursor.as_deref())?, limit: page_size(limit)? };
    let mut h = state.db.acquire().await.map_err(internal)?;
    let page = store::list(h.conn(), g.repo.id, &query).await.map_err(internal)?;
    let body = json!({ "locks": page.locks.iter().map(lock_json).collect::<Vec<_>>() });
    Ok(paged(body, page.next_cursor))
}

#[derive(Debug, Deserialize)]
struct CreateRequest {
    #[serde(default)]
    path: String,
    #[serde(default, rename = "ref")]
    reference: Option<RefJson>,
}

/// `POST …/info/lfs/locks` `{"path", "ref": {"name"}}`: lock a path for the caller (201), or the
/// lock already on it (409).
async fn create_lock(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (g, user, bytes) = match admit(&state, &owner, &repo, Verb::Write, req).await {
        Ok(admitted) => admitted,
        Err(resp) => return resp,
    };
    served_as(create(&state, &g, &bytes).await.unwrap_or_else(Response::from), user)
}

async fn create(state: &AppState, g: &Grant, bytes: &[u8]) -> Result<Response, Failure> {
    let owner = actor(g)?;
    let req: CreateRequest = parse_body(bytes, "lock")?;
    let path = normalize_path(&req.path).ok_or_else(|| fail(StatusCode::UNPROCESSABLE_ENTITY, "Invalid path"))?;
    let ref_name = ref_name(req.reference)?;
    let new = NewLock {
        repo_id: g.repo.id,
        owner_id: owner.id,
        path: &path,
        ref_name: ref_name.as_deref(),
        now: crate::service::now_unix(),
    };
    let mut h = state.db.acquire().await.map_err(internal)?;
    Ok(match store::create(h.conn(), &new).await {
        Ok(lock) => lfs_answer(StatusCode::CREATED, json!({ "lock": lock_json(&lock) })),
        Err(CreateError::Locked(existing)) => {
            lfs_answer(StatusCode::CONFLICT, json!({ "lock": lock_json(&existing), "message": "already created lock" }))
        }
        Err(CreateError::Store(e)) => return Err(internal(e)),
    })
}

#[derive(Debug, Default, Deserialize)]
struct VerifyRequest {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    // `ref` is ignored: locks are per repository, not per ref.
}

/// `POST …/info/lfs/locks/verify` `{"cursor", "limit", "ref"}`: before a push, the repository's
/// locks split into the caller's (`ours`) and everyone else's (`theirs`).
async fn verify_locks(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (g, user, bytes) = match admit(&state, &owner, &repo, Verb::Write, req).await {
        Ok(admitted) => admitted,
        Err(resp) => return resp,
    };
    served_as(verify(&state, &g, &bytes).await.unwrap_or_else(Response::from), user)
}

async fn verify(state: &AppState, g: &Grant, bytes: &[u8]) -> Result<Response, Failure> {
    let caller = actor(g)?;
    let req: VerifyRequest = parse_body(bytes, "verify")?;
    let query =
        LockQuery { cursor: cursor(req.cursor.as_deref())?, limit: page_size(req.limit)?, ..Default::default() };
    let mut h = state.db.acquire().await.map_err(internal)?;
    let page = store::list(h.conn(), g.repo.id, &query).await.map_err(internal)?;
    let (ours, theirs): (Vec<&LfsLockRow>, Vec<&LfsLockRow>) = page.locks.iter().partition(|l| l.owner_id == caller.id);
    let body = json!({
        "ours": ours.into_iter().map(lock_json).collect::<Vec<_>>(),
        "theirs": theirs.into_iter().map(lock_json).collect::<Vec<_>>(),
    });
    Ok(paged(body, page.next_cursor))
}

#[derive(Debug, Default, Deserialize)]
struct UnlockRequest {
    #[serde(default)]
    force: bool,
    // `ref` is ignored: locks are per repository, not per ref.
}

/// `POST …/info/lfs/locks/:id/unlock` `{"force"}`: remove a lock. Its owner may; anyone else only
/// with `force` and as an administrator of the repository (owner, organisation owner, admin
/// collaborator or team, site admin).
async fn unlock_lock(
    State(state): State<AppState>,
    Path((owner, repo, id)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let (g, user, bytes) = match admit(&state, &owner, &repo, Verb::Write, req).await {
        Ok(admitted) => admitted,
        Err(resp) => return resp,
    };
    served_as(unlock(&state, &g, &id, &bytes).await.unwrap_or_else(Response::from), user)
}

async fn unlock(state: &AppState, g: &Grant, id: &str, bytes: &[u8]) -> Result<Response, Failure> {
    let caller = actor(g)?;
    let req: UnlockRequest = parse_body(bytes, "unlock")?;
    let not_found = || fail(StatusCode::NOT_FOUND, "Lock not found");
    let id = parse_id(id).ok_or_else(not_found)?;
    let mut h = state.db.acquire().await.map_err(internal)?;
    let lock = store::find(h.conn(), g.repo.id, id).await.map_err(internal)?.ok_or_else(not_found)?;
    if lock.owner_id != caller.id {
        if !req.force {
            return Err(fail(
                StatusCode::FORBIDDEN,
                format!("The lock is held by {}; only its owner can remove it without force", lock.owner_name),
            ));
        }
        let mode = access_mode(h.conn(), Some(caller), &g.repo).await.map_err(internal)?;
        if mode < AccessMode::Admin {
            return Err(fail(
                StatusCode::FORBIDDEN,
                "Only administrators of the repository can remove another user's lock",
            ));
        }
    }
    if !store::delete(h.conn(), g.repo.id, id).await.map_err(internal)? {
        return Err(not_found());
    }
    Ok(lfs_json(json!({ "lock": lock_json(&lock) })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(normalize_path("a/b.bin").as_deref(), Some("a/b.bin"));
        assert_eq!(normalize_path("/a//./b.bin/").as_deref(), Some("a/b.bin"));
        assert_eq!(normalize_path("./x").as_deref(), Some("x"));
        assert_eq!(normalize_path("dir with space/é.psd").as_deref(), Some("dir with space/é.psd"));
        assert_eq!(normalize_path("..."), Some("...".to_string()));
        for bad in ["", "/", ".", "./", "//", "..", "../x", "a/../b", "a/..", "a\nb", "a\0b"] {
            assert_eq!(normalize_path(bad), None, "{bad:?}");
        }
        assert!(normalize_path(&"a".repeat(MAX_PATH_BYTES)).is_some());
        assert!(normalize_path(&"a".repeat(MAX_PATH_BYTES + 1)).is_none());
    }

    #[test]
    fn ids_and_page_sizes() {
        assert_eq!(parse_id("42"), Some(42));
        for bad in ["", "0", "-1", "+1", " 1", "1a", "0x10", "99999999999999999999"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert_eq!(page_size(None).ok(), Some(MAX_LIMIT));
        assert_eq!(page_size(Some(0)).ok(), Some(MAX_LIMIT));
        assert_eq!(page_size(Some(7)).ok(), Some(7));
        assert_eq!(page_size(Some(10_000)).ok(), Some(MAX_LIMIT));
        assert!(page_size(Some(-1)).is_err());
    }
}
