//! Validation of ref names and repository paths before they reach git or the filesystem.

/// A branch or tag name that is safe to hand to git: git's own `check-ref-format` rules plus
/// hearth's (no leading `-`, so it can never be read as an option).
pub fn is_valid_ref_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 255 || name.starts_with('-') || name.starts_with('/') {
        return false;
    }
    if name.ends_with('/') || name.ends_with('.') || name.ends_with(".lock") || name == "@" {
        return false;
    }
    if name.contains("..") || name.contains("//") || name.contains("@{") {
        return false;
    }
    if name.chars().any(|c| c.is_control() || " ~^:?*[\\\x7f".contains(c)) {
        return false;
    }
    name.split('/').all(|part| !part.starts_with('.') && !part.is_empty())
}

/// A path inside a repository tree: relative, no `.`/`..` components, no NUL, not into `.git`.
pub fn is_valid_tree_path(path: &str) -> bool {
    if path.is_empty() || path.len() > 4096 || path.starts_with('/') || path.contains('\0') {
        return false;
    }
    path.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.eq_ignore_ascii_case(".git"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs() {
        for ok in ["master", "feature/x", "v1.0", "a-b_c"] {
            assert!(is_valid_ref_name(ok), "{ok}");
        }
        for bad in ["", "-x", "--upload-pack=evil", "a..b", "a/.b", "a.lock", "a b", "a:b", "x/", "/x", "a//b", "a@{1}"]
        {
            assert!(!is_valid_ref_name(bad), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert!(is_valid_tree_path("src/main.rs"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a/./b", ".git/config", "a\0b", "a//b"] {
            assert!(!is_valid_tree_path(bad), "{bad:?}");
        }
    }
}
