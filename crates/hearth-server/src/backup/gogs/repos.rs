//! Gogs' `repositories.zip` → the `repositories/<owner>/<name>.git/` directories of a hearth dump.
//!
//! Gogs zips its whole repository root (`gogs-repositories/<owner>/<name>.git/…`). Each repository
//! the import keeps is extracted except its hooks: Gogs' `hooks/` holds scripts that call the Gogs
//! binary and `custom_hooks/` what its users added. hearth never runs a repository's own hooks (it
//! points `core.hooksPath` at its own directory), and an imported repository gets the `hooks/`
//! directory of a repository hearth creates, so the two are alike. Wikis (`<name>.wiki.git`) and
//! directories without a database row are left out with a warning; a repository row without a
//! directory gets an empty repository, as hearth creates one.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use zip::ZipArchive;

use super::map::RepoPlace;

/// The files of `hooks/` in a repository hearth creates: (name, contents, mode).
type Hooks = Vec<(std::ffi::OsString, Vec<u8>, u32)>;

/// Read `hooks/` of a fresh `hearth_git::init_bare` repository made under `scratch`.
fn template_hooks(scratch: &Path) -> anyhow::Result<Hooks> {
    let dir = scratch.join("template.git");
    hearth_git::init_bare(&dir, "master").context("creating a template repository")?;
    let mut hooks = Vec::new();
    for entry in std::fs::read_dir(dir.join("hooks"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            hooks.push((entry.file_name(), std::fs::read(entry.path())?, mode_of(&entry.metadata()?)));
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(hooks)
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o644
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o755))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
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
const SKELETON: &[&str] = &["objects/info", "objects/pack", "refs/heads", "refs/tags"];

/// Extract the kept repositories from Gogs' `repositories.zip` (None: the backup has none) into
/// `root` (`<dump>/repositories`), using `scratch` for a template; returns one warning per thing
/// left out.
pub fn extract(
    source: Option<&Path>,
    places: &[RepoPlace],
    root: &Path,
    scratch: &Path,
) -> anyhow::Result<Vec<String>> {
    let wanted: HashMap<(String, String), &RepoPlace> =
        places.iter().map(|p| ((p.owner.clone(), p.name.clone()), p)).collect();
    let path_of = |owner: &str, repo: &str| root.join(owner).join(format!("{repo}.git"));
    let mut warnings = Vec::new();
    let mut found: HashSet<(String, String)> = HashSet::new();
    let (mut wikis, mut orphans) = (BTreeSet::new(), BTreeSet::new());
    let mut custom_hooks: BTreeMap<(String, String), usize> = BTreeMap::new();
    let (mut unsafe_entries, mut links) = (0usize, 0usize);

    if let Some(source) = source {
        let mut zip = ZipArchive::new(File::open(source)?).context("repositories.zip is not a zip archive")?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i)?;
            let name = entry.name()?.into_owned();
            let Some((owner, repo, rest)) = locate(&name) else {
                if name.contains(".git/") {
                    unsafe_entries += 1;
                }
                continue;
            };
            let key = (owner.clone(), repo.clone());
            if !wanted.contains_key(&key) {
                if let Some(main) = repo.strip_suffix(".wiki") {
                    wikis.insert(format!("{owner}/{main}"));
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
            let path = rest.iter().fold(path_of(&owner, &repo), |p, part| p.join(part));
            let mode = entry.unix_mode().unwrap_or(0o644);
            if entry.is_dir() {
                std::fs::create_dir_all(&path)?;
            } else if mode & 0o170000 == 0o120000 {
                links += 1; // a symbolic link could point anywhere: never extracted
            } else {
                std::fs::create_dir_all(path.parent().expect("inside the repository"))?;
                let mut out = File::create(&path).with_context(|| format!("writing {}", path.display()))?;
                std::io::copy(&mut entry, &mut out).with_context(|| format!("extracting {name}"))?;
                set_mode(&path, mode)?;
            }
        }
    } else {
        warnings.push(
            "the backup holds no repositories.zip (made with --database-only or --exclude-repos): \
             every repository is imported empty"
                .to_string(),
        );
    }
    if unsafe_entries + links > 0 {
        warnings.push(format!(
            "repositories.zip: {} entries with unsafe paths or symbolic links skipped",
            unsafe_entries + links
        ));
    }

    let hooks = template_hooks(scratch)?;
    for place in places {
        let path = path_of(&place.owner, &place.name);
        if !found.contains(&(place.owner.clone(), place.name.clone())) {
            if source.is_some() {
                warnings.push(format!(
                    "repository {}/{} has no directory in repositories.zip; imported empty",
                    place.owner, place.name
                ));
            }
            hearth_git::init_bare(&path, &place.default_branch)
                .with_context(|| format!("creating {}/{}", place.owner, place.name))?;
            continue;
        }
        for dir in SKELETON {
            std::fs::create_dir_all(path.join(dir))?;
        }
        let hooks_dir = path.join("hooks");
        std::fs::create_dir_all(&hooks_dir)?;
        for (name, data, mode) in &hooks {
            let file: PathBuf = hooks_dir.join(name);
            std::fs::write(&file, data)?;
            set_mode(&file, *mode)?;
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

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
    fn extracts_repositories_without_gogs_hooks() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("repositories.zip");
        {
            let mut z = ZipWriter::new(File::create(&src).unwrap());
            let o = SimpleFileOptions::default();
            for (name, data) in [
                ("gogs-repositories/alice/hello.git/HEAD", "ref: refs/heads/main\n"),
                ("gogs-repositories/alice/hello.git/hooks/pre-receive", "#!/bin/sh\ngogs hook\n"),
                ("gogs-repositories/alice/hello.git/custom_hooks/update", "#!/bin/sh\nexit 1\n"),
                ("gogs-repositories/alice/hello.git/refs/heads/main", "0123\n"),
                ("gogs-repositories/alice/hello.git/../../../escape", "no\n"),
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
        let (root, scratch) = (tmp.path().join("dump/repositories"), tmp.path().join("scratch"));
        std::fs::create_dir_all(&scratch).unwrap();
        let warnings = extract(Some(&src), &places, &root, &scratch).unwrap();

        let hello = root.join("alice/hello.git");
        assert_eq!(
            std::fs::read_to_string(hello.join("HEAD")).unwrap(),
            "ref: refs/heads/main\n",
            "Gogs' files are kept"
        );
        assert_eq!(std::fs::read_to_string(hello.join("refs/heads/main")).unwrap(), "0123\n");
        assert!(!hello.join("hooks/pre-receive").exists(), "Gogs' hook scripts are dropped");
        assert!(!hello.join("custom_hooks").exists());
        assert!(hello.join("hooks/pre-push.sample").exists(), "hearth's own hooks directory instead");
        assert!(hello.join("refs/tags").is_dir() && hello.join("objects/pack").is_dir(), "the skeleton exists");
        let empty = root.join("acme/empty.git");
        assert_eq!(std::fs::read_to_string(empty.join("HEAD")).unwrap(), "ref: refs/heads/trunk\n");
        assert!(empty.join("config").exists(), "a missing directory becomes an empty repository");
        assert!(!root.join("alice/hello.wiki.git").exists() && !root.join("zed").exists());
        assert!(!tmp.path().join("escape").exists() && !root.join("escape").exists());
        assert!(!scratch.join("template.git").exists());

        let text = warnings.join("\n");
        assert!(text.contains("acme/empty has no directory"), "{text}");
        assert!(text.contains("alice/hello: 1 custom git hook"), "{text}");
        assert!(text.contains("wikis are not imported (hearth has none): alice/hello"), "{text}");
        assert!(text.contains("without an imported database row are not imported: zed/old"), "{text}");
        assert!(text.contains("1 entries with unsafe paths"), "{text}");
    }
}
