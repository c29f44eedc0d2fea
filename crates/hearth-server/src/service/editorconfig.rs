//! EditorConfig (editorconfig.org): which properties a repository's root `.editorconfig` gives a
//! file name. Matching is ec4rs' (it passes the EditorConfig core tests); the file is pushed by
//! anyone with write access, so its size is capped and matching runs on the blocking pool, never on
//! the async workers.

use std::collections::BTreeMap;
use std::path::Path;

/// Larger `.editorconfig` files are refused rather than parsed (real ones are a few hundred bytes).
pub const MAX_BYTES: usize = 64 * 1024;

/// Why no properties could be computed.
#[derive(Debug, PartialEq, Eq)]
pub enum EditorconfigError {
    TooLarge,
    Invalid,
}

/// The properties that apply to `file_name` (a file at the repository root), later sections
/// winning. Values are lower-cased where the specification makes them case-insensitive.
pub fn properties(text: &[u8], file_name: &str) -> Result<BTreeMap<String, String>, EditorconfigError> {
    if text.len() > MAX_BYTES {
        return Err(EditorconfigError::TooLarge);
    }
    let parser = ec4rs::ConfigParser::new_buffered(text).map_err(|_| EditorconfigError::Invalid)?;
    let target = Path::new("/").join(file_name);
    let mut out = BTreeMap::new();
    for section in parser {
        let section = section.map_err(|_| EditorconfigError::Invalid)?;
        if !section.applies_to(&target) {
            continue;
        }
        for (key, value) in section.props() {
            let key = key.to_ascii_lowercase();
            let value = value.into_str();
            let value = if case_insensitive(&key) { value.to_ascii_lowercase() } else { value.to_string() };
            out.insert(key, value);
        }
    }
    Ok(out)
}

/// The specification's properties whose values are case-insensitive (free-form ones keep case).
fn case_insensitive(key: &str) -> bool {
    key == "charset"
        || key.starts_with("indent")
        || key == "end_of_line"
        || key.ends_with("whitespace")
        || key.ends_with("newline")
}

/// [`properties`] on the blocking pool.
pub async fn properties_blocking(
    text: Vec<u8>,
    file_name: String,
) -> Result<BTreeMap<String, String>, EditorconfigError> {
    tokio::task::spawn_blocking(move || properties(&text, &file_name)).await.unwrap_or(Err(EditorconfigError::Invalid))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const CONFIG: &str = "root = true\n\n[*]\nindent_style = space\nindent_size = 4\nend_of_line = LF\n\n\
        [*.{js,ts}]\nindent_size = 2\n\n[Makefile]\nindent_style = tab\n\n[file{1..3}.txt]\ncharset = utf-8\n";

    fn props(name: &str) -> BTreeMap<String, String> {
        properties(CONFIG.as_bytes(), name).unwrap()
    }

    #[test]
    fn later_sections_win() {
        let p = props("main.js");
        assert_eq!(p["indent_size"], "2");
        assert_eq!(p["indent_style"], "space");
        assert_eq!(p["end_of_line"], "lf");
        assert_eq!(props("Makefile")["indent_style"], "tab");
        assert_eq!(props("main.rs")["indent_size"], "4");
    }

    #[test]
    fn globs() {
        assert!(!props("main.js").contains_key("charset"));
        assert_eq!(props("file2.txt")["charset"], "utf-8");
        assert!(!props("file7.txt").contains_key("charset"));
        assert!(properties(b"[nomatch]\nx = 1\n", "other").unwrap().is_empty());
        assert_eq!(properties(b"[a[b-d]?]\nx = 1\n", "acx").unwrap()["x"], "1");
        assert!(properties(b"[a[!b-d]]\nx = 1\n", "ab").unwrap().is_empty());
    }

    #[test]
    fn oversized_files_are_refused() {
        let big = format!("[*]\n{}", "x = 1\n".repeat(MAX_BYTES / 6 + 1));
        assert_eq!(properties(big.as_bytes(), "a"), Err(EditorconfigError::TooLarge));
    }

    /// The hand-written matcher this replaced took minutes on this input.
    #[test]
    fn pathological_globs_stay_fast() {
        let stars = "*a".repeat(12);
        let sections: String = (0..20).map(|i| format!("[{stars}{i}b]\nk{i} = v\n")).collect();
        let name = "a".repeat(200);
        let started = Instant::now();
        let p = properties(sections.as_bytes(), &name).unwrap();
        assert!(p.is_empty());
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
}
