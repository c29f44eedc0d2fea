//! Git Smart HTTP (git-transport.md §2): `info/refs`, `git-upload-pack`, `git-receive-pack` under
//! `/:owner/:repo[.git]/`. Bodies stream both ways between the client and a `git` child process;
//! nothing is buffered whole. After a push, the post-push work runs to completion before the
//! response ends, and still runs if the client went away.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use futures_util::StreamExt;
use hearth_git::transport::{self, Invocation, Service};
use hearth_store::users::UserRow;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;
use tower_http::decompression::RequestDecompressionLayer;

use crate::app::AppState;
use crate::error::{SERVER_BUSY, TOO_MANY_LOGIN_ATTEMPTS};
use crate::extract::auth::{RequestUser, client_ip};
use crate::service::git_access::{self, Access, Place, Principal, Refusal, Refused, Verb};
use crate::service::token_scopes::{Category, Level, Scopes};
use crate::service::{ServiceError, accounts, push, two_factor};

/// Read size for git's output: large enough that a 100 MB pack is not cut into 4 KiB frames.
const PIPE_CHUNK: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{owner}/{repo}/info/refs", get(info_refs))
        .route("/{owner}/{repo}/git-upload-pack", post(upload_pack))
        .route("/{owner}/{repo}/git-receive-pack", post(receive_pack))
        // Git clients gzip large fetch negotiations.
        .layer(RequestDecompressionLayer::new())
}

fn plain(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

fn challenge() -> Response {
    let mut resp = plain(StatusCode::UNAUTHORIZED, "");
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\".\""));
    resp
}

