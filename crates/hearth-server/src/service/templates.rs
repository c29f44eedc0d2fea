//! Texts for `auto_init` (spec templates.md): the `Default` readme with Gogs' placeholders,
//! `.gitignore` blocks from GitHub's collection (the `gitignores` crate) and licence texts from the
//! SPDX list (the `license` crate), under the names Gogs shows its users.

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
