//! Access token scopes as Gitea (1.22–1.23) defines them (models/auth/access_token_scope.go): a
//! category (`repository`, `issue`, …) at a level (`read`, `write`; write implies read), `all`, and
//! `public-only` (limits a token to public repositories). Stored normalised, comma-separated, as
//! Gitea stores them; a token made without scopes stores '' and keeps full access (Gogs' tokens).
//! Every API route belongs to categories ([`route_categories`], after Gitea's routers/api/v1/api.go);
//! GET and HEAD need `read:<category>`, other methods `write:<category>`.

use axum::http::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    ActivityPub,
    Admin,
    Misc,
    Notification,
    Organization,
    Package,
    Issue,
    Repository,
    User,
}

impl Category {
    const ALL: [Category; 9] = [
        Category::ActivityPub,
        Category::Admin,
        Category::Misc,
        Category::Notification,
        Category::Organization,
        Category::Package,
        Category::Issue,
        Category::Repository,
        Category::User,
    ];

    fn name(self) -> &'static str {
        match self {
            Category::ActivityPub => "activitypub",
            Category::Admin => "admin",
            Category::Misc => "misc",
            Category::Notification => "notification",
            Category::Organization => "organization",
            Category::Package => "package",
            Category::Issue => "issue",
            Category::Repository => "repository",
            Category::User => "user",
        }
    }

    fn index(self) -> u32 {
        Category::ALL.iter().position(|c| *c == self).unwrap_or_default() as u32
    }

    fn read_bit(self) -> u64 {
        1 << (1 + 2 * self.index())
    }

    /// The write bit together with the read bit (write implies read).
    fn write_bits(self) -> u64 {
        (1 << (2 + 2 * self.index())) | self.read_bit()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Read,
    Write,
}

impl Level {
    /// GET and HEAD read; everything else writes.
    pub fn of(method: &Method) -> Level {
        if method == Method::GET || method == Method::HEAD { Level::Read } else { Level::Write }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
        }
    }
}

const PUBLIC_ONLY: u64 = 1;
const PUBLIC_ONLY_NAME: &str = "public-only";

/// A token's scopes (a bitmap, as Gitea keeps them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u64);

impl Scopes {
    fn all_bits() -> u64 {
        Category::ALL.iter().fold(0, |bits, c| bits | c.write_bits())
    }

    fn bits_of(name: &str) -> Option<u64> {
        if name == "all" {
            return Some(Scopes::all_bits());
        }
        if name == PUBLIC_ONLY_NAME {
            return Some(PUBLIC_ONLY);
        }
        let (level, category) = name.split_once(':')?;
        let category = Category::ALL.into_iter().find(|c| c.name() == category)?;
        match level {
            "read" => Some(category.read_bit()),
            "write" => Some(category.write_bits()),
            _ => None,
        }
    }

    /// Parse scope names (each may itself be a comma-separated list; empty entries are skipped).
    /// An unknown name is an error worded as Gitea's.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Scopes, String> {
        let mut bits = 0;
        for name in names.iter().flat_map(|n| n.as_ref().split(',')).filter(|n| !n.is_empty()) {
            bits |= Scopes::bits_of(name).ok_or_else(|| format!("invalid access token scope: {name}"))?;
        }
        Ok(Scopes(bits))
    }

    /// The stored form: each scope once, in Gitea's order, `all` for every write scope together.
    pub fn normalized(self) -> String {
        let mut names: Vec<String> = Vec::new();
        if self.0 & PUBLIC_ONLY != 0 {
            names.push(PUBLIC_ONLY_NAME.into());
        }
        let all = self.0 & Scopes::all_bits() == Scopes::all_bits();
        if all {
            names.push("all".into());
        } else {
            for c in Category::ALL {
                if self.0 & c.write_bits() == c.write_bits() {
                    names.push(format!("write:{}", c.name()));
                } else if self.0 & c.read_bit() != 0 {
                    names.push(format!("read:{}", c.name()));
                }
            }
        }
        names.join(",")
    }

    /// A stored scope string ('' = none, full access). Unparsable text grants nothing.
    pub fn from_stored(text: &str) -> Scopes {
        Scopes::parse(&[text]).unwrap_or(Scopes(0))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn public_only(self) -> bool {
        self.0 & PUBLIC_ONLY != 0
    }

    pub fn has(self, category: Category, level: Level) -> bool {
        let needed = match level {
            Level::Read => category.read_bit(),
            Level::Write => category.write_bits(),
        };
        self.0 & needed == needed
    }

    /// `Err` with Gitea's 403 message when any of `categories` is missing at `level`.
    pub fn check(self, categories: &[Category], level: Level) -> Result<(), String> {
        if categories.iter().all(|c| self.has(*c, level)) {
            return Ok(());
        }
        let required: Vec<String> = categories.iter().map(|c| format!("{}:{}", level.name(), c.name())).collect();
        Err(format!("token does not have at least one of required scope(s): [{}]", required.join(" ")))
    }
}

