//! Texts for `auto_init` (spec templates.md): the `Default` readme with Gogs' placeholders,
//! `.gitignore` blocks from GitHub's collection (the `gitignores` crate) and licence texts from the
//! SPDX list (the `license` crate), under the names Gogs shows its users; and the issue label sets
//! (`label_sets/`) that repository creation's `issue_labels` names.

use gitignores::GitIgnore;

use super::ServiceError;

/// Gogs' licence names and their SPDX identifiers (templates.md §6.2).
const LICENSES: &[(&str, &str)] = &[
    ("Abstyles License", "Abstyles"),
    ("Academic Free License v1.1", "AFL-1.1"),
    ("Academic Free License v1.2", "AFL-1.2"),
    ("Academic Free License v2.0", "AFL-2.0"),
    ("Academic Free License v2.1", "AFL-2.1"),
    ("Academic Free License v3.0", "AFL-3.0"),
    ("Affero General Public License v1.0", "AGPL-1.0-only"),
    ("Apache License 1.0", "Apache-1.0"),
    ("Apache License 1.1", "Apache-1.1"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Artistic License 1.0", "Artistic-1.0"),
    ("Artistic License 2.0", "Artistic-2.0"),
    ("BSD 2-clause License", "BSD-2-Clause"),
    ("BSD 3-clause License", "BSD-3-Clause"),
    ("BSD 4-clause License", "BSD-4-Clause"),
    ("Creative Commons CC0 1.0 Universal", "CC0-1.0"),
    ("Educational Community License v1.0", "ECL-1.0"),
    ("Educational Community License v2.0", "ECL-2.0"),
    ("Eclipse Public License 1.0", "EPL-1.0"),
    ("GNU Affero General Public License v3.0", "AGPL-3.0-only"),
    ("GNU Free Documentation License v1.1", "GFDL-1.1-only"),
    ("GNU Free Documentation License v1.2", "GFDL-1.2-only"),
    ("GNU Free Documentation License v1.3", "GFDL-1.3-only"),
    ("GNU General Public License v1.0", "GPL-1.0-only"),
    ("GNU General Public License v2.0", "GPL-2.0-only"),
    ("GNU General Public License v3.0", "GPL-3.0-only"),
    ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
    ("GNU Lesser General Public License v3.0", "LGPL-3.0-only"),
    ("GNU Library General Public License v2.0", "LGPL-2.0-only"),
    ("ISC license", "ISC"),
    ("MIT License", "MIT"),
    ("Mozilla Public License 1.0", "MPL-1.0"),
    ("Mozilla Public License 1.1", "MPL-1.1"),
    ("Mozilla Public License 2.0", "MPL-2.0"),
];

/// The values a readme template may use.
pub struct ReadmeVars<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub clone_url_ssh: &'a str,
    pub clone_url_https: &'a str,
}

/// The `Default` readme (the only one Gogs ships; an empty name means it too).
pub fn readme(template: &str, vars: &ReadmeVars<'_>) -> Result<String, ServiceError> {
    match template {
        "" | "Default" => Ok(expand("# {Name}\n\n{Description}", vars)),
        other => Err(unknown("readme", other)),
    }
}

/// Gogs' placeholder scanner: known `{Key}`s are replaced (values are not scanned again), unknown
/// ones become `Missing`, an unclosed `{` is copied literally.
fn expand(template: &str, vars: &ReadmeVars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + vars.description.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        out.push_str(match &after[..close] {
            "Name" => vars.name,
            "Description" => vars.description,
            "CloneURL.SSH" => vars.clone_url_ssh,
            "CloneURL.HTTPS" => vars.clone_url_https,
            _ => "Missing",
        });
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Every `.gitignore` template name creation accepts, sorted (the API's template list).
pub fn gitignore_names() -> Vec<&'static str> {
    fn names<G: GitIgnore + Copy>() -> impl Iterator<Item = &'static str> {
        G::list().into_iter().filter_map(G::get).filter_map(|g| g.file_name().strip_suffix(".gitignore"))
    }
    let mut all: Vec<&'static str> = names::<gitignores::Root>()
        .chain(names::<gitignores::Global>())
        .chain(names::<gitignores::Community>())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// One `.gitignore` template's text, by the name creation accepts.
pub fn gitignore_template(name: &str) -> Option<&'static str> {
    find_gitignore(name)
}

/// Every licence name creation accepts, in Gogs' order.
pub fn license_names() -> impl Iterator<Item = &'static str> {
    LICENSES.iter().map(|(name, _)| *name)
}

fn find_gitignore(name: &str) -> Option<&'static str> {
    fn search<G: GitIgnore + Copy>(name: &str) -> Option<&'static str> {
        G::list()
            .into_iter()
            .filter_map(G::get)
            .find(|g| g.file_name().strip_suffix(".gitignore") == Some(name))
            .map(G::contents)
    }
    search::<gitignores::Root>(name)
        .or_else(|| search::<gitignores::Global>(name))
        .or_else(|| search::<gitignores::Community>(name))
}

/// `.gitignore` for a comma-separated list of template names (not trimmed, as Gogs).
pub fn gitignore(names: &str) -> Result<String, ServiceError> {
    let mut out = String::new();
    for name in names.split(',') {
        let text = find_gitignore(name).ok_or_else(|| unknown("gitignore", name))?;
        out.push_str("# ---> ");
        out.push_str(name);
        out.push('\n');
        out.push_str(text);
        out.push('\n');
    }
    Ok(out)
}

/// The licence text for one of Gogs' licence names.
pub fn license(name: &str) -> Result<String, ServiceError> {
    let spdx = LICENSES.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).ok_or_else(|| unknown("license", name))?;
    let license: &dyn license::License = spdx.parse().map_err(|_| unknown("license", name))?;
    Ok(license.text().to_string())
}

