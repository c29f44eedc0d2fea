//! Git LFS over HTTP: the batch API and the basic transfer adapter (upload, download, verify) under
//! `/:owner/:repo[.git]/info/lfs/objects/`, authorized as Git over HTTP is (password or token;
//! anonymous reads of public repositories).
//!
//! Objects live once, content-addressed, under `[lfs] OBJECTS_PATH` (`a/b/<oid>`, Gogs' layout); the
//! `lfs_object` table links each repository to the objects it references, and a repository reaches
//! only those (so a private repository's objects stay private, and knowing an oid is not enough to
//! borrow another repository's object: it has to be uploaded again, and is checked). Uploads stream
//! to a scratch file while their SHA-256 and length are computed, and are moved into place only when
//! both match; downloads stream from the file. No object is ever held whole in memory.

use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use crate::app::AppState;
use crate::git_http::{Authorized, authorize, served_as};
use crate::service::git_access::{self, Access, Grant, Place, Principal, Verb};
use crate::service::lfs_token;

/// The media type of the batch API's requests and answers.
const LFS_JSON: &str = "application/vnd.git-lfs+json";

/// Read size for objects sent back.
const CHUNK: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{owner}/{repo}/info/lfs/objects/batch", post(batch))
        .route("/{owner}/{repo}/info/lfs/objects/verify", post(verify))
        .route("/{owner}/{repo}/info/lfs/objects/{oid}", get(download).put(upload))
}

/// An error as LFS clients read it: `{"message": …}` in the LFS media type.
pub(crate) fn lfs_error(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, LFS_JSON)], json!({ "message": message }).to_string()).into_response()
}

pub(crate) fn lfs_json(value: Value) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, LFS_JSON)], value.to_string()).into_response()
}

/// `[lfs] ENABLED = false`: the routes are not there.
fn disabled() -> Response {
    lfs_error(StatusCode::NOT_FOUND, "Not Found")
}

/// A refusal from Git over HTTP's authorization, told in LFS's words: the same status and headers
/// (a Basic challenge also as `LFS-Authenticate`), its text as the message.
async fn as_lfs(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = match (text.is_empty(), parts.status) {
        (false, _) => text,
        (true, StatusCode::UNAUTHORIZED) => "Credentials needed".to_string(),
        (true, status) => status.canonical_reason().unwrap_or("Error").to_string(),
    };
    if let Some(challenge) = parts.headers.get(header::WWW_AUTHENTICATE).cloned() {
        parts.headers.insert("lfs-authenticate", challenge);
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(LFS_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json!({ "message": message }).to_string()))
}

/// A SHA-256 object id: 64 lower-case hex digits (so no path can be built from anything else).
pub fn valid_oid(oid: &str) -> bool {
    oid.len() == 64 && oid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where an object lives: `OBJECTS_PATH/a/b/<oid>`, its first two hex digits as directories (Gogs'
/// layout, so that Gogs' object directory can be used as it is).
pub fn object_path(objects: &FsPath, oid: &str) -> PathBuf {
    objects.join(&oid[0..1]).join(&oid[1..2]).join(oid)
}

/// Authorize `verb` on `owner/repo` as Git over HTTP does; the repository's grant, or the refusal
/// as an LFS answer.
pub(crate) async fn grant(
    state: &AppState,
    owner: &str,
    repo: &str,
    verb: Verb,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Result<(Box<Grant>, Option<crate::extract::auth::RequestUser>), Response> {
    if let Some(token) = lfs_bearer(headers) {
        return token_grant(state, owner, repo, verb, token).await;
    }
    match authorize(state, owner, repo, verb, headers, extensions).await {
        Ok(Authorized { access: Access::Repo(g), user }) => Ok((g, user)),
        // Gists have no LFS store.
        Ok(Authorized { access: Access::Gist { .. }, user }) => {
            Err(served_as(lfs_error(StatusCode::NOT_FOUND, "Not Found"), user))
        }
        Err(resp) => Err(as_lfs(resp).await),
    }
}

/// The token `git-lfs-authenticate` handed out over SSH, when the request carries one.
fn lfs_bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && lfs_token::is_lfs_token(token.trim())).then(|| token.trim())
}

/// A request with an SSH-issued token: live and untampered, for this repository, for an upload
/// only when issued for one; then the same access decision for its user as over HTTP (so a
/// revoked collaborator or a barred account stops at once, token or not).
async fn token_grant(
    state: &AppState,
    owner: &str,
    repo: &str,
    verb: Verb,
    token: &str,
) -> Result<(Box<Grant>, Option<crate::extract::auth::RequestUser>), Response> {
    let refused = |status: StatusCode, message: &str| {
        let mut resp = lfs_error(status, message);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert("lfs-authenticate", HeaderValue::from_static("Basic realm=\".\""));
        }
        resp
    };
    let Some(token) = lfs_token::verify(state, token, crate::service::now_unix()) else {
        return Err(refused(StatusCode::UNAUTHORIZED, "The LFS token is not valid or has expired"));
    };
    if verb == Verb::Write && !token.write {
        return Err(refused(StatusCode::FORBIDDEN, "The LFS token was issued for downloads only"));
    }
    let mut h = state.db.acquire().await.map_err(internal)?;
    let Some(user) = hearth_store::users::by_id(h.conn(), token.user_id).await.map_err(internal)? else {
        return Err(refused(StatusCode::UNAUTHORIZED, "The LFS token's account is gone"));
    };
    let target = Place::find(h.conn(), owner, repo.strip_suffix(".git").unwrap_or(repo)).await.map_err(internal)?;
    let decided = git_access::decide_place(h.conn(), &state.config, &target, Principal::User(&user), verb);
    match decided.await.map_err(internal)? {
        Ok(Access::Repo(g)) if g.repo.id == token.repo_id => {
            Ok((g, Some(crate::extract::auth::RequestUser(user.name.clone()))))
        }
        _ => Err(refused(StatusCode::NOT_FOUND, "Repository or object not found")),
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "lfs");
    lfs_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
}