fn retry_later(status: StatusCode, message: &str, secs: u64) -> Response {
    let mut resp = plain(status, message);
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

fn no_cache(headers: &mut HeaderMap) {
    headers.insert(header::EXPIRES, HeaderValue::from_static("Fri, 01 Jan 1980 00:00:00 GMT"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, max-age=0, must-revalidate"));
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut words = value.split_whitespace();
    let (scheme, encoded) = (words.next()?, words.next()?);
    if scheme != "Basic" || words.next().is_some() {
        return None;
    }
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).ok()?).ok()?;
    let (user, pass) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    Some((user.to_string(), pass.to_string()))
}

/// A granted request: what it may reach, and the account it was granted to (`None`: served
/// anonymously), which the request log names.
pub(crate) struct Authorized {
    pub access: Access,
    pub user: Option<RequestUser>,
}

/// Leave the account that made a request on its response, for the request log.
pub(crate) fn served_as(mut resp: Response, user: Option<RequestUser>) -> Response {
    if let Some(user) = user {
        resp.extensions_mut().insert(user);
    }
    resp
}

/// Who may do what (git-transport.md §2.3, with hearth's rules): anonymous reads of public
/// repositories need no credentials (any sent are ignored); otherwise missing or wrong credentials
/// get a Basic challenge (also for repositories that do not exist, so that private ones stay
/// unseen). Password logins are throttled (429 with `Retry-After`; tokens still work meanwhile).
/// A refusal after a successful login names the account, as a grant does. Git LFS over HTTP
/// (`crate::lfs`) is authorized the same way.
pub(crate) async fn authorize(
    state: &AppState,
    owner: &str,
    repo: &str,
    verb: Verb,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Result<Authorized, Response> {
    let internal = |e: hearth_store::StoreError| {
        tracing::error!(error = %e, "git http");
        plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
    };
    let target = {
        let mut h = state.db.acquire().await.map_err(internal)?;
        let target = Place::find(h.conn(), owner, repo.strip_suffix(".git").unwrap_or(repo)).await.map_err(internal)?;
        let anonymous = git_access::decide_place(h.conn(), &state.config, &target, Principal::Anonymous, verb);
        if let Ok(access) = anonymous.await.map_err(internal)? {
            return Ok(Authorized { access, user: None });
        }
        target
    };
    let Some((login, password)) = basic_credentials(headers) else { return Err(challenge()) };
    let ip = client_ip(extensions);
    let authenticated =
        accounts::authenticate_git(&state.db, &state.passwords, &state.login_throttle, &login, &password, ip).await;
    let (user, scopes) = match authenticated {
        Ok(Some((user, None))) if two_factor_enrolled(state, &user).await? => {
            let mut resp = plain(StatusCode::UNAUTHORIZED, TWO_FACTOR_NEEDS_TOKEN);
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\".\""));
            return Err(resp);
        }
        Ok(Some((user, token))) => {
            let mut scopes = Scopes::default();
            if let Some((id, token_scopes)) = token {
                if let Some(id) = id {
                    state.token_usage.touch(id);
                }
                scopes = token_scopes;
            }
            (user, scopes)
        }
        Ok(None) => return Err(challenge()),
        Err(ServiceError::TooManyLoginAttempts { retry_after_secs }) => {
            return Err(retry_later(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_LOGIN_ATTEMPTS, retry_after_secs));
        }
        Err(ServiceError::Busy { retry_after_secs }) => {
            return Err(retry_later(StatusCode::SERVICE_UNAVAILABLE, SERVER_BUSY, retry_after_secs));
        }
        Err(e) => {
            tracing::error!(error = %e, "git http authentication");
            return Err(plain(StatusCode::INTERNAL_SERVER_ERROR, ""));
        }
    };
    // The account's name, never the login given (which may be a token).
    let named = Some(RequestUser(user.name.clone()));
    let mut h = state.db.acquire().await.map_err(|e| served_as(internal(e), named.clone()))?;
    let decided = git_access::decide_place(h.conn(), &state.config, &target, Principal::User(&user), verb);
    let access = match decided.await {
        Ok(Ok(access)) => access,
        Ok(Err(refused)) => return Err(served_as(refusal(&refused, &target.full_name()), named)),
        Err(e) => return Err(served_as(internal(e), named)),
    };
    // A token with scopes needs read:repository to fetch and write:repository to push (as Gitea);
    // a public-only one reaches public repositories only.
    let level = if verb == Verb::Write { Level::Write } else { Level::Read };
    if !scopes.is_empty() && (!scopes.has(Category::Repository, level) || (scopes.public_only() && access.is_private()))
    {
        return Err(served_as(plain(StatusCode::FORBIDDEN, "User permission denied"), named));
    }
    Ok(Authorized { access, user: named })
}

/// Gitea's answer to a password for an account with a second factor: git cannot send a passcode.
const TWO_FACTOR_NEEDS_TOKEN: &str = "Users with two-factor authentication enabled cannot perform HTTP/HTTPS operations \
    via plain username and password. Please create and use a personal access token on the user settings page";

async fn two_factor_enrolled(state: &AppState, user: &UserRow) -> Result<bool, Response> {
    two_factor::is_enrolled(state, user.id).await.map_err(|e| {
        tracing::error!(error = %e, "git http two-factor check");
        plain(StatusCode::INTERNAL_SERVER_ERROR, "")
    })
}