/// The label sets, by name, sorted (Gitea's two: `Advanced` and `Default`, written for hearth).
///
/// The file format, one label per line: `[exclusive ]#rrggbb name ; description`. The name may
/// contain spaces; `exclusive` marks a label that excludes the other labels of its scope (the part
/// of its name before the last `/`, as Gitea's scoped labels do). Blank lines are ignored.
const LABEL_SETS: &[(&str, &str)] =
    &[("Advanced", include_str!("label_sets/Advanced")), ("Default", include_str!("label_sets/Default"))];

/// One label of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelTemplate {
    pub name: String,
    /// `#rrggbb`, as labels are stored.
    pub color: String,
    pub description: String,
    pub exclusive: bool,
}

/// Every label set name creation accepts, sorted.
pub fn label_set_names() -> impl Iterator<Item = &'static str> {
    LABEL_SETS.iter().map(|(name, _)| *name)
}

/// The labels of a set, in file order; an unknown name is a 422 (as for the other templates).
pub fn label_set(name: &str) -> Result<Vec<LabelTemplate>, ServiceError> {
    let text = LABEL_SETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).ok_or_else(|| unknown("label", name))?;
    parse_label_set(text).map_err(|line| {
        ServiceError::Internal(anyhow::anyhow!(
            "label set {name}: line {line} is not `[exclusive ]#rrggbb name ; description`"
        ))
    })
}

/// Parse a label set; `Err` names the first bad line (1-based).
fn parse_label_set(text: &str) -> Result<Vec<LabelTemplate>, usize> {
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (exclusive, rest) = match line.strip_prefix("exclusive ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, line),
        };
        let (color, rest) = rest.split_once(' ').ok_or(i + 1)?;
        let (name, description) = match rest.split_once(" ; ") {
            Some((name, description)) => (name.trim(), description.trim()),
            None => (rest.trim(), ""),
        };
        let hex = color.strip_prefix('#').ok_or(i + 1)?;
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) || name.is_empty() {
            return Err(i + 1);
        }
        labels.push(LabelTemplate {
            name: name.to_string(),
            color: color.to_ascii_lowercase(),
            description: description.to_string(),
            exclusive,
        });
    }
    Ok(labels)
}

fn unknown(kind: &str, name: &str) -> ServiceError {
    ServiceError::Invalid(format!("{kind} template does not exist: {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(description: &'a str) -> ReadmeVars<'a> {
        ReadmeVars {
            name: "demo",
            description,
            clone_url_ssh: "git@h:o/demo.git",
            clone_url_https: "http://h/o/demo.git",
        }
    }

    #[test]
    fn default_readme_bytes() {
        assert_eq!(readme("Default", &vars("")).unwrap(), "# demo\n\n");
        assert_eq!(readme("", &vars("A demo")).unwrap(), "# demo\n\nA demo");
        assert!(readme("Fancy", &vars("")).is_err());
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            expand("{Name} {CloneURL.HTTPS} {X} {Description}", &vars("{Name}")),
            "demo http://h/o/demo.git Missing {Name}"
        );
        assert_eq!(expand("a {Name", &vars("")), "a {Name");
    }

    #[test]
    fn gitignores_by_gogs_name() {
        let text = gitignore("Go,C++,macOS").unwrap();
        assert!(text.starts_with("# ---> Go\n"), "{text}");
        assert!(text.contains("# ---> C++\n"));
        assert!(text.contains("# ---> macOS\n"));
        assert!(gitignore("Go, Rust").is_err(), "names are not trimmed");
        assert!(gitignore("../../etc/passwd").is_err());
    }

    #[test]
    fn label_sets_parse() {
        assert_eq!(label_set_names().collect::<Vec<_>>(), ["Advanced", "Default"]);
        for name in label_set_names() {
            let set = label_set(name).unwrap();
            assert!(!set.is_empty(), "{name}");
        }
        let default = label_set("Default").unwrap();
        let names: Vec<&str> = default.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["bug", "duplicate", "enhancement", "help wanted", "invalid", "question", "wontfix"]);
        assert_eq!(default[3].color, "#128a0c");
        assert!(default.iter().all(|l| !l.exclusive));
        let advanced = label_set("Advanced").unwrap();
        let critical = advanced.iter().find(|l| l.name == "Priority/Critical").unwrap();
        assert!(critical.exclusive);
        assert_eq!(critical.color, "#b71c1c");
        assert!(label_set("default").is_err(), "names are exact");
        assert!(label_set("../Default").is_err());
    }

    #[test]
    fn label_set_format() {
        let set = parse_label_set("\n#AABBCC a b ; c d\nexclusive #000000 x/y\n").unwrap();
        assert_eq!(
            set,
            [
                LabelTemplate {
                    name: "a b".into(),
                    color: "#aabbcc".into(),
                    description: "c d".into(),
                    exclusive: false
                },
                LabelTemplate {
                    name: "x/y".into(),
                    color: "#000000".into(),
                    description: String::new(),
                    exclusive: true
                },
            ]
        );
        assert_eq!(parse_label_set("#12345 short"), Err(1));
        assert_eq!(parse_label_set("#123456 ok\nnocolour"), Err(2));
        assert_eq!(parse_label_set("123456 nohash"), Err(1));
        assert_eq!(parse_label_set("#123456 "), Err(1));
    }

    #[test]
    fn licenses_by_gogs_name() {
        assert!(license("MIT License").unwrap().contains("Permission is hereby granted"));
        assert!(license("Apache License 2.0").unwrap().contains("Apache License"));
        assert!(license("ISC license").is_ok());
        assert!(license("Apache v2 License").is_err());
        for (name, _) in LICENSES {
            assert!(license(name).is_ok(), "{name}");
        }
    }
}
