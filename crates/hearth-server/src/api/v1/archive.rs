//! `GET /repos/:o/:r/archive/<ref>.tar.gz|zip`, made in-process. tar.gz is streamed as gix writes
//! it (memory stays flat whatever the repository's size); zip needs a seekable file, so it is
//! written to a scratch file that is unlinked at once and streamed from disk.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use hearth_git::archive::{self, ArchiveFormat};
use tokio_util::io::ReaderStream;

use super::git_find;
use super::streamed::{CHUNK, blocking_body};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{RepoCtx, RepoPath, TokenUser};

#[utoipa::path(get, path = "/repos/{owner}/{repo}/archive/{archive}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("archive" = String, Path, description = "<ref>.zip or <ref>.tar.gz")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 401), (status = 404)))]
pub async fn get_archive(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Response> {
    archive_response(&state, &ctx, &name).await
}

/// `<ref>.zip` or `<ref>.tar.gz` of a repository, streamed (the API's and the web UI's archives).
pub(crate) async fn archive_response(state: &AppState, ctx: &RepoCtx, name: &str) -> ApiResult<Response> {
    let (reference, format) = ArchiveFormat::split(name).ok_or_else(ApiError::not_found)?;
    let reference = reference.to_string();
    let dir = ctx.dir().to_path_buf();
    let (lookup_dir, lookup_ref) = (dir.clone(), reference.clone());
    let commit = git_find(move || archive::archive_commit(&lookup_dir, &lookup_ref)).await?;
    let prefix = ctx.repo.name.to_lowercase();

    let body = match format {
        ArchiveFormat::TarGz => {
            blocking_body(move |writer| archive::write_tar_gz(&dir, &commit, &prefix, writer).map(|_| ()))
        }
        ArchiveFormat::Zip => {
            let mut name = [0u8; 12];
            rand::fill(&mut name);
            let scratch = state.config.tmp_dir().join(format!("archive-{}.zip", hex::encode(name)));
            let file_path = scratch.clone();
            let written = tokio::task::spawn_blocking(move || -> hearth_git::GitResult<std::fs::File> {
                let mut file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&file_path)?;
                // Unlinked at once: the open handle keeps it readable, nothing is left behind.
                let _ = std::fs::remove_file(&file_path);
                archive::write_zip(&dir, &commit, &prefix, &mut file)?;
                use std::io::Seek;
                file.seek(std::io::SeekFrom::Start(0))?;
                Ok(file)
            })
            .await
            .map_err(anyhow::Error::from)?;
            let file = written.map_err(|e| ApiError::Internal(e.into()))?;
            Body::from_stream(ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK))
        }
    };
    let mut resp = Response::new(body);
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    let filename: String = format!("{}-{reference}.{}", ctx.repo.name, format.extension())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={filename}")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert("content-description", HeaderValue::from_static("File Transfer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("must-revalidate"));
    Ok(resp)
}