#[derive(Debug, Deserialize)]
struct BatchRequest {
    operation: String,
    #[serde(default)]
    objects: Vec<Pointer>,
}

#[derive(Debug, Deserialize)]
struct Pointer {
    oid: String,
    size: i64,
}

/// The object as this repository has it: linked to it, and its file present with its size.
async fn present(state: &AppState, repo_id: i64, oid: &str) -> Result<Option<i64>, Response> {
    let mut h = state.db.acquire().await.map_err(internal)?;
    let Some(row) = hearth_store::lfs::find(h.conn(), repo_id, oid).await.map_err(internal)? else { return Ok(None) };
    let on_disk = tokio::fs::metadata(object_path(&state.config.lfs.objects_path, oid)).await;
    Ok(on_disk.ok().filter(|m| m.is_file() && m.len() as i64 == row.size).map(|_| row.size))
}

/// `POST …/info/lfs/objects/batch`: for each object, where to download it from (when this
/// repository has it) or where to upload it to (when it does not).
async fn batch(State(state): State<AppState>, Path((owner, repo)): Path<(String, String)>, req: Request) -> Response {
    if !state.config.lfs.enabled {
        return disabled();
    }
    let (parts, body) = req.into_parts();
    let bytes = match crate::extract::read_limited(body, state.config.server.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let Ok(request) = serde_json::from_slice::<BatchRequest>(&bytes) else {
        return lfs_error(StatusCode::BAD_REQUEST, "Invalid batch request");
    };
    let verb = match request.operation.as_str() {
        "download" => Verb::Read,
        "upload" => Verb::Write,
        _ => return lfs_error(StatusCode::BAD_REQUEST, "Operation not recognized"),
    };
    let (g, user) = match grant(&state, &owner, &repo, verb, &parts.headers, &parts.extensions).await {
        Ok(granted) => granted,
        Err(resp) => return resp,
    };
    let base = format!("{}{}/{}.git/info/lfs/objects", state.links.external_url, g.owner.name, g.repo.name);
    // The actions carry the caller's own credentials (as Gogs does), so they last as long as those.
    let header = match parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(auth) => json!({ "Authorization": auth }),
        None => json!({}),
    };
    let max = state.config.lfs.max_file_size;
    let mut objects = Vec::with_capacity(request.objects.len());
    for p in &request.objects {
        let mut object = json!({ "oid": p.oid, "size": p.size });
        if !valid_oid(&p.oid) || p.size < 0 {
            object["error"] = json!({ "code": 422, "message": "Invalid object ID or size" });
            objects.push(object);
            continue;
        }
        let have = match present(&state, g.repo.id, &p.oid).await {
            Ok(h) => h,
            Err(resp) => return served_as(resp, user),
        };
        let action = |href: String| json!({ "href": href, "header": header.clone() });
        match (verb, have) {
            (Verb::Read, Some(size)) if size != p.size => {
                object["error"] = json!({ "code": 422, "message": "Object size mismatch" });
            }
            (Verb::Read, Some(_)) => {
                object["authenticated"] = json!(true);
                object["actions"] = json!({ "download": action(format!("{base}/{}", p.oid)) });
            }
            (Verb::Read, None) => object["error"] = json!({ "code": 404, "message": "Object does not exist" }),
            (Verb::Write, Some(_)) => {}
            (Verb::Write, None) if max > 0 && p.size as u64 > max => {
                object["error"] = json!({ "code": 422, "message": format!("Size must be at most {max} bytes") });
            }
            (Verb::Write, None) => {
                // git-lfs would otherwise name a content type guessed from the file (as Gogs notes).
                let mut upload = action(format!("{base}/{}", p.oid));
                upload["header"]["Content-Type"] = json!("application/octet-stream");
                object["authenticated"] = json!(true);
                object["actions"] = json!({
                    "upload": upload,
                    "verify": action(format!("{base}/verify")),
                });
            }
        }
        objects.push(object);
    }
    served_as(lfs_json(json!({ "transfer": "basic", "objects": objects, "hash_algo": "sha256" })), user)
}

