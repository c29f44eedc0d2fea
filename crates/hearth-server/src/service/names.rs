//! Name and e-mail rules (spec permissions.md §9, schemas.md B23).

use super::ServiceError;

/// Gogs' reserved names plus the top-level names of hearth's own pages and endpoints (web-ui.md §2).
const RESERVED_USER_NAMES: &[&str] = &[
    "-",
    ".",
    "..",
    ".well-known",
    "admin",
    "api",
    "assets",
    "avatar",
    "commits",
    "create",
    "css",
    "debug",
    "explore",
    "favicon.ico",
    "gists",
    "healthcheck",
    "help",
    "img",
    "install",
    "issues",
    "js",
    "less",
    "login",
    "metrics",
    "new",
    "notifications",
    "org",
    "plugins",
    "pulls",
    "raw",
    "repo",
    "robots.txt",
    "stars",
    "template",
    "user",
];

/// `AlphaDashDot`: ASCII letters, digits, `-`, `_`, `.` (the empty string passes; `Required` catches it).
pub fn is_alpha_dash_dot(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The checks Gogs makes after binding: reserved names and patterns, plus hearth's rule that new
/// names may not start with `-` or `.` (they could be read as options or hidden paths).
pub fn check_user_name_allowed(name: &str) -> Result<(), ServiceError> {
    let lower = name.trim().to_lowercase();
    if lower.is_empty()
        || RESERVED_USER_NAMES.contains(&lower.as_str())
        || lower.ends_with(".keys")
        || lower.starts_with('-')
        || lower.starts_with('.')
    {
        return Err(ServiceError::Invalid(format!("name is not allowed [name: {name}]")));
    }
    Ok(())
}

/// A plausible e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces or
/// control characters. Stricter than Gogs' unanchored pattern (a listed difference).
pub fn is_valid_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',')) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else { return false };
    if local.is_empty() || domain.contains('@') || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert!(check_user_name_allowed("alice").is_ok());
        assert!(check_user_name_allowed("a.b-c_d").is_ok());
        for bad in ["admin", "API", " assets ", "x.keys", "-x", ".x", "..", "new"] {
            assert!(check_user_name_allowed(bad).is_err(), "{bad}");
        }
        assert!(is_alpha_dash_dot("a-b.c_d9"));
        assert!(!is_alpha_dash_dot("a/b"));
        assert!(!is_alpha_dash_dot("a b"));
        assert!(!is_alpha_dash_dot("é"));
    }

    #[test]
    fn emails() {
        for ok in ["a@b.io", "first.last+tag@sub.example.com"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.io", "a@@b.io", "a b@c.io", "a@b..io", "a@-b.io", "a@b.io\n"] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }
}
