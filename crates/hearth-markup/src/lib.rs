//! Markdown (GitHub-flavoured) to HTML that is safe to embed: comrak renders, ammonia sanitizes.

use std::collections::HashSet;
use std::sync::OnceLock;

use comrak::{Options, markdown_to_html};

fn options() -> &'static Options<'static> {
    static OPTIONS: OnceLock<Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut o = Options::default();
        o.extension.table = true;
        o.extension.strikethrough = true;
        o.extension.autolink = true;
        o.extension.tasklist = true;
        o.extension.footnotes = true;
        // Raw HTML is rendered and then cleaned by ammonia below, as Gogs does with its sanitizer.
        o.render.r#unsafe = true;
        o
    })
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tag_attributes("code", ["class"])
            .add_tag_attributes("span", ["class"])
            .add_tag_attributes("div", ["class"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow noopener"));
        b
    })
}

/// Render Markdown to sanitized HTML. `context` is the repository URL used to resolve relative links
/// and `#123` issue references (e.g. `https://h/owner/repo`); `None` renders without one.
pub fn render(text: &str, context: Option<&str>) -> String {
    render_linked(text, context, None)
}

/// Who may be linked as `@name`: the site's root URL (profiles are `<root>name`) and the
/// lower-cased names that may be (users who can read the repository; the caller decides).
pub struct Mentions<'a> {
    pub root: &'a str,
    pub names: &'a HashSet<String>,
}

/// [`render`], also linking `@name` for the names `mentions` allows.
pub fn render_linked(text: &str, context: Option<&str>, mentions: Option<&Mentions<'_>>) -> String {
    if text.is_empty() {
        return String::new();
    }
    let html = markdown_to_html(text, options());
    let ctx = context.filter(|c| !c.is_empty()).map(|c| c.trim_end_matches('/'));
    let html = if ctx.is_some() || mentions.is_some() { link_refs(&html, ctx, mentions) } else { html };
    sanitizer().clean(&html).to_string()
}

/// The `@name` at the start of `rest` (after the `@`), if it names someone `mentions` allows: the
/// name's length in bytes.
fn mention_at(rest: &str, mentions: &Mentions<'_>) -> Option<usize> {
    let len = rest.bytes().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')).count();
    let name = rest[..len].trim_end_matches('.');
    (!name.is_empty() && mentions.names.contains(&name.to_ascii_lowercase())).then_some(name.len())
}

/// Turn `#123` in text (not inside tags, links or code) into links to `<ctx>/issues/123`, and
/// allowed `@name`s into links to their profiles.
fn link_refs(html: &str, ctx: Option<&str>, mentions: Option<&Mentions<'_>>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut skip_depth = 0usize; // inside <a>, <code> or <pre>
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'<' {
            let rest = &html[i..];
            let lower = rest.get(..6).unwrap_or(rest).to_ascii_lowercase();
            if lower.starts_with("<a ")
                || lower.starts_with("<a>")
                || lower.starts_with("<code")
                || lower.starts_with("<pre")
            {
                skip_depth += 1;
            } else if lower.starts_with("</a>") || lower.starts_with("</code") || lower.starts_with("</pre") {
                skip_depth = skip_depth.saturating_sub(1);
            }
            in_tag = true;
        }
        if !in_tag
            && skip_depth == 0
            && b == b'@'
            && let Some(m) = mentions
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'-' | b'.')))
            && let Some(len) = mention_at(&html[i + 1..], m)
        {
            let name = &html[i + 1..i + 1 + len];
            out.push_str(&format!("<a href=\"{}{name}\">@{name}</a>", m.root));
            i += 1 + len;
            continue;
        }
        // Anything but a `#` in text (with a repository to link to) passes through unchanged.
        let Some(ctx) = ctx.filter(|_| b == b'#' && !in_tag && skip_depth == 0) else {
            if b == b'>' {
                in_tag = false;
            }
            let ch = html[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
            continue;
        };
        let prev_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let digits = bytes[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let next_ok = bytes.get(i + 1 + digits).is_none_or(|c| !c.is_ascii_alphanumeric());
        if prev_ok && digits > 0 && next_ok {
            let num = &html[i + 1..i + 1 + digits];
            out.push_str(&format!("<a href=\"{ctx}/issues/{num}\">#{num}</a>"));
            i += 1 + digits;
        } else {
            out.push('#');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn gfm_features() {
        let html = render("# Title\n\n~~old~~ www.example.com\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", None);
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("href=\"http://www.example.com\""), "{html}");
    }

    #[test]
    fn sanitizes() {
        let html = render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>", None);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn issue_links() {
        let html = render("see #12 and `#13`", Some("https://h/o/r"));
        assert!(html.contains("<a href=\"https://h/o/r/issues/12\" rel=\"nofollow noopener\">#12</a>"), "{html}");
        assert!(html.contains("<code>#13</code>"), "{html}");
    }

    #[test]
    fn mentions_link_only_allowed_names() {
        let names: std::collections::HashSet<String> = ["bob".to_string()].into();
        let m = super::Mentions { root: "https://h/", names: &names };
        let html = super::render_linked("hi @Bob and @eve, mail bob@x.org `@bob`", None, Some(&m));
        assert!(html.contains("<a href=\"https://h/Bob\" rel=\"nofollow noopener\">@Bob</a>"), "{html}");
        assert!(html.contains("@eve") && !html.contains("https://h/eve"), "{html}");
        assert!(!html.contains("https://h/x.org"), "{html}");
        assert!(html.contains("<code>@bob</code>"), "{html}");
    }

    #[test]
    fn empty() {
        assert_eq!(render("", None), "");
    }
}