/// `GET …/info/lfs/objects/:oid`: the object, streamed, when this repository has it.
async fn download(
    State(state): State<AppState>,
    Path((owner, repo, oid)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    if !state.config.lfs.enabled {
        return disabled();
    }
    let (parts, _) = req.into_parts();
    let (g, user) = match grant(&state, &owner, &repo, Verb::Read, &parts.headers, &parts.extensions).await {
        Ok(granted) => granted,
        Err(resp) => return resp,
    };
    served_as(send_object(&state, &g, &oid).await, user)
}

async fn send_object(state: &AppState, g: &Grant, oid: &str) -> Response {
    if !valid_oid(oid) {
        return lfs_error(StatusCode::NOT_FOUND, "Object does not exist");
    }
    let size = match present(state, g.repo.id, oid).await {
        Ok(Some(size)) => size,
        Ok(None) => return lfs_error(StatusCode::NOT_FOUND, "Object does not exist"),
        Err(resp) => return resp,
    };
    let file = match tokio::fs::File::open(object_path(&state.config.lfs.objects_path, oid)).await {
        Ok(f) => f,
        Err(e) => return internal(e),
    };
    let mut resp = Response::new(Body::from_stream(ReaderStream::with_capacity(file, CHUNK)));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    resp
}

/// Scratch files get distinct names within this process (the scratch directory is emptied at start).
static SCRATCH: AtomicU64 = AtomicU64::new(0);

/// `PUT …/info/lfs/objects/:oid`: the object's content, streamed to a scratch file while hashed
/// and counted; kept (and linked to this repository) only when it hashes to `oid` and has the
/// length declared, else refused with nothing stored.
async fn upload(
    State(state): State<AppState>,
    Path((owner, repo, oid)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    if !state.config.lfs.enabled {
        return disabled();
    }
    let (parts, body) = req.into_parts();
    let resp = match grant(&state, &owner, &repo, Verb::Write, &parts.headers, &parts.extensions).await {
        Ok((g, user)) => served_as(receive(&state, &g, &oid, &parts.headers, body).await, user),
        Err(resp) => resp,
    };
    closing_unless_ok(resp)
}

/// A refused upload may leave its body unread, and hyper then drops the connection after the
/// answer: saying so keeps a client from reusing it (and failing its next request).
fn closing_unless_ok(mut resp: Response) -> Response {
    if !resp.status().is_success() {
        resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

async fn receive(state: &AppState, g: &Grant, oid: &str, headers: &HeaderMap, body: Body) -> Response {
    if !valid_oid(oid) {
        return lfs_error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid object ID");
    }
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let max = state.config.lfs.max_file_size;
    if max > 0 && declared.is_some_and(|d| d > max) {
        return lfs_error(StatusCode::PAYLOAD_TOO_LARGE, &format!("Size must be at most {max} bytes"));
    }
    let scratch_dir = state.config.tmp_dir();
    if let Err(e) = tokio::fs::create_dir_all(&scratch_dir).await {
        return internal(e);
    }
    let scratch = scratch_dir.join(format!(
        "lfs-{}-{}-{}",
        &oid[..16],
        std::process::id(),
        SCRATCH.fetch_add(1, Ordering::Relaxed)
    ));
    // Removed however this ends, also when the client goes away and this future is dropped.
    let _guard = Scratch(scratch.clone());
    let received = stream_to(&scratch, body, max).await;
    let outcome = match received {
        Ok((_, len)) if declared.is_some_and(|d| d != len) => {
            Err(lfs_error(StatusCode::UNPROCESSABLE_ENTITY, "Object size does not match the declared size"))
        }
        Ok((digest, _)) if digest != oid => {
            Err(lfs_error(StatusCode::UNPROCESSABLE_ENTITY, "Object content does not match its ID"))
        }
        Ok((_, len)) => store(state, &scratch, oid).await.map(|()| len),
        Err(resp) => Err(resp),
    };
    let len = match outcome {
        Ok(len) => len,
        Err(resp) => return resp,
    };
    // Linked, and counted in the repository's size, at once.
    let linked = async {
        let mut tx = state.db.begin().await?;
        if hearth_store::lfs::link(tx.conn(), g.repo.id, oid, len as i64, crate::service::now_unix()).await? {
            hearth_store::repos::grow_size(tx.conn(), g.repo.id, len as i64).await?;
        }
        tx.commit().await
    };
    match linked.await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => internal(e),
    }
}

/// A scratch file, removed when dropped (a verified one has been renamed away by then).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Write `body` to `path`, hashing and counting it; its hex SHA-256 and length. Longer than `max`
/// (when not 0): refused as it arrives.
async fn stream_to(path: &FsPath, body: Body, max: u64) -> Result<(String, u64), Response> {
    let file = tokio::fs::File::create(path).await.map_err(internal)?;
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::debug!(error = %e, "lfs upload ended early");
            lfs_error(StatusCode::BAD_REQUEST, "The upload ended early")
        })?;
        len += chunk.len() as u64;
        if max > 0 && len > max {
            return Err(lfs_error(StatusCode::PAYLOAD_TOO_LARGE, &format!("Size must be at most {max} bytes")));
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    out.into_inner().sync_all().await.map_err(internal)?;
    Ok((hex::encode(hasher.finalize()), len))
}

/// Move a verified scratch file to its content address. An object already there is the same
/// content and is replaced all the same (rename(2) does that atomically; a reader of the old file
/// keeps reading it): the fresh file's time tells `hearth doctor --gc`, which removes only
/// unreferenced objects older than an hour, that an upload is about to link it. Across file
/// systems it is copied next to its place first, then renamed, so that no half-written object is
/// ever visible.
async fn store(state: &AppState, scratch: &FsPath, oid: &str) -> Result<(), Response> {
    let dest = object_path(&state.config.lfs.objects_path, oid);
    let dir = dest.parent().expect("an object has a directory");
    tokio::fs::create_dir_all(dir).await.map_err(internal)?;
    if tokio::fs::rename(scratch, &dest).await.is_ok() {
        return Ok(());
    }
    let partial = dir.join(format!("{oid}.partial-{}", SCRATCH.fetch_add(1, Ordering::Relaxed)));
    let copied = async {
        tokio::fs::copy(scratch, &partial).await?;
        tokio::fs::rename(&partial, &dest).await
    };
    if let Err(e) = copied.await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(internal(e));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct VerifyRequest {
    oid: String,
    size: i64,
}

/// `POST …/info/lfs/objects/verify`: after an upload, whether this repository now has the object
/// with the size the client knows.
async fn verify(State(state): State<AppState>, Path((owner, repo)): Path<(String, String)>, req: Request) -> Response {
    if !state.config.lfs.enabled {
        return disabled();
    }
    let (parts, body) = req.into_parts();
    let bytes = match crate::extract::read_limited(body, state.config.server.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let (g, user) = match grant(&state, &owner, &repo, Verb::Write, &parts.headers, &parts.extensions).await {
        Ok(granted) => granted,
        Err(resp) => return resp,
    };
    let answer = match serde_json::from_slice::<VerifyRequest>(&bytes) {
        Ok(v) if valid_oid(&v.oid) => match present(&state, g.repo.id, &v.oid).await {
            Ok(Some(size)) if size == v.size => lfs_json(json!({})),
            Ok(Some(_)) => lfs_error(StatusCode::UNPROCESSABLE_ENTITY, "Object size mismatch"),
            Ok(None) => lfs_error(StatusCode::NOT_FOUND, "Object does not exist"),
            Err(resp) => resp,
        },
        _ => lfs_error(StatusCode::BAD_REQUEST, "Invalid verify request"),
    };
    served_as(answer, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_and_paths() {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        assert!(valid_oid(oid));
        assert!(!valid_oid(&oid.to_uppercase()));
        assert!(!valid_oid(&oid[1..]));
        assert!(!valid_oid("../../etc/passwd"));
        assert!(!valid_oid(&format!("{}/..", &oid[..61])));
        assert_eq!(object_path(FsPath::new("/lfs"), oid), PathBuf::from(format!("/lfs/4/d/{oid}")));
    }
}