/// What an authenticated caller is told: a refused account first; a repository it cannot see is
/// missing; one it cannot push to is a 403 with a challenge (to try other credentials), unless it
/// is archived (a 403 saying so, as to anyone who can read it); a mirror last.
fn refusal(refused: &Refused, full_name: &str) -> Response {
    use Refusal::*;
    let order = [LoginProhibited, NoSuchOwner, NoSuchRepository, NotReadable, Archived, NotWritable, MirrorReadOnly];
    match refused.first_of(&order) {
        Some(LoginProhibited) => plain(StatusCode::FORBIDDEN, "User permission denied"),
        Some(Archived) => plain(StatusCode::FORBIDDEN, &archived_message(full_name)),
        Some(NotWritable) => {
            let mut resp = plain(StatusCode::FORBIDDEN, "User permission denied");
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\".\""));
            resp
        }
        Some(MirrorReadOnly) => plain(StatusCode::FORBIDDEN, "Mirror repository is read-only"),
        // Missing or unseen (the other refusals concern other callers).
        _ => plain(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// What a push into an archived repository is told, over both transports (Gitea's words).
pub(crate) fn archived_message(full_name: &str) -> String {
    format!("Repo: {full_name} is archived.")
}

fn git_protocol(headers: &HeaderMap) -> Option<String> {
    headers
        .get("git-protocol")
        .and_then(|v| v.to_str().ok())
        .filter(|v| transport::is_valid_git_protocol(v))
        .map(str::to_string)
}

/// Log what git wrote on stderr (bounded), so failures are diagnosable.
fn drain_stderr(stderr: Option<tokio::process::ChildStderr>, what: &'static str) {
    if let Some(mut stderr) = stderr {
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut buf).await;
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            if !buf.is_empty() {
                tracing::debug!(service = what, stderr = %String::from_utf8_lossy(&buf), "git");
            }
        });
    }
}

async fn info_refs(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let service = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "service").map(|(_, v)| v))
        .and_then(|s| Service::from_git_name(&s));
    // Only the smart protocol is served; every git since 1.6.6 speaks it.
    let Some(service) = service else { return plain(StatusCode::FORBIDDEN, "Dumb HTTP transport is not supported") };
    match authorize(&state, &owner, &repo, Verb::of(service), &headers, &extensions).await {
        Ok(Authorized { access, user }) => served_as(advertise(&state, &access, service, &headers), user),
        Err(resp) => resp,
    }
}

/// The ref advertisement of a granted `info/refs`, streamed from git.
fn advertise(state: &AppState, granted: &Access, service: Service, headers: &HeaderMap) -> Response {
    let path = granted.path(&state.config);
    let protocol = git_protocol(headers);
    let hooks = state.config.hooks_dir();
    let inv = Invocation {
        service,
        repo: &path,
        advertise_refs: true,
        git_protocol: protocol.as_deref(),
        hooks_dir: &hooks,
        ref_log: None,
        protection: None,
    };
    let mut child = match transport::command(&inv).spawn() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "spawning git");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error");
        }
    };
    drop(child.stdin.take());
    drain_stderr(child.stderr.take(), service.name());
    let stdout = child.stdout.take().expect("piped stdout");
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    let preamble = if transport::is_protocol_v2(protocol.as_deref()) {
        Vec::new()
    } else {
        transport::advertisement_preamble(service)
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(preamble)) })
        .chain(ReaderStream::with_capacity(stdout, PIPE_CHUNK));
    let mut resp = Response::new(Body::from_stream(stream));
    let content_type = format!("application/x-git-{}-advertisement", service.name());
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).expect("ascii"));
    no_cache(resp.headers_mut());
    resp
}

async fn upload_pack(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    rpc(state, owner, repo, Service::UploadPack, req).await
}

async fn receive_pack(
    State(state): State<AppState>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    rpc(state, owner, repo, Service::ReceivePack, req).await
}

async fn rpc(state: AppState, owner: String, repo: String, service: Service, req: Request) -> Response {
    let headers = req.headers().clone();
    match authorize(&state, &owner, &repo, Verb::of(service), &headers, req.extensions()).await {
        Ok(Authorized { access, user }) => served_as(exchange(state, access, service, headers, req).await, user),
        Err(resp) => {
            if let Some(m) = &state.metrics {
                m.git_operation("http", service.name(), "refused");
            }
            resp
        }
    }
}

