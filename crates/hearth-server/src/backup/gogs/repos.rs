//! Gogs' `repositories.zip` → the `repositories/<owner>/<name>.git/…` entries of a hearth dump.
//!
//! Gogs zips its whole repository root (`gogs-repositories/<owner>/<name>.git/…`). Each repository
//! the import keeps is copied entry by entry, still compressed, except its hooks: Gogs' `hooks/`
//! holds scripts that call the Gogs binary and `custom_hooks/` what its users added. hearth never
//! runs a repository's own hooks (it points `core.hooksPath` at its own directory), and an imported
//! repository gets the `hooks/` directory of a repository hearth creates, so the two are alike.
//! Wikis (`<name>.wiki.git`) and directories without a database row are left out with a warning;
//! a repository row without a directory gets an empty repository.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Seek, Write};
use std::path::{Component, Path};

use anyhow::Context;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::map::RepoPlace;

/// A file or directory of a freshly created hearth repository, relative to its root.
pub struct TemplateEntry {
    pub path: String,
    pub data: Option<Vec<u8>>,
    pub mode: u32,
}

/// What `hearth_git::init_bare` makes, read from a scratch repository.
pub fn template(scratch: &Path) -> anyhow::Result<Vec<TemplateEntry>> {
    let mut suffix = [0u8; 8];
    rand::fill(&mut suffix);
    let dir = scratch.join(format!("import-template-{}.git", hex::encode(suffix)));
    hearth_git::init_bare(&dir, "master").context("creating a template repository")?;
    let entries = walk(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    entries
}

fn walk(root: &Path) -> anyhow::Result<Vec<TemplateEntry>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut children: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        children.sort_by_key(|e| e.file_name());
        for child in children {
            let path = child.path();
            let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
            let meta = child.metadata()?;
            let mode = unix_mode(&meta);
            if meta.is_dir() {
                out.push(TemplateEntry { path: rel, data: None, mode: mode | 0o755 });
                stack.push(path);
            } else {
                out.push(TemplateEntry { path: rel, data: Some(std::fs::read(&path)?), mode });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(unix)]
fn unix_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn unix_mode(meta: &std::fs::Metadata) -> u32 {
    if meta.is_dir() { 0o755 } else { 0o644 }
}

/// Where an entry of `repositories.zip` belongs: `(owner, repository directory, rest)`, all
/// lower-cased except `rest`; None for entries outside any `<owner>/<name>.git/` or with a path
/// that could leave the directory it is extracted into.
fn locate(name: &str) -> Option<(String, String, Vec<String>)> {
    if name.contains('\\') || Path::new(name).components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    let at = parts.iter().enumerate().skip(1).find(|(_, p)| p.ends_with(".git")).map(|(i, _)| i)?;
    let repo = parts[at].strip_suffix(".git")?.to_lowercase();
    Some((parts[at - 1].to_lowercase(), repo, parts[at + 1..].iter().map(|s| s.to_string()).collect()))
}

/// Directories every bare repository needs, whether or not the zip lists them.
const SKELETON: &[&str] = &["objects", "objects/info", "objects/pack", "refs", "refs/heads", "refs/tags"];

/// Copy the kept repositories from Gogs' `repositories.zip` (None: the backup has none) into
/// `out`; returns one warning per thing left out.
pub fn copy<W: Write + Seek>(
    source: Option<&Path>,
    places: &[RepoPlace],
    template: &[TemplateEntry],
    out: &mut ZipWriter<W>,
) -> anyhow::Result<Vec<String>> {
    let wanted: HashMap<(String, String), &RepoPlace> =
        places.iter().map(|p| ((p.owner.clone(), p.name.clone()), p)).collect();
    let mut warnings = Vec::new();
    let mut written: HashSet<String> = HashSet::new();
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    let (mut wikis, mut orphans) = (BTreeSet::new(), BTreeSet::new());
    let mut custom_hooks: BTreeMap<(String, String), usize> = BTreeMap::new();
    let dir_options = SimpleFileOptions::default().unix_permissions(0o755);

    if let Some(source) = source {
        let file = std::fs::File::open(source)?;
        let mut zip = ZipArchive::new(file).context("repositories.zip is not a zip archive")?;
        let mut unsafe_entries = 0usize;
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i)?;
            let name = entry.name()?.into_owned();
            let Some((owner, repo, rest)) = locate(&name) else {
                if !entry.is_dir() && name.contains(".git/") {
                    unsafe_entries += 1;
                }
                continue;
            };
            let key = (owner.clone(), repo.clone());
            if !wanted.contains_key(&key) {
                if repo.ends_with(".wiki") {
                    wikis.insert(format!("{owner}/{}", repo.trim_end_matches(".wiki")));
                } else {
                    orphans.insert(format!("{owner}/{repo}"));
                }
                continue;
            }
            found.insert(key.clone());
            match rest.first().map(String::as_str) {
                Some("hooks") => continue,
                Some("custom_hooks") => {
                    if !entry.is_dir() {
                        *custom_hooks.entry(key).or_default() += 1;
                    }
                    continue;
                }
                _ => {}
            }
            let target = dump_path(&owner, &repo, &rest.join("/"));
            if entry.is_dir() || rest.is_empty() {
                add_dir(out, &mut written, &target, dir_options)?;
            } else {
                ensure_parents(out, &mut written, &target, dir_options)?;
                if written.insert(target.clone()) {
                    out.raw_copy_file_rename(entry, &target).with_context(|| format!("copying {name}"))?;
                }
            }
        }
        if unsafe_entries > 0 {
            warnings.push(format!("repositories.zip: {unsafe_entries} entries with unsafe paths skipped"));
        }
    } else {
        warnings.push("the backup holds no repositories.zip (made with --database-only or --exclude-repos): every repository is imported empty".to_string());
    }

    for place in places {
        let key = (place.owner.clone(), place.name.clone());
        let missing = !found.contains(&key);
        if missing && source.is_some() {
            warnings.push(format!(
                "repository {}/{} has no directory in repositories.zip; imported empty",
                place.owner, place.name
            ));
        }
        for t in template {
            // A kept repository takes only hearth's hooks; a missing one the whole template.
            let is_hook = t.path == "hooks" || t.path.starts_with("hooks/");
            if !missing && !is_hook {
                continue;
            }
            let target = dump_path(&place.owner, &place.name, &t.path);
            match &t.data {
                None => add_dir(out, &mut written, &target, dir_options)?,
                Some(data) => {
                    let data = if t.path == "HEAD" {
                        format!("ref: refs/heads/{}\n", place.default_branch).into_bytes()
                    } else {
                        data.clone()
                    };
                    ensure_parents(out, &mut written, &target, dir_options)?;
                    if written.insert(target.clone()) {
                        let options = SimpleFileOptions::default()
                            .compression_method(CompressionMethod::Deflated)
                            .unix_permissions(t.mode);
                        out.start_file(&target, options)?;
                        out.write_all(&data)?;
                    }
                }
            }
        }
        for dir in SKELETON {
            add_dir(out, &mut written, &dump_path(&place.owner, &place.name, dir), dir_options)?;
        }
    }

    for ((owner, repo), n) in custom_hooks {
        warnings.push(format!(
            "repository {owner}/{repo}: {n} custom git hook file(s) not imported (hearth never runs a repository's own hooks)"
        ));
    }
    if !wikis.is_empty() {
        let list: Vec<_> = wikis.into_iter().collect();
        warnings.push(format!("wikis are not imported (hearth has none): {}", list.join(", ")));
    }
    if !orphans.is_empty() {
        let list: Vec<_> = orphans.into_iter().collect();
        warnings.push(format!(
            "repository directories without an imported database row are not imported: {}",
            list.join(", ")
        ));
    }
    Ok(warnings)
}

