//! Rendering: the template environment, HTML responses with their security headers, and errors.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Environment, Value, context};

use super::assets;
use super::session::Viewer;
use crate::service::ServiceError;

/// The templates, embedded in the binary (`crates/hearth-server/templates/`).
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("explore.html", include_str!("../../templates/explore.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("sign_up.html", include_str!("../../templates/sign_up.html")),
    ("forget_password.html", include_str!("../../templates/forget_password.html")),
    ("activate.html", include_str!("../../templates/activate.html")),
    ("reset_password.html", include_str!("../../templates/reset_password.html")),
    ("people.html", include_str!("../../templates/people.html")),
    ("profile.html", include_str!("../../templates/profile.html")),
    ("repo/create.html", include_str!("../../templates/repo/create.html")),
    ("repo/refs.html", include_str!("../../templates/repo/refs.html")),
    ("repo/header.html", include_str!("../../templates/repo/header.html")),
    ("repo/home.html", include_str!("../../templates/repo/home.html")),
    ("repo/empty.html", include_str!("../../templates/repo/empty.html")),
    ("repo/file.html", include_str!("../../templates/repo/file.html")),
    ("repo/commits.html", include_str!("../../templates/repo/commits.html")),
    ("repo/commit.html", include_str!("../../templates/repo/commit.html")),
    ("repo/releases.html", include_str!("../../templates/repo/releases.html")),
    ("repo/migrate.html", include_str!("../../templates/repo/migrate.html")),
    ("repo/fork.html", include_str!("../../templates/repo/fork.html")),
    ("repo/release_form.html", include_str!("../../templates/repo/release_form.html")),
    ("repo/diff.html", include_str!("../../templates/repo/diff.html")),
    ("repo/compare.html", include_str!("../../templates/repo/compare.html")),
    ("repo/pull_tabs.html", include_str!("../../templates/repo/pull_tabs.html")),
    ("repo/issues/list.html", include_str!("../../templates/repo/issues/list.html")),
    ("repo/issues/new.html", include_str!("../../templates/repo/issues/new.html")),
    ("repo/issues/view.html", include_str!("../../templates/repo/issues/view.html")),
    ("repo/issues/labels.html", include_str!("../../templates/repo/issues/labels.html")),
    ("repo/issues/milestones.html", include_str!("../../templates/repo/issues/milestones.html")),
    ("repo/issues/milestone_form.html", include_str!("../../templates/repo/issues/milestone_form.html")),
    ("my_issues.html", include_str!("../../templates/my_issues.html")),
    ("notifications.html", include_str!("../../templates/notifications.html")),
    ("repo/settings/nav.html", include_str!("../../templates/repo/settings/nav.html")),
    ("repo/settings/options.html", include_str!("../../templates/repo/settings/options.html")),
    ("repo/settings/collaboration.html", include_str!("../../templates/repo/settings/collaboration.html")),
    ("repo/settings/branches.html", include_str!("../../templates/repo/settings/branches.html")),
    ("repo/settings/branch.html", include_str!("../../templates/repo/settings/branch.html")),
    ("repo/settings/keys.html", include_str!("../../templates/repo/settings/keys.html")),
    ("settings/nav.html", include_str!("../../templates/settings/nav.html")),
    ("settings/profile.html", include_str!("../../templates/settings/profile.html")),
    ("settings/password.html", include_str!("../../templates/settings/password.html")),
    ("settings/email.html", include_str!("../../templates/settings/email.html")),
    ("settings/ssh.html", include_str!("../../templates/settings/ssh.html")),
    ("settings/applications.html", include_str!("../../templates/settings/applications.html")),
    ("settings/security.html", include_str!("../../templates/settings/security.html")),
    ("settings/two_factor_enable.html", include_str!("../../templates/settings/two_factor_enable.html")),
    ("settings/recovery_codes.html", include_str!("../../templates/settings/recovery_codes.html")),
    ("login_two_factor.html", include_str!("../../templates/login_two_factor.html")),
    ("settings/oauth2_app.html", include_str!("../../templates/settings/oauth2_app.html")),
    ("oauth2/grant.html", include_str!("../../templates/oauth2/grant.html")),
    ("oauth2/grant_error.html", include_str!("../../templates/oauth2/grant_error.html")),
    ("admin/nav.html", include_str!("../../templates/admin/nav.html")),
    ("admin/search.html", include_str!("../../templates/admin/search.html")),
    ("admin/dashboard.html", include_str!("../../templates/admin/dashboard.html")),
    ("admin/users.html", include_str!("../../templates/admin/users.html")),
    ("admin/user_new.html", include_str!("../../templates/admin/user_new.html")),
    ("admin/user_edit.html", include_str!("../../templates/admin/user_edit.html")),
    ("admin/orgs.html", include_str!("../../templates/admin/orgs.html")),
    ("admin/repos.html", include_str!("../../templates/admin/repos.html")),
    ("admin/notices.html", include_str!("../../templates/admin/notices.html")),
    ("org/nav.html", include_str!("../../templates/org/nav.html")),
    ("org/create.html", include_str!("../../templates/org/create.html")),
    ("org/settings.html", include_str!("../../templates/org/settings.html")),
    ("org/members.html", include_str!("../../templates/org/members.html")),
    ("org/teams.html", include_str!("../../templates/org/teams.html")),
    ("org/team_form.html", include_str!("../../templates/org/team_form.html")),
    ("org/team.html", include_str!("../../templates/org/team.html")),
    ("org/team_repos.html", include_str!("../../templates/org/team_repos.html")),
    ("org/delete.html", include_str!("../../templates/org/delete.html")),
    ("hooks/chrome.html", include_str!("../../templates/hooks/chrome.html")),
    ("hooks/list.html", include_str!("../../templates/hooks/list.html")),
    ("hooks/hook.html", include_str!("../../templates/hooks/hook.html")),
];

/// The one Content-Security-Policy of every page (web-ui.md §7): scripts and styles only from this
/// site's own files, no inline anything, no framing, no plugins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // A broken embedded template is a build defect; the render-every-page test catches it.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!("template {name}: {e}");
            }
        }
        env.set_formatter(html_formatter);
        env.add_filter("datetime", filters::datetime);
        env.add_filter("ago", filters::ago);
        env.add_filter("filesize", filters::filesize);
        env.add_filter("short_sha", filters::short_sha);
        env.add_filter("urlpath", filters::urlpath);
        env
    })
}

