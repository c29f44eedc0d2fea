//! Server-side syntax highlighting of source files (syntect's bundled grammars): one HTML
//! fragment per line, so each line sits in its own table row with its `#LN` anchor. A token gets
//! one class from a small fixed set (`hl-keyword`, `hl-string`, ...), chosen from its innermost
//! scope that has one, and neighbouring tokens of one class share a span: the page stays a few
//! times the size of the file instead of the tens of times nested scope spans would make it.
//! Results are cached by blob id and grammar: a blob never changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Files larger than this are shown plain (highlighting is linear but not free).
const MAX_BYTES: usize = 512 * 1024;
/// Lines longer than this (minified code) make the whole file plain.
const MAX_LINE: usize = 5_000;
/// Cached files; the cache is emptied when full (simple, and a blob is cheap to redo).
const CACHE_ENTRIES: usize = 512;

/// Scope prefixes and the class each gives, most specific first (`entity.name` before `entity`).
const RULES: &[(&str, &str)] = &[
    ("comment", "hl-comment"),
    ("string", "hl-string"),
    ("constant", "hl-constant"),
    ("keyword", "hl-keyword"),
    ("storage", "hl-keyword"),
    ("entity.name", "hl-name"),
    ("entity.other", "hl-param"),
    ("variable.parameter", "hl-param"),
    ("support", "hl-support"),
    ("invalid", "hl-invalid"),
];

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn rules() -> &'static [(Scope, &'static str)] {
    static PARSED: OnceLock<Vec<(Scope, &'static str)>> = OnceLock::new();
    PARSED.get_or_init(|| RULES.iter().filter_map(|(p, c)| Some((Scope::new(p).ok()?, *c))).collect())
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

/// The class of text under `stack`: that of its innermost scope with one.
fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    let rules = rules();
    stack.as_slice().iter().rev().find_map(|s| rules.iter().find(|(p, _)| p.is_prefix_of(*s)).map(|(_, c)| *c))
}

/// One line's HTML: escaped text in spans of one class each, every span closed on the line.
struct Line {
    html: String,
    open: Option<&'static str>,
}

impl Line {
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        if text.is_empty() {
            return;
        }
        if self.open != class {
            if self.open.is_some() {
                self.html.push_str("</span>");
            }
            if let Some(c) = class {
                self.html.push_str("<span class=\"");
                self.html.push_str(c);
                self.html.push_str("\">");
            }
            self.open = class;
        }
        for ch in text.chars() {
            match ch {
                '&' => self.html.push_str("&amp;"),
                '<' => self.html.push_str("&lt;"),
                '>' => self.html.push_str("&gt;"),
                '"' => self.html.push_str("&quot;"),
                '\'' => self.html.push_str("&#39;"),
                c => self.html.push(c),
            }
        }
    }

    fn finish(mut self) -> String {
        if self.open.is_some() {
            self.html.push_str("</span>");
        }
        self.html
    }
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
        // The grammars want the line ending; the HTML drops it (each line has its own row).
        let ops = state.parse_line(line, set).ok()?;
        let body = line.trim_end_matches(['\n', '\r']);
        let mut html = Line { html: String::with_capacity(body.len() * 2), open: None };
        let mut pos = 0;
        let mut class = class_of(&stack);
        for (at, op) in ops {
            let at = at.min(body.len());
            if at > pos {
                html.push(body.get(pos..at)?, class);
                pos = at;
            }
            stack.apply(&op).ok()?;
            class = class_of(&stack);
        }
        html.push(body.get(pos..)?, class);
        out.push(html.finish());
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
        assert!(lines[2].contains("hl-keyword"), "{}", lines[2]);
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
