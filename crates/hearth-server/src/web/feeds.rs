//! Atom and RSS feeds for feed readers (issue #19): `/USER.atom`, `/USER.rss`, `/OWNER/REPO.atom`,
//! `/OWNER/REPO.rss` — the same entries as the API's activity feeds, as the viewer may see them
//! (a feed reader is usually anonymous: public activity only).

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hearth_store::Window;
use hearth_store::actions::Feed;

use super::page::WebError;
use super::session::Viewer;
use crate::app::AppState;
use crate::extract::repo::{Found, load_repo};
use crate::service::feeds::{self, FeedQuery};
use crate::types::Activity;

/// Entries a feed carries.
const ENTRIES: i64 = 30;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Atom,
    Rss,
}

/// `name.atom` or `name.rss`: the name and the format.
fn split(name: &str) -> Option<(&str, Format)> {
    if let Some(n) = name.strip_suffix(".atom") {
        Some((n, Format::Atom))
    } else {
        name.strip_suffix(".rss").map(|n| (n, Format::Rss))
    }
}

/// `/{owner}`: a profile, or `USER.atom` / `USER.rss`.
pub async fn owner_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let Some((user_name, format)) = split(&name) else {
        return super::profile::profile(State(state), viewer, Path(name)).await;
    };
    let user = {
        let mut h = state.db.acquire().await?;
        hearth_store::users::by_name(h.conn(), user_name).await?.ok_or(WebError::NotFound)?
    };
    let me = viewer.user.as_deref();
    let private = me.is_some_and(|v| v.id == user.id || v.is_admin);
    let q = FeedQuery { feed: Feed::Actor(user.id), owner_id: Some(user.id), viewer: me, private, day: None };
    let (entries, _) = feeds::list(&state, &q, Window { limit: ENTRIES, offset: 0 }).await?;
    let link = format!("{}{}", state.links.external_url, user.name);
    Ok(render(format, &format!("Feed of \"{}\"", user.name), &link, &entries))
}