/// The scope categories of an API route (`path` relative to `/api/v1`), as Gitea groups its
/// routes. Routes anyone may call without a token (version, markdown, templates) need none; a
/// path of no known group needs `misc`, so that a route added later is never open to every token.
pub fn route_categories(path: &str) -> Vec<Category> {
    use Category::*;
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["version"]
        | ["markdown", ..]
        | ["markup"]
        | ["gitignore", ..]
        | ["licenses", ..]
        | ["label", ..]
        | ["settings", ..]
        | ["swagger"]
        | ["signing-key.gpg"]
        | ["nodeinfo"] => vec![],
        ["notifications", ..] => vec![Notification],
        ["users", _, "repos"] | ["user", "repos"] | ["user", "starred", ..] => vec![User, Repository],
        ["users", _, "orgs", ..] | ["user", "orgs"] => vec![User, Organization],
        ["user", "issues"] | ["issues"] => vec![User, Issue],
        ["users", ..] | ["user", ..] => vec![User],
        ["org", _, "repos"] => vec![Organization, Repository],
        ["repos", "issues", "search"] => vec![Issue],
        ["repos", _, _, "notifications"] => vec![Notification],
        ["repos", _, _, "issues" | "labels" | "milestones", ..] => vec![Issue],
        ["repos", ..] | ["repositories", ..] | ["topics", ..] => vec![Repository],
        ["orgs", ..] | ["teams", ..] => vec![Organization],
        ["admin", ..] => vec![Admin],
        ["packages", ..] => vec![Package],
        ["activitypub", ..] => vec![ActivityPub],
        _ => vec![Misc],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_as_gitea() {
        let s = |names: &[&str]| Scopes::parse(names).unwrap().normalized();
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["read:repository", "write:repository"]), "write:repository");
        assert_eq!(s(&["write:user,read:issue", "", "read:admin"]), "read:admin,read:issue,write:user");
        assert_eq!(s(&["all", "read:user"]), "all");
        assert_eq!(s(&["public-only", "all"]), "public-only,all");
        let every: Vec<String> = Category::ALL.iter().map(|c| format!("write:{}", c.name())).collect();
        assert_eq!(Scopes::parse(&every).unwrap().normalized(), "all");
        assert_eq!(Scopes::parse(&["read:code"]), Err("invalid access token scope: read:code".into()));
        assert_eq!(Scopes::parse(&["repository"]), Err("invalid access token scope: repository".into()));
    }

    #[test]
    fn write_implies_read() {
        let s = Scopes::parse(&["write:issue", "read:user"]).unwrap();
        assert!(s.has(Category::Issue, Level::Read) && s.has(Category::Issue, Level::Write));
        assert!(s.has(Category::User, Level::Read) && !s.has(Category::User, Level::Write));
        assert!(!s.has(Category::Repository, Level::Read));
        assert_eq!(
            s.check(&[Category::User, Category::Repository], Level::Read),
            Err("token does not have at least one of required scope(s): [read:user read:repository]".into())
        );
        assert_eq!(Scopes::from_stored(&s.normalized()), s);
        assert!(Scopes::from_stored("").is_empty());
    }

    #[test]
    fn routes_map_to_categories() {
        use Category::*;
        for (path, want) in [
            ("/version", vec![]),
            ("/markdown/raw", vec![]),
            ("/user", vec![User]),
            ("/user/repos", vec![User, Repository]),
            ("/users/ada/orgs", vec![User, Organization]),
            ("/users/ada/tokens/3", vec![User]),
            ("/repos/ada/engine", vec![Repository]),
            ("/repos/ada/engine/hooks/1/deliveries", vec![Repository]),
            ("/repos/ada/engine/issues/1/comments", vec![Issue]),
            ("/repos/ada/engine/labels", vec![Issue]),
            ("/repos/search", vec![Repository]),
            ("/org/acme/repos", vec![Organization, Repository]),
            ("/orgs/acme/hooks", vec![Organization]),
            ("/teams/4/members", vec![Organization]),
            ("/admin/users", vec![Admin]),
            ("/issues", vec![User, Issue]),
            ("/something-new", vec![Misc]),
        ] {
            assert_eq!(route_categories(path), want, "{path}");
        }
    }
}