fn dump_path(owner: &str, repo: &str, rest: &str) -> String {
    if rest.is_empty() {
        format!("repositories/{owner}/{repo}.git")
    } else {
        format!("repositories/{owner}/{repo}.git/{rest}")
    }
}

fn add_dir<W: Write + Seek>(
    out: &mut ZipWriter<W>,
    written: &mut HashSet<String>,
    path: &str,
    options: SimpleFileOptions,
) -> anyhow::Result<()> {
    ensure_parents(out, written, path, options)?;
    let name = format!("{}/", path.trim_end_matches('/'));
    if written.insert(name.clone()) {
        out.add_directory(&name, options)?;
    }
    Ok(())
}

/// Directory entries for every parent of `path` inside `repositories/` (extractors that only
/// create directories they are told about still get a complete tree).
fn ensure_parents<W: Write + Seek>(
    out: &mut ZipWriter<W>,
    written: &mut HashSet<String>,
    path: &str,
    options: SimpleFileOptions,
) -> anyhow::Result<()> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for i in 1..parts.len() {
        let name = format!("{}/", parts[..i].join("/"));
        if written.insert(name.clone()) {
            out.add_directory(&name, options)?;
        }
    }
    Ok(())
}

/// Read every file of a zip into memory (for tests).
#[cfg(test)]
pub fn entries<R: std::io::Read + Seek>(zip: &mut ZipArchive<R>) -> BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.insert(e.name().unwrap().into_owned(), data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_repository_entries() {
        assert_eq!(
            locate("gogs-repositories/Alice/Hello.git/refs/heads/master"),
            Some(("alice".into(), "hello".into(), vec!["refs".into(), "heads".into(), "master".into()]))
        );
        assert_eq!(locate("gogs-repositories/alice/hello.git/"), Some(("alice".into(), "hello".into(), vec![])));
        assert_eq!(locate("gogs-repositories/alice/"), None);
        assert_eq!(locate("gogs-repositories/../alice/x.git/HEAD"), None, "no way out");
        assert_eq!(locate("/abs/alice/x.git/HEAD"), None);
        assert_eq!(locate("x.git/HEAD"), None, "an owner is needed");
    }

    #[test]
    fn copies_repositories_without_gogs_hooks() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("repositories.zip");
        {
            let mut z = ZipWriter::new(std::fs::File::create(&src).unwrap());
            let o = SimpleFileOptions::default();
            for (name, data) in [
                ("gogs-repositories/alice/hello.git/HEAD", "ref: refs/heads/main\n"),
                ("gogs-repositories/alice/hello.git/hooks/pre-receive", "#!/bin/sh\ngogs hook\n"),
                ("gogs-repositories/alice/hello.git/custom_hooks/update", "#!/bin/sh\nexit 1\n"),
                ("gogs-repositories/alice/hello.git/refs/heads/main", "0123\n"),
                ("gogs-repositories/alice/hello.wiki.git/HEAD", "ref: refs/heads/master\n"),
                ("gogs-repositories/zed/old.git/HEAD", "ref: refs/heads/master\n"),
            ] {
                z.start_file(name, o).unwrap();
                z.write_all(data.as_bytes()).unwrap();
            }
            z.finish().unwrap();
        }
        let places = [
            RepoPlace { id: 1, owner: "alice".into(), name: "hello".into(), default_branch: "main".into() },
            RepoPlace { id: 2, owner: "acme".into(), name: "empty".into(), default_branch: "trunk".into() },
        ];
        let template = template(tmp.path()).unwrap();
        assert!(template.iter().any(|t| t.path.starts_with("hooks/") && t.path.ends_with(".sample")));
        let out_path = tmp.path().join("dump.zip");
        let mut out = ZipWriter::new(std::fs::File::create(&out_path).unwrap());
        let warnings = copy(Some(&src), &places, &template, &mut out).unwrap();
        out.finish().unwrap();

        let files = entries(&mut ZipArchive::new(std::fs::File::open(&out_path).unwrap()).unwrap());
        let hello = |p: &str| files.get(&format!("repositories/alice/hello.git/{p}")).cloned();
        assert_eq!(hello("HEAD").unwrap(), b"ref: refs/heads/main\n", "Gogs' own files are kept");
        assert_eq!(hello("refs/heads/main").unwrap(), b"0123\n");
        assert!(hello("hooks/pre-receive").is_none(), "Gogs' hook scripts are dropped");
        assert!(hello("custom_hooks/update").is_none());
        assert!(hello("hooks/pre-push.sample").is_some(), "hearth's own hooks directory instead");
        assert!(hello("refs/tags/").is_some(), "the skeleton directories exist");
        let empty = |p: &str| files.get(&format!("repositories/acme/empty.git/{p}")).cloned();
        assert_eq!(
            empty("HEAD").unwrap(),
            b"ref: refs/heads/trunk\n",
            "a missing directory becomes an empty repository"
        );
        assert!(empty("config").is_some());
        assert!(!files.keys().any(|k| k.contains("wiki") || k.contains("zed")));

        let text = warnings.join("\n");
        assert!(text.contains("acme/empty has no directory"), "{text}");
        assert!(text.contains("alice/hello: 1 custom git hook"), "{text}");
        assert!(text.contains("wikis are not imported (hearth has none): alice/hello"), "{text}");
        assert!(text.contains("without an imported database row are not imported: zed/old"), "{text}");
    }
}
