//! Branch and tag writes made in-process (the branch and tag APIs), each a single ref transaction
//! with a precondition (the ref must not exist / must still point where it did), and the reads of
//! tags and annotated tag objects the tag and Git data APIs show.

use std::path::Path;

use gix::bstr::ByteSlice;
use gix::refs::Target;
use gix::refs::transaction::{Change, PreviousValue, RefEdit, RefLog};

use crate::names::is_valid_ref_name;
use crate::repo::{commit_info, open};
use crate::{CommitInfo, GitError, GitResult, Person};

/// Why a ref could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefRefusal {
    InvalidName,
    /// The ref exists.
    Exists,
    /// A ref on the path exists (`a` when creating `a/b`, or `a/b` when creating `a`).
    NameConflict,
}

fn parse_id(id: &str) -> GitResult<gix::ObjectId> {
    gix::ObjectId::from_hex(id.as_bytes()).map_err(GitError::git)
}

/// Whether creating `full` would clash with an existing ref as a file or a directory.
fn name_conflict(repo: &gix::Repository, full: &str) -> GitResult<bool> {
    let parts: Vec<&str> = full.split('/').collect();
    // `refs/heads/a/b`: `refs/heads/a` must not be a ref.
    for depth in 3..parts.len() {
        let prefix = parts[..depth].join("/");
        if repo.try_find_reference(prefix.as_str()).map_err(GitError::git)?.is_some() {
            return Ok(true);
        }
    }
    let below = format!("{full}/");
    let refs = repo.references().map_err(GitError::git)?;
    let mut iter = refs.prefixed(below.as_str()).map_err(GitError::git)?;
    Ok(iter.next().is_some())
}

fn check_new(repo: &gix::Repository, full: &str) -> GitResult<Result<(), RefRefusal>> {
    if repo.try_find_reference(full).map_err(GitError::git)?.is_some() {
        return Ok(Err(RefRefusal::Exists));
    }
    if name_conflict(repo, full)? {
        return Ok(Err(RefRefusal::NameConflict));
    }
    Ok(Ok(()))
}

/// Create `refs/heads/<name>` at `commit` (an object id), only if it does not exist.
pub fn create_branch(path: &Path, name: &str, commit: &str) -> GitResult<Result<(), RefRefusal>> {
    if !is_valid_ref_name(name) {
        return Ok(Err(RefRefusal::InvalidName));
    }
    let repo = open(path)?;
    let full = format!("refs/heads/{name}");
    if let Err(refusal) = check_new(&repo, &full)? {
        return Ok(Err(refusal));
    }
    let id = parse_id(commit)?;
    match repo.reference(full.as_str(), id, PreviousValue::MustNotExist, "branch: created") {
        Ok(_) => Ok(Ok(())),
        // Lost a race with another writer of the same name.
        Err(_) if repo.try_find_reference(full.as_str()).map_err(GitError::git)?.is_some() => {
            Ok(Err(RefRefusal::Exists))
        }
        Err(e) => Err(GitError::git(e)),
    }
}

/// Create the tag `name` at `commit` (an object id): lightweight without an annotation, else an
/// annotated tag object by the tagger with the message. Returns what the ref points at (the tag
/// object for annotated tags).
pub fn create_tag(
    path: &Path,
    name: &str,
    commit: &str,
    annotation: Option<(&str, &Person)>,
) -> GitResult<Result<String, RefRefusal>> {
    if !is_valid_ref_name(name) {
        return Ok(Err(RefRefusal::InvalidName));
    }
    let repo = open(path)?;
    let full = format!("refs/tags/{name}");
    if let Err(refusal) = check_new(&repo, &full)? {
        return Ok(Err(refusal));
    }
    let id = parse_id(commit)?;
    let created = match annotation {
        None => repo.tag_reference(name, id, PreviousValue::MustNotExist),
        Some((message, tagger)) => {
            // As `git tag -m`: the message ends with one newline.
            let message = format!("{}\n", message.trim_end());
            let sig = gix::actor::Signature {
                name: tagger.name.as_str().into(),
                email: tagger.email.as_str().into(),
                time: gix::date::Time::new(tagger.time, 0),
            };
            let mut buf = gix::date::parse::TimeBuf::default();
            repo.tag(
                name,
                id,
                gix::object::Kind::Commit,
                Some(sig.to_ref(&mut buf)),
                message,
                PreviousValue::MustNotExist,
            )
        }
    };
    match created {
        Ok(r) => Ok(Ok(r.target().try_id().map(|i| i.to_string()).unwrap_or_default())),
        Err(_) if repo.try_find_reference(full.as_str()).map_err(GitError::git)?.is_some() => {
            Ok(Err(RefRefusal::Exists))
        }
        Err(e) => Err(GitError::git(e)),
    }
}

