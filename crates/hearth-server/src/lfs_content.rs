//! Files stored with Git LFS, as the raw and contents endpoints serve them: a blob that is an LFS
//! pointer to an object this repository has is answered with the object's content (streamed from
//! the object store) and the size the pointer gives, not with the pointer's three lines.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

use crate::api::v1::contents::raw_headers;
use crate::app::AppState;
use crate::lfs::{object_path, valid_oid};

/// The first line of every LFS pointer (the v1 spec; git-lfs writes only this one).
const VERSION_LINE: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";
/// Pointers are small: git-lfs itself does not read a blob larger than this as one.
const MAX_POINTER: usize = 1024;
/// How much of an object is read to tell text from binary and to recognise images.
const SNIFF: usize = 8000;
/// Read size when streaming an object.
const CHUNK: usize = 64 * 1024;

/// What a pointer file names: the object's SHA-256 and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    pub oid: String,
    pub size: u64,
}

impl Pointer {
    /// `data` read as an LFS pointer: the version line first, then `key value` lines including
    /// `oid sha256:<64 hex>` and `size <n>`, each ending in a newline. Anything else is a file.
    pub fn parse(data: &[u8]) -> Option<Pointer> {
        if data.len() > MAX_POINTER || !data.starts_with(VERSION_LINE) || !data.ends_with(b"\n") {
            return None;
        }
        let text = std::str::from_utf8(&data[VERSION_LINE.len()..]).ok()?;
        let (mut oid, mut size) = (None, None);
        for line in text.lines() {
            let (key, value) = line.split_once(' ')?;
            match key {
                "oid" => oid = Some(value.strip_prefix("sha256:").filter(|o| valid_oid(o))?.to_string()),
                "size" if value.bytes().all(|b| b.is_ascii_digit()) => size = Some(value.parse().ok()?),
                "size" => return None,
                // Extension lines (`ext-0-…`) and future keys are allowed by the spec.
                _ if !key.is_empty()
                    && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') => {}
                _ => return None,
            }
        }
        Some(Pointer { oid: oid?, size: size? })
    }
}

/// An LFS object this repository has, ready to be read.
#[derive(Debug, Clone)]
pub struct Object {
    pub path: PathBuf,
    pub size: u64,
}

/// The object `data` points to, when `data` is a pointer, LFS is on, and the repository has the
/// object (linked to it, present with the pointer's size). Otherwise the blob is served as it is.
pub async fn resolve(state: &AppState, repo_id: i64, data: &[u8]) -> Option<Object> {
    if !state.config.lfs.enabled {
        return None;
    }
    let pointer = Pointer::parse(data)?;
    let mut h = state.db.acquire().await.ok()?;
    let row = hearth_store::lfs::find(h.conn(), repo_id, &pointer.oid).await.ok()??;
    drop(h);
    let path = object_path(&state.config.lfs.objects_path, &pointer.oid);
    let meta = tokio::fs::metadata(&path).await.ok()?;
    (meta.is_file() && meta.len() == pointer.size && row.size as u64 == pointer.size)
        .then_some(Object { path, size: pointer.size })
}

/// The whole object in memory, when it is at most `max` bytes (for answers that embed it).
pub async fn read_small(object: &Object, max: u64) -> Option<Vec<u8>> {
    if object.size > max {
        return None;
    }
    tokio::fs::read(&object.path).await.ok().filter(|d| d.len() as u64 == object.size)
}

/// The raw endpoints' answer for an LFS file: headers chosen from its first bytes as for any
/// file (`raw_headers`), the content streamed from the object store.
pub async fn raw_response(file_name: &str, object: &Object) -> Response {
    let opened = async {
        let mut file = tokio::fs::File::open(&object.path).await?;
        let mut head = vec![0u8; SNIFF.min(object.size as usize)];
        file.read_exact(&mut head).await?;
        Ok::<_, std::io::Error>((file, head))
    };
    let (file, head) = match opened.await {
        Ok(opened) => opened,
        Err(e) => {
            tracing::error!(error = %e, path = %object.path.display(), "lfs object unreadable");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response();
        }
    };
    let mut parts = Response::new(()).into_parts().0;
    parts.headers = raw_headers(file_name, &head);
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.size));
    // The sniffed head goes first, then the rest of the file as it is read.
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(axum::body::Bytes::from(head)) });
    let body = Body::from_stream(first.chain(ReaderStream::with_capacity(file, CHUNK)));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    #[test]
    fn pointers_and_files() {
        let pointer = format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 12345\n");
        assert_eq!(Pointer::parse(pointer.as_bytes()), Some(Pointer { oid: OID.to_string(), size: 12345 }));
        // Extension lines are allowed; order of the known keys does not matter.
        let ext =
            format!("version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{OID}\nsize 1\noid sha256:{OID}\n");
        assert_eq!(Pointer::parse(ext.as_bytes()).map(|p| p.size), Some(1));
        for not_one in [
            "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n".to_string(),
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize -1\n"),
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\n"),
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 1"),
            format!("version https://git-lfs.github.com/spec/v2\noid sha256:{OID}\nsize 1\n"),
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1\n", OID.to_uppercase()),
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 1\nBad key\n"),
            "hello\n".to_string(),
        ] {
            assert_eq!(Pointer::parse(not_one.as_bytes()), None, "{not_one:?}");
        }
    }
}
