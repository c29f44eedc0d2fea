//! Server-side syntax highlighting of source files (syntect's bundled grammars, pure-Rust
//! regexes): one HTML fragment per line, every span opened on a line closed on it, so each line
//! sits in its own table row with its `#LN` anchor. Results are cached by blob id and grammar: a
//! blob never changes, so a cached page is as cheap as a plain one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::html::{ClassStyle, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Files larger than this are shown plain (highlighting is linear but not free).
const MAX_BYTES: usize = 512 * 1024;
/// Lines longer than this (minified code) make the whole file plain.
const MAX_LINE: usize = 5_000;
/// Cached files; the cache is emptied when full (simple, and a blob is cheap to redo).
const CACHE_ENTRIES: usize = 512;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

type Cache = Mutex<HashMap<(String, String), Arc<Vec<String>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The grammar for a file name: by extension (or the whole name: `Makefile`, `Dockerfile`),
/// else by the first line (`#!/bin/sh`); none for plain text.
fn grammar<'a>(set: &'a SyntaxSet, name: &str, text: &str) -> Option<&'a SyntaxReference> {
    let ext = name.rsplit_once('.').map_or(name, |(_, e)| e);
    set.find_syntax_by_extension(ext)
        .or_else(|| set.find_syntax_by_extension(name))
        .or_else(|| set.find_syntax_by_first_line(text.lines().next().unwrap_or("")))
        .filter(|s| s.name != "Plain Text")
}

/// The classes of one scope, as `line_tokens_to_classed_spans` writes them.
fn classes(scope: Scope) -> String {
    scope.build_string().split('.').map(|atom| format!("hl-{atom}")).collect::<Vec<_>>().join(" ")
}

/// The highlighted lines of blob `blob_id` named `name`, or None to show it plain (no grammar,
/// too big, a grammar error). Each line's HTML escapes the text and balances its spans.
pub fn lines(name: &str, blob_id: &str, text: &str) -> Option<Arc<Vec<String>>> {
    // A grammar that trips the highlighter shows the file plain rather than failing the page.
    std::panic::catch_unwind(|| highlight(name, blob_id, text)).ok().flatten()
}

fn highlight(name: &str, blob_id: &str, text: &str) -> Option<Arc<Vec<String>>> {
    if text.len() > MAX_BYTES || text.lines().any(|l| l.len() > MAX_LINE) {
        return None;
    }
    let set = syntaxes();
    let syntax = grammar(set, name, text)?;
    let key = (blob_id.to_string(), syntax.name.clone());
    if let Some(hit) = cache().lock().ok()?.get(&key) {
        return Some(hit.clone());
    }
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    for line in LinesWithEndings::from(text) {
        let ops = state.parse_line(line, set).ok()?;
        // Reopen what earlier lines left open, then close everything still open at the end.
        let mut html: String = stack.as_slice().iter().map(|s| format!("<span class=\"{}\">", classes(*s))).collect();
        let open_before = stack.len() as isize;
        // The operations index the line with its line ending; the ending is dropped from the HTML
        // (each line has its own row).
        let (spans, delta) = line_tokens_to_classed_spans(line, &ops, STYLE, &mut stack).ok()?;
        html.extend(spans.chars().filter(|c| !matches!(c, '\n' | '\r')));
        for _ in 0..(open_before + delta).max(0) {
            html.push_str("</span>");
        }
        out.push(html);
    }
    let lines = Arc::new(out);
    if let Ok(mut c) = cache().lock() {
        if c.len() >= CACHE_ENTRIES {
            c.clear();
        }
        c.insert(key, lines.clone());
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_is_highlighted_line_by_line_and_escaped() {
        let text = "/* a <b>\n comment */\nfn main() { let s = \"<script>\"; }\n";
        let lines = lines("main.rs", "b1", text).expect("Rust has a grammar");
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("hl-comment"), "{}", lines[0]);
        assert!(lines[1].starts_with("<span"), "the comment continues on line 2: {}", lines[1]);
        assert!(lines[2].contains("hl-keyword") || lines[2].contains("hl-storage"), "{}", lines[2]);
        assert!(lines[2].contains("&lt;script&gt;") && !lines[2].contains("<script>"));
        for l in lines.iter() {
            assert_eq!(l.matches("<span").count(), l.matches("</span>").count(), "balanced: {l}");
        }
        assert!(Arc::ptr_eq(&lines, &super::lines("main.rs", "b1", text).unwrap()), "cached by blob id");
    }

    #[test]
    fn plain_text_and_unknown_names_are_not_highlighted() {
        assert!(lines("notes.txt", "b2", "hello\n").is_none());
        assert!(lines("data.unknownext", "b3", "hello\n").is_none());
        assert!(lines("run", "b4", "#!/bin/sh\necho hi\n").is_some(), "by the first line");
    }
}
