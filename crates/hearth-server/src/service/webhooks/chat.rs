//! Chat-service messages built from a native payload (webhooks.md §9): structure and link targets
//! as Gogs', wording paraphrased. Events without a message yet (issues, pull requests, comments)
//! return `None` and the hook gets no task for them.

use serde_json::{Value, json};

use super::{ChatMeta, HookEvent, HookKind};

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().fold(v, |v, k| &v[*k]).as_str().unwrap_or("")
}

/// Slack's escaping of text (`&`, `<`, `>`).
fn esc(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One line per pushed commit: short id link, first message line, author.
struct Line {
    id: String,
    url: String,
    title: String,
    author: String,
}

/// What every format needs: a one-line summary (markdown-ish pieces), optional commit lines, and a
/// button/link target.
struct Summary {
    repo_name: String,
    repo_url: String,
    text_md: String,
    text_slack: String,
    lines: Vec<Line>,
    link_label: &'static str,
    link: String,
}

fn summarize(event: HookEvent, p: &Value) -> Option<Summary> {
    let repo_name = s(p, &["repository", "full_name"]).to_string();
    let repo_url = s(p, &["repository", "html_url"]).to_string();
    let sender = s(p, &["sender", "username"]).to_string();
    let rl = format!("<{repo_url}|{}>", esc(&repo_name));
    let mk = |text_md: String, text_slack: String, link_label, link: String| Summary {
        repo_name: repo_name.clone(),
        repo_url: repo_url.clone(),
        text_md,
        text_slack,
        lines: Vec::new(),
        link_label,
        link,
    };
    Some(match event {
        HookEvent::Create | HookEvent::Delete => {
            let (r, kind) = (s(p, &["ref"]), s(p, &["ref_type"]));
            let verb = if event == HookEvent::Create { "created" } else { "deleted" };
            let path = if kind == "tag" { "src/tag" } else { "src/branch" };
            let ref_url = format!("{repo_url}/{path}/{r}");
            mk(
                format!("[{repo_name}:{r}] {kind} {verb} by {sender}"),
                format!("[{rl}:<{ref_url}|{}>] {kind} {verb} by {}", esc(r), esc(&sender)),
                if kind == "tag" { "View Tag" } else { "View Branch" },
                if event == HookEvent::Create { ref_url } else { repo_url.clone() },
            )
        }
        HookEvent::Fork => {
            let (fork, fork_url) = (s(p, &["forkee", "full_name"]), s(p, &["forkee", "html_url"]));
            mk(
                format!("{repo_name} is forked to {fork}"),
                format!("{rl} is forked to <{fork_url}|{}>", esc(fork)),
                "View Fork",
                fork_url.to_string(),
            )
        }
        HookEvent::Push => {
            let branch = s(p, &["ref"]).trim_start_matches("refs/heads/").to_string();
            let commits = p["commits"].as_array().cloned().unwrap_or_default();
            let n = commits.len();
            let what = format!("{n} new commit{}", if n == 1 { "" } else { "s" });
            let compare = s(p, &["compare_url"]).to_string();
            let branch_url = format!("{repo_url}/src/{branch}");
            let linked = if compare.is_empty() { what.clone() } else { format!("<{compare}|{what}>") };
            let mut out = mk(
                format!("[{repo_name}:{branch}] {what} pushed by {}", s(p, &["pusher", "username"])),
                format!(
                    "[{rl}:<{branch_url}|{}>] {linked} pushed by {}",
                    esc(&branch),
                    esc(s(p, &["pusher", "username"]))
                ),
                "View Changes",
                if compare.is_empty() { branch_url } else { compare },
            );
            out.lines = commits
                .iter()
                .map(|c| Line {
                    id: s(c, &["id"]).chars().take(7).collect(),
                    url: s(c, &["url"]).to_string(),
                    title: s(c, &["message"]).lines().next().unwrap_or("").to_string(),
                    author: s(c, &["author", "name"]).to_string(),
                })
                .collect();
            out
        }
        HookEvent::Release => {
            let tag = s(p, &["release", "tag_name"]);
            let url = format!("{repo_url}/src/{tag}");
            mk(
                format!("[{repo_name}] new release {tag} published by {sender}"),
                format!("[{rl}] new release <{url}|{}> published by {}", esc(tag), esc(&sender)),
                "View Release",
                url,
            )
        }
        HookEvent::Issues | HookEvent::PullRequest | HookEvent::IssueComment | HookEvent::Status => return None,
    })
}

/// The message for `kind`, or `None` when this event has none.
pub fn convert(kind: HookKind, event: HookEvent, p: &Value, meta: &ChatMeta) -> Option<Value> {
    let sum = summarize(event, p)?;
    Some(match kind {
        HookKind::Gogs | HookKind::Gitea => p.clone(),
        HookKind::Slack => {
            let attachments = if sum.lines.is_empty() {
                Value::Null
            } else {
                let text: Vec<String> = sum
                    .lines
                    .iter()
                    .map(|l| format!("<{}|{}>: {} - {}", l.url, l.id, esc(&l.title), esc(&l.author)))
                    .collect();
                json!([{ "fallback": "", "color": meta.color, "title": "", "text": text.join("\n") }])
            };
            json!({
                "channel": meta.channel,
                "text": sum.text_slack,
                "username": meta.username,
                "icon_url": meta.icon_url,
                "unfurl_links": 0,
                "link_names": 0,
                "attachments": attachments,
            })
        }
        HookKind::Discord => {
            let mut description = sum.text_md.clone();
            for l in &sum.lines {
                description.push_str(&format!("\n[`{}`]({}) {} - {}", l.id, l.url, l.title, l.author));
            }
            let color = i64::from_str_radix(meta.color.trim_start_matches('#'), 16).unwrap_or(0);
            json!({
                "content": "",
                "username": meta.username,
                "avatar_url": meta.icon_url,
                "embeds": [{
                    "title": sum.text_md,
                    "description": description,
                    "url": sum.link,
                    "color": color,
                    "footer": Value::Null,
                    "author": {
                        "name": s(p, &["sender", "username"]),
                        "url": "",
                        "icon_url": s(p, &["sender", "avatar_url"]),
                    },
                    "fields": Value::Null,
                }],
            })
        }
        HookKind::Dingtalk => {
            let mut text = format!("# {}\n- Repo: [{}]({})", sum.text_md, sum.repo_name, sum.repo_url);
            for l in &sum.lines {
                text.push_str(&format!("\n> [{}]({}) {} - {}", l.id, l.url, l.title, l.author));
            }
            json!({
                "msgtype": "actionCard",
                "at": { "atMobiles": Value::Null, "isAtAll": false },
                "actionCard": {
                    "title": "Gogs Notification",
                    "text": text,
                    "hideAvatar": "",
                    "btnOrientation": "",
                    "singleTitle": sum.link_label,
                    "singleURL": sum.link,
                },
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_push() {
        let p = json!({
            "ref": "refs/heads/main", "compare_url": "http://h/a/b/compare/1...2",
            "commits": [{"id": "0123456789", "url": "http://h/a/b/commit/0123456789", "message": "Fix <it>\n\nmore", "author": {"name": "Ada"}}],
            "repository": {"full_name": "a/b", "html_url": "http://h/a/b"},
            "pusher": {"username": "ada"}, "sender": {"username": "ada"}
        });
        let meta = ChatMeta { channel: "#dev".into(), color: "#ff0000".into(), ..ChatMeta::default() };
        let m = convert(HookKind::Slack, HookEvent::Push, &p, &meta).unwrap();
        assert_eq!(m["channel"], "#dev");
        assert!(m["text"].as_str().unwrap().contains("<http://h/a/b/compare/1...2|1 new commit>"));
        assert_eq!(m["attachments"][0]["text"], "<http://h/a/b/commit/0123456789|0123456>: Fix &lt;it&gt; - Ada");
        let d = convert(HookKind::Discord, HookEvent::Push, &p, &meta).unwrap();
        assert_eq!(d["embeds"][0]["color"], 0xff0000);
        let t = convert(HookKind::Dingtalk, HookEvent::Push, &p, &meta).unwrap();
        assert_eq!(t["actionCard"]["singleURL"], "http://h/a/b/compare/1...2");
        assert!(convert(HookKind::Slack, HookEvent::Issues, &p, &meta).is_none());
    }
}
