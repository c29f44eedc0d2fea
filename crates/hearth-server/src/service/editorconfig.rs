//! EditorConfig (editorconfig.org): which properties a `.editorconfig` gives a file name. Sections
//! are globs (`*`, `**`, `?`, `[abc]`, `[!abc]`, `{a,b}`, `{1..3}`); later sections win.

use std::collections::BTreeMap;

/// The properties that apply to `path` (a path relative to the `.editorconfig`, no leading `/`).
pub fn properties(text: &str, path: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut applies = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            applies = section_matches(section, path);
            continue;
        }
        if !applies {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let key = k.trim().to_ascii_lowercase();
            let value = v.trim();
            // Values are case-insensitive except free-form ones.
            let value = if key == "charset"
                || key.starts_with("indent")
                || key == "end_of_line"
                || key.ends_with("whitespace")
                || key.ends_with("newline")
            {
                value.to_ascii_lowercase()
            } else {
                value.to_string()
            };
            out.insert(key, value);
        }
    }
    out
}

fn section_matches(glob: &str, path: &str) -> bool {
    let glob = glob.trim();
    let glob = match glob.strip_prefix('/') {
        Some(anchored) => anchored.to_string(),
        // A glob without `/` matches the file name in any directory.
        None if !glob.contains('/') => format!("**/{glob}"),
        None => glob.to_string(),
    };
    let path = format!("/{path}");
    matches(&format!("/{glob}").chars().collect::<Vec<_>>(), &path.chars().collect::<Vec<_>>())
}

fn matches(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            // `/**/x` also matches `/x`.
            if rest.first() == Some(&'/') && matches(&rest[1..], s) {
                return true;
            }
            (0..=s.len()).any(|i| matches(rest, &s[i..]))
        }
        Some('*') => (0..=s.len()).take_while(|&i| i == 0 || s[i - 1] != '/').any(|i| matches(&p[1..], &s[i..])),
        Some('?') => !s.is_empty() && s[0] != '/' && matches(&p[1..], &s[1..]),
        Some('[') => {
            let Some(end) = p.iter().position(|&c| c == ']').filter(|&e| e > 1) else {
                return s.first() == Some(&'[') && matches(&p[1..], &s[1..]);
            };
            let Some(&c) = s.first() else { return false };
            let (negate, set) = match p[1] {
                '!' => (true, &p[2..end]),
                _ => (false, &p[1..end]),
            };
            let mut found = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    found |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    found |= set[i] == c;
                    i += 1;
                }
            }
            found != negate && c != '/' && matches(&p[end + 1..], &s[1..])
        }
        Some('{') => {
            let Some(end) = p.iter().position(|&c| c == '}') else {
                return s.first() == Some(&'{') && matches(&p[1..], &s[1..]);
            };
            let inner: String = p[1..end].iter().collect();
            let rest = &p[end + 1..];
            if let Some((a, b)) = inner.split_once("..")
                && let (Ok(lo), Ok(hi)) = (a.parse::<i64>(), b.parse::<i64>())
            {
                let digits = s.iter().take_while(|c| c.is_ascii_digit() || **c == '-').count();
                return (1..=digits).any(|n| {
                    let num: String = s[..n].iter().collect();
                    num.parse::<i64>().is_ok_and(|v| lo <= v && v <= hi) && matches(rest, &s[n..])
                });
            }
            inner.split(',').any(|alt| {
                let mut candidate: Vec<char> = alt.chars().collect();
                candidate.extend_from_slice(rest);
                matches(&candidate, s)
            })
        }
        Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && matches(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && matches(&p[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "root = true\n\n[*]\nindent_style = space\nindent_size = 4\nend_of_line = LF\n\n\
        [*.{js,ts}]\nindent_size = 2\n\n[Makefile]\nindent_style = tab\n\n[lib/**.js]\ncharset = latin1\n\n[file{1..3}.txt]\ncharset = utf-8\n";

    #[test]
    fn later_sections_win() {
        let p = properties(CONFIG, "main.js");
        assert_eq!(p["indent_size"], "2");
        assert_eq!(p["indent_style"], "space");
        assert_eq!(p["end_of_line"], "lf");
        assert_eq!(properties(CONFIG, "Makefile")["indent_style"], "tab");
        assert_eq!(properties(CONFIG, "main.rs")["indent_size"], "4");
    }

    #[test]
    fn globs() {
        assert!(!properties(CONFIG, "main.js").contains_key("charset"));
        assert_eq!(properties(CONFIG, "lib/a/b.js")["charset"], "latin1");
        assert_eq!(properties(CONFIG, "file2.txt")["charset"], "utf-8");
        assert!(!properties(CONFIG, "file7.txt").contains_key("charset"));
        assert!(matches(&"/a[b-d]?".chars().collect::<Vec<_>>(), &"/acx".chars().collect::<Vec<_>>()));
        assert!(!matches(&"/a[!b-d]".chars().collect::<Vec<_>>(), &"/ab".chars().collect::<Vec<_>>()));
        assert!(properties("[nomatch]\nx = 1\n", "other").is_empty());
    }
}