/// `/{owner}/{repo}`: a repository's home, or `REPO.atom` / `REPO.rss`.
pub async fn repo_page(State(state): State<AppState>, mut parts: Parts) -> Result<Response, WebError> {
    let Path((owner, name)) =
        Path::<(String, String)>::from_request_parts(&mut parts, &state).await.map_err(|_| WebError::NotFound)?;
    let Some((repo_name, format)) = split(&name) else {
        let page = super::repo::RepoPage::from_request_parts(&mut parts, &state).await?;
        return super::repo::home::home(State(state), page).await;
    };
    let viewer = Viewer::from_request_parts(&mut parts, &state).await?;
    let ctx = match load_repo(&state, viewer.user.as_deref(), &owner, repo_name).await {
        Ok(Found::Repo(ctx)) => ctx,
        _ => return Err(WebError::NotFound),
    };
    let q = FeedQuery {
        feed: Feed::Repo(ctx.repo.id),
        owner_id: None,
        viewer: viewer.user.as_deref(),
        private: true,
        day: None,
    };
    let (entries, _) = feeds::list(&state, &q, Window { limit: ENTRIES, offset: 0 }).await?;
    let link = format!("{}{}/{}", state.links.external_url, ctx.owner.name, ctx.repo.name);
    Ok(render(format, &format!("Feed of \"{}/{}\"", ctx.owner.name, ctx.repo.name), &link, &entries))
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An entry's title and link, in words a reader of the feed understands.
fn describe(a: &Activity) -> (String, String) {
    let actor = a.act_user.as_ref().map(|u| u.login.clone()).unwrap_or_default();
    let Some(repo) = &a.repo else { return (actor, String::new()) };
    let (full, url) = (repo.full_name.clone(), repo.html_url.clone());
    let number = a.content.split('|').next().unwrap_or_default();
    let short_ref = a.ref_name.trim_start_matches("refs/heads/").trim_start_matches("refs/tags/");
    let issue = |kind: &str| format!("{url}/{kind}/{number}");
    match a.op_type.as_str() {
        "create_repo" => (format!("{actor} created repository {full}"), url),
        "rename_repo" => (format!("{actor} renamed repository from {} to {full}", a.content), url),
        "transfer_repo" => (format!("{actor} transferred repository {} to {full}", a.content), url),
        "star_repo" => (format!("{actor} starred {full}"), url),
        "commit_repo" => (format!("{actor} pushed to {short_ref} at {full}"), format!("{url}/src/{short_ref}")),
        "push_tag" => (format!("{actor} pushed tag {short_ref} to {full}"), format!("{url}/src/{short_ref}")),
        "delete_tag" => (format!("{actor} deleted tag {short_ref} at {full}"), url),
        "delete_branch" => (format!("{actor} deleted branch {short_ref} at {full}"), url),
        "create_issue" => (format!("{actor} opened issue {full}#{number}"), issue("issues")),
        "close_issue" => (format!("{actor} closed issue {full}#{number}"), issue("issues")),
        "reopen_issue" => (format!("{actor} reopened issue {full}#{number}"), issue("issues")),
        "comment_issue" => (format!("{actor} commented on issue {full}#{number}"), issue("issues")),
        "create_pull_request" => (format!("{actor} created pull request {full}#{number}"), issue("pulls")),
        "close_pull_request" => (format!("{actor} closed pull request {full}#{number}"), issue("pulls")),
        "reopen_pull_request" => (format!("{actor} reopened pull request {full}#{number}"), issue("pulls")),
        "merge_pull_request" => (format!("{actor} merged pull request {full}#{number}"), issue("pulls")),
        "comment_pull" => (format!("{actor} commented on pull request {full}#{number}"), issue("pulls")),
        "approve_pull_request" => (format!("{actor} approved {full}#{number}"), issue("pulls")),
        "reject_pull_request" => (format!("{actor} suggested changes for {full}#{number}"), issue("pulls")),
        "publish_release" => {
            (format!("{actor} released {} at {full}", a.ref_name), format!("{url}/releases/tag/{}", a.ref_name))
        }
        other => (format!("{actor} {other} {full}"), url),
    }
}

/// The text under an entry: the issue's title or the comment (after `N|`), a release's title.
fn summary(a: &Activity) -> String {
    match a.op_type.as_str() {
        "commit_repo" => serde_json::from_str::<serde_json::Value>(&a.content)
            .ok()
            .and_then(|v| v["HeadCommit"]["Message"].as_str().map(str::to_string))
            .unwrap_or_default(),
        _ => a.content.split_once('|').map(|(_, rest)| rest.to_string()).unwrap_or_else(|| a.content.clone()),
    }
}

fn render(format: Format, title: &str, link: &str, entries: &[Activity]) -> Response {
    let updated = entries.first().map(|a| a.created.clone()).unwrap_or_else(|| crate::types::rfc3339(0));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match format {
        Format::Atom => {
            out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
            out.push_str(&format!(
                "<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n",
                xml(title),
                xml(link),
                xml(link),
                xml(&updated)
            ));
            for a in entries {
                let (what, href) = describe(a);
                let author = a.act_user.as_ref().map(|u| u.login.clone()).unwrap_or_default();
                out.push_str(&format!(
                    "<entry>\n<title>{}</title>\n<id>{}#action-{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n\
                     <author><name>{}</name></author>\n<content type=\"text\">{}</content>\n</entry>\n",
                    xml(&what),
                    xml(link),
                    a.id,
                    xml(&href),
                    xml(&a.created),
                    xml(&author),
                    xml(&summary(a))
                ));
            }
            out.push_str("</feed>\n");
        }
        Format::Rss => {
            let date = |rfc: &str| {
                time::OffsetDateTime::parse(rfc, &time::format_description::well_known::Rfc3339)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
                    .unwrap_or_default()
            };
            out.push_str("<rss version=\"2.0\">\n<channel>\n");
            out.push_str(&format!(
                "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<lastBuildDate>{}</lastBuildDate>\n",
                xml(title),
                xml(link),
                xml(title),
                xml(&date(&updated))
            ));
            for a in entries {
                let (what, href) = describe(a);
                out.push_str(&format!(
                    "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}#action-{}</guid>\n\
                     <pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
                    xml(&what),
                    xml(&href),
                    xml(link),
                    a.id,
                    xml(&date(&a.created)),
                    xml(&summary(a))
                ));
            }
            out.push_str("</channel>\n</rss>\n");
        }
    }
    let content_type = match format {
        Format::Atom => "application/atom+xml; charset=utf-8",
        Format::Rss => "application/rss+xml; charset=utf-8",
    };
    ([(header::CONTENT_TYPE, content_type)], out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_feed_formats() {
        assert!(split("alice.atom") == Some(("alice", Format::Atom)));
        assert!(split("proj.rss") == Some(("proj", Format::Rss)));
        assert!(split("alice").is_none() && split("x.rss.txt").is_none());
        assert_eq!(xml("<a href=\"x\">&'\u{1}</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    }
}