/// A one-field form error, split for a form template: the field to mark `aria-invalid` and the
/// alert's text.
pub fn field_error(error: Option<(&str, String)>) -> (Option<String>, Option<String>) {
    match error {
        Some((field, message)) => (Some(field.to_string()), Some(message)),
        None => (None, None),
    }
}

/// A form page again with 422: `field`'s control marked invalid, `message` in the alert.
pub fn invalid_form(
    viewer: &Viewer,
    template: &str,
    ctx: Value,
    field: &str,
    message: String,
) -> Result<Response, WebError> {
    let errors = Value::from_pairs([(field.to_string(), message.clone())]);
    render_status(
        viewer,
        StatusCode::UNPROCESSABLE_ENTITY,
        template,
        context! { ..ctx, ..context! { errors, error => message } },
    )
}

/// Any serialisable value for a template context.
pub fn ser<T: serde::Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// minijinja's HTML escaping, minus its escaping of `/` (legal in text and attributes; escaped,
/// every path in an `href` would read `&#x2f;`).
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if value.is_safe() || value.is_undefined() || !matches!(state.auto_escape(), minijinja::AutoEscape::Html) {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[last..i]).map_err(minijinja::Error::from)?;
        out.write_str(rep).map_err(minijinja::Error::from)?;
        last = i + 1;
    }
    out.write_str(&text[last..]).map_err(minijinja::Error::from)
}

/// Render `template` with `ctx` and the page chrome (viewer, CSRF token, stylesheet, flash) into
/// a 200 page.
pub fn render(viewer: &Viewer, template: &str, ctx: Value) -> Result<Response, WebError> {
    render_status(viewer, StatusCode::OK, template, ctx)
}

pub fn render_status(viewer: &Viewer, status: StatusCode, template: &str, ctx: Value) -> Result<Response, WebError> {
    let html = render_string(viewer, template, ctx).map_err(|e| WebError::Internal(e.into()))?;
    Ok(html_response(viewer, status, html))
}