/// Delete the ref `full` (`refs/heads/x`, `refs/tags/v1`) if it still points where it pointed
/// when read; returns that old value, or `None` when there was no such ref.
pub fn delete_ref(path: &Path, full: &str) -> GitResult<Option<String>> {
    let short = full.strip_prefix("refs/heads/").or_else(|| full.strip_prefix("refs/tags/")).unwrap_or("");
    if !is_valid_ref_name(short) {
        return Ok(None);
    }
    let repo = open(path)?;
    let Some(r) = repo.try_find_reference(full).map_err(GitError::git)? else { return Ok(None) };
    let Some(old) = r.target().try_id().map(|i| i.to_owned()) else { return Ok(None) };
    let name = r.name().to_owned();
    repo.edit_reference(RefEdit {
        change: Change::Delete {
            expected: PreviousValue::MustExistAndMatch(Target::Object(old)),
            log: RefLog::AndReference,
        },
        name,
        deref: false,
    })
    .map_err(GitError::git)?;
    Ok(Some(old.to_string()))
}

/// A signature as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    pub name: String,
    pub email: String,
    pub time: i64,
    /// Seconds east of UTC.
    pub offset: i32,
}

/// A tag as Gitea's Tag shape shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TagDetail {
    pub name: String,
    /// The tag object for annotated tags, else the commit.
    pub id: String,
    /// The tag's message, or the commit's for a lightweight tag.
    pub message: String,
    /// The tagger, or the commit's committer for a lightweight tag.
    pub tagger: Signer,
    /// The commit the tag finally points at.
    pub commit: CommitInfo,
}

fn signer(sig: gix::actor::SignatureRef<'_>) -> Signer {
    let t = sig.time().unwrap_or_default();
    Signer {
        name: sig.name.to_str_lossy().trim().to_string(),
        email: sig.email.to_str_lossy().trim().to_string(),
        time: t.seconds,
        offset: t.offset,
    }
}

/// One tag by its short name (which may contain `/`), if it leads to a commit.
pub fn tag(path: &Path, name: &str) -> GitResult<Option<TagDetail>> {
    if !is_valid_ref_name(name) {
        return Ok(None);
    }
    let repo = open(path)?;
    let full = format!("refs/tags/{name}");
    let Some(mut r) = repo.try_find_reference(full.as_str()).map_err(GitError::git)? else { return Ok(None) };
    let Some(id) = r.target().try_id().map(|i| i.to_owned()) else { return Ok(None) };
    let Ok(commit) = r.peel_to_commit() else { return Ok(None) };
    let commit = commit_info(&commit)?;
    let object = repo.find_object(id).map_err(GitError::git)?;
    let annotated = match object.try_into_tag() {
        Ok(t) => {
            let decoded = t.decode().map_err(GitError::git)?;
            let tagger = decoded.tagger().ok().flatten().map(signer);
            Some((decoded.message.to_str_lossy().into_owned(), tagger))
        }
        Err(_) => None,
    };
    let committer = Signer {
        name: commit.committer_name.clone(),
        email: commit.committer_email.clone(),
        time: commit.committer_time,
        offset: commit.committer_offset,
    };
    let (message, tagger) = match annotated {
        Some((message, tagger)) => (message, tagger.unwrap_or(committer)),
        None => (commit.message.clone(), committer),
    };
    Ok(Some(TagDetail { name: name.to_string(), id: id.to_string(), message, tagger, commit }))
}

/// An annotated tag object as Gitea's AnnotatedTag shape shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotatedTag {
    pub id: String,
    /// The name recorded in the tag object.
    pub name: String,
    pub message: String,
    pub tagger: Option<Signer>,
    /// The commit the tag leads to (through nested tags).
    pub commit: String,
}

/// What an id names, for the annotated-tag route.
#[derive(Debug, Clone, PartialEq)]
pub enum TagObject {
    Tag(AnnotatedTag),
    /// The object exists but is not a tag (or leads to no commit).
    NotATag,
    Missing,
}

/// The annotated tag object with the full id `sha`.
pub fn annotated_tag(path: &Path, sha: &str) -> GitResult<TagObject> {
    let repo = open(path)?;
    let Ok(id) = gix::ObjectId::from_hex(sha.as_bytes()) else { return Ok(TagObject::Missing) };
    let Ok(object) = repo.find_object(id) else { return Ok(TagObject::Missing) };
    let Ok(tag) = object.try_into_tag() else { return Ok(TagObject::NotATag) };
    let decoded = tag.decode().map_err(GitError::git)?;
    let (name, message) = (decoded.name.to_str_lossy().into_owned(), decoded.message.to_str_lossy().into_owned());
    let tagger = decoded.tagger().ok().flatten().map(signer);
    let target = decoded.target();
    let Ok(commit) = repo.find_object(target).map_err(GitError::git)?.peel_to_commit() else {
        return Ok(TagObject::NotATag);
    };
    Ok(TagObject::Tag(AnnotatedTag { id: sha.to_string(), name, message, tagger, commit: commit.id.to_string() }))
}