/// A granted upload-pack or receive-pack exchange: the request body streamed into git, git's
/// output streamed back.
async fn exchange(state: AppState, granted: Access, service: Service, headers: HeaderMap, req: Request) -> Response {
    let expected = format!("application/x-git-{}-request", service.name());
    if headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("Content-Type must be {expected}"));
    }
    let path = granted.path(&state.config);
    let protocol = git_protocol(&headers);
    let hooks = state.config.hooks_dir();
    let ref_log = (service == Service::ReceivePack).then(|| push::new_ref_log(&state.config));
    let protection = if service == Service::ReceivePack { granted.protection_policy(&state).await } else { None };
    let inv = Invocation {
        service,
        repo: &path,
        advertise_refs: false,
        git_protocol: protocol.as_deref(),
        hooks_dir: &hooks,
        ref_log: ref_log.clone(),
        protection: protection.clone(),
    };
    let mut child = match transport::command(&inv).spawn() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "spawning git");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error");
        }
    };
    // Client → git: stream the request body into stdin; a client that disconnects closes it early,
    // git then sees a truncated request and refuses it without changing anything.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut body = req.into_body().into_data_stream();
    tokio::spawn(async move {
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    if stdin.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "git request body ended early");
                    break;
                }
            }
        }
        let _ = stdin.shutdown().await;
    });
    drain_stderr(child.stderr.take(), service.name());
    let stdout = child.stdout.take().expect("piped stdout");

    // Reap git and, after a push, record what changed; the response ends only after that.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let status = child.wait().await;
        if let Some(policy) = protection {
            let _ = tokio::fs::remove_file(policy).await;
        }
        if let Some(log) = ref_log {
            granted.after_push(&state, &log).await;
        }
        let success = status.as_ref().is_ok_and(|s| s.success());
        if !success {
            tracing::debug!(?status, service = service.name(), "git exited unsuccessfully");
        }
        if let Some(m) = &state.metrics {
            m.git_operation("http", service.name(), if success { "success" } else { "failure" });
        }
        let _ = done_tx.send(());
    });
    let tail = futures_util::stream::once(async move {
        let _ = done_rx.await;
        Ok::<_, std::io::Error>(Bytes::new())
    });
    let stream = ReaderStream::with_capacity(stdout, PIPE_CHUNK).chain(tail).filter(|chunk| {
        let keep = !matches!(chunk, Ok(b) if b.is_empty());
        async move { keep }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    let content_type = format!("application/x-git-{}-result", service.name());
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).expect("ascii"));
    no_cache(resp.headers_mut());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::git_access::Refusal::*;

    /// An authenticated caller: a refused account first, then what it cannot see (404), cannot
    /// push to (403 with a challenge, to try other credentials), and a mirror last.
    #[test]
    fn refusals_for_authenticated_callers() {
        let cases: &[(&[Refusal], u16, &str, bool)] = &[
            // (rules broken, status, body, Basic challenge)
            (&[LoginProhibited, NoSuchOwner], 403, "User permission denied\n", false),
            (&[LoginProhibited, MirrorReadOnly, NotWritable], 403, "User permission denied\n", false),
            (&[NoSuchOwner], 404, "Not Found\n", false),
            (&[NoSuchRepository], 404, "Not Found\n", false),
            (&[MirrorReadOnly, NotReadable], 404, "Not Found\n", false),
            (&[MirrorReadOnly, NotWritable], 403, "User permission denied\n", true),
            (&[NotWritable], 403, "User permission denied\n", true),
            (&[MirrorReadOnly], 403, "Mirror repository is read-only\n", false),
            (&[Archived, NotWritable, MirrorReadOnly], 403, "Repo: alice/proj is archived.\n", false),
            (&[NotReadable, Archived], 404, "Not Found\n", false),
        ];
        for (rules, status, body, challenged) in cases {
            let resp = refusal(&rules.iter().copied().collect(), "alice/proj");
            assert_eq!(resp.status().as_u16(), *status, "{rules:?}");
            assert_eq!(resp.headers().contains_key(header::WWW_AUTHENTICATE), *challenged, "{rules:?}");
            let bytes = futures_util::FutureExt::now_or_never(axum::body::to_bytes(resp.into_body(), 1024))
                .expect("a ready body")
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&bytes), *body, "{rules:?}");
        }
    }
}