fn render_string(viewer: &Viewer, template: &str, ctx: Value) -> Result<String, minijinja::Error> {
    let chrome = context! {
        viewer => viewer.user.as_ref().map(|u| context! { name => u.name.clone(), is_admin => u.is_admin, unread => viewer.unread, may_create_org => viewer.may_create_org }),
        csrf => viewer.csrf.clone(),
        css => assets::stylesheet_url(),
        favicon => assets::favicon_url(),
        js => assets::script_url(),
        flash => viewer.flash.clone(),
        sign_up_open => !viewer.registration_disabled,
        mail_enabled => viewer.mail_enabled,
    };
    env().get_template(template)?.render(context! { ..ctx, ..chrome })
}

fn html_response(viewer: &Viewer, status: StatusCode, html: String) -> Response {
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    if viewer.user.is_some() {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// What a page handler can fail with. Rendered by the viewer middleware into a full page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The page needs an account: off to sign-in, and back here afterwards.
    #[error("sign-in required")]
    SignIn,
    /// Somewhere else (an old repository name, `OWNER/REPO.git`).
    #[error("moved")]
    Redirect(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> WebError {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Forbidden(_) => WebError::Forbidden,
            other => WebError::Internal(anyhow::anyhow!(other.to_string())),
        }
    }
}

impl From<hearth_store::StoreError> for WebError {
    fn from(e: hearth_store::StoreError) -> WebError {
        WebError::from(ServiceError::from(e))
    }
}

/// Left on an error response for the viewer middleware, which renders the page.
#[derive(Clone, Copy)]
pub struct ErrorPage(pub StatusCode);

/// Left on a response that needs the viewer to sign in first.
#[derive(Clone, Copy)]
pub struct NeedsSignIn;

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::SignIn => {
                let mut resp = StatusCode::SEE_OTHER.into_response();
                resp.extensions_mut().insert(NeedsSignIn);
                return resp;
            }
            WebError::Redirect(to) => return Redirect::to(&to).into_response(),
            WebError::Internal(e) => {
                tracing::error!("page failed: {e:#}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorPage(status));
        resp
    }
}

/// The error page for `status`: HTML with the viewer's header; never internals.
pub fn error_page(viewer: &Viewer, status: StatusCode) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Forbidden",
        _ => "Server error",
    };
    let html = render_string(viewer, "error.html", context! { title, status => status.as_u16() })
        .unwrap_or_else(|_| format!("<!DOCTYPE html><html lang=\"en\"><title>{title}</title><h1>{title}</h1></html>"));
    html_response(viewer, status, html)
}

/// Router fallback: a page 404 (the API keeps its JSON 404 under `/api/`; the viewer middleware
/// decides by path).
pub async fn fallback() -> Response {
    WebError::NotFound.into_response()
}

mod filters {
    use minijinja::Value;

    /// Unix seconds as RFC 3339 (UTC), for `<time datetime>`.
    pub fn datetime(unix: i64) -> String {
        time::OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default()
    }

    /// Unix seconds as "3 days ago" (server clock; good enough without JavaScript).
    pub fn ago(unix: i64) -> String {
        let secs = (crate::service::now_unix() - unix).max(0);
        let (n, unit) = match secs {
            0..60 => return "just now".into(),
            60..3600 => (secs / 60, "minute"),
            3600..86400 => (secs / 3600, "hour"),
            86400..2_592_000 => (secs / 86400, "day"),
            2_592_000..31_536_000 => (secs / 2_592_000, "month"),
            _ => (secs / 31_536_000, "year"),
        };
        format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
    }

    pub fn filesize(bytes: i64) -> String {
        let b = bytes as f64;
        if bytes < 1024 {
            format!("{bytes} B")
        } else if bytes < 1_048_576 {
            format!("{:.1} KiB", b / 1024.0)
        } else {
            format!("{:.1} MiB", b / 1_048_576.0)
        }
    }

    /// A path (ref name, file path) for an `href`: every byte but unreserved ones and `/`
    /// percent-encoded, so `#`, `?` and `%` in names stay part of the path.
    pub fn urlpath(path: &str) -> String {
        const SET: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
        percent_encoding::utf8_percent_encode(path, SET).to_string()
    }

    pub fn short_sha(sha: Value) -> String {
        sha.as_str().map(|s| s.chars().take(7).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every embedded template parses: a broken one is only logged when the environment is
    /// built, so it is caught here. The HTTP tests render each page with real data.
    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            let template = env().get_template(name);
            assert!(template.is_ok(), "{name}: {:?}", template.err());
        }
        assert_eq!(env().templates().count(), TEMPLATES.len());
    }
}
