//! A browser stand-in for the web UI's HTTP tests: keeps cookies, does not follow redirects,
//! sends `Origin` on POSTs, and reads a form's CSRF token.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use super::{TestServer, TestUser};

/// A browser-like client: keeps cookies, does not follow redirects, sends `Origin` on POSTs.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The `_csrf` value of the first form on the page.
    pub fn csrf(&self) -> String {
        let at = self.body.find("name=\"_csrf\" value=\"").expect("a form with a CSRF field") + 20;
        self.body[at..at + 40].to_string()
    }
}

/// The text of the page's `role="status"` message (the outcome of the POST before it).
pub fn status_message(page: &Page) -> &str {
    message(page, "status")
}

/// The text of the page's `role="alert"` message.
pub fn alert(page: &Page) -> &str {
    message(page, "alert")
}

fn message<'a>(page: &'a Page, role: &str) -> &'a str {
    let at = page.body.find(&format!("role=\"{role}\"")).unwrap_or_else(|| panic!("a {role} in {}", page.body));
    let rest = &page.body[at..];
    let start = rest.find('>').unwrap() + 1;
    &rest[start..rest.find("</p>").unwrap()]
}

impl Browser {
    pub fn new(s: &TestServer) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { base: s.base.trim_end_matches('/').to_string(), client, cookies: HashMap::new() }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        for v in resp.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        Page { status, headers, body: resp.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(resp).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap();
        self.finish(resp).await
    }

    /// GET `form_page`, then POST `form` with its CSRF token to `action`.
    pub async fn submit(&mut self, form_page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut fields = vec![("_csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        self.post(action, &fields).await
    }

    pub async fn sign_in(&mut self, user: &TestUser) {
        let page =
            self.submit("/user/login", "/user/login", &[("user_name", &user.name), ("password", &user.password)]).await;
        assert_eq!(page.status, 303, "{}", page.body);
    }
}

pub fn assert_html(page: &Page) {
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert!(page.body.starts_with("<!DOCTYPE html>"), "{}", &page.body[..page.body.len().min(200)]);
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("object-src 'none'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-frame-options"), "deny");
    assert_eq!(outside_articles(&page.body).matches("<h1").count(), 1, "exactly one h1 outside rendered Markdown");
    assert!(!page.body.contains("<script>"), "no inline script");
}

/// The page without its `<article>` elements (rendered Markdown keeps its own headings).
pub fn outside_articles(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("<article") {
        out.push_str(&rest[..start]);
        rest = rest[start..].split_once("</article>").map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}
