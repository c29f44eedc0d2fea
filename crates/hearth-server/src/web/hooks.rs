//! Webhook pages, for a repository (`/OWNER/REPO/settings/hooks…`, its admins) and for an
//! organisation (`/org/ORG/settings/hooks…`, its owners) alike: the hooks with their last delivery
//! status, the Gogs hook form (new and edit), test delivery, and the recent deliveries with
//! redelivery. One set of handlers serves both; [`HookPage`] says whose hooks they are.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use hearth_store::HookContentType;
use hearth_store::hooks::{self as hook_store, HookRow, TaskRow};
use hearth_store::users::UserRow;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::orgs::owner_view;
use super::page::{WebError, render_status, ser};
use super::repo::settings::{AdminRepo, refused};
use super::session::{Viewer, redirect_with_flash};
use crate::app::AppState;
use crate::service::webhooks::forms::{self, HookForm, HookScope};
use crate::service::webhooks::{self, HookEvent, HookEvents};

/// Whose hooks a page shows: a repository's (for its admins) or an organisation's (for its
/// owners). Anonymous visitors sign in first; any other viewer gets 404, for GETs and POSTs.
pub enum HookPage {
    Repo(Box<AdminRepo>),
    Org(Box<OrgOwner>),
}

/// An organisation seen by one of its owners.
pub struct OrgOwner {
    viewer: Viewer,
    org: UserRow,
}

impl FromRequestParts<AppState> for HookPage {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<HookPage, WebError> {
        let params =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| WebError::NotFound)?;
        // The organisation routes name their first segment `org`, the repository ones `owner`.
        let Some(name) = params.0.get("org") else {
            return Ok(HookPage::Repo(Box::new(AdminRepo::from_request_parts(parts, state).await?)));
        };
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let v = owner_view(state, &viewer, name).await?;
        Ok(HookPage::Org(Box::new(OrgOwner { viewer, org: v.org })))
    }
}

impl HookPage {
    fn scope(&self) -> HookScope {
        match self {
            HookPage::Repo(page) => HookScope::Repo(page.0.ctx.repo.id),
            HookPage::Org(o) => HookScope::Org(o.org.id),
        }
    }

    /// The hook list's path; every other page is below it.
    fn base(&self) -> String {
        match self {
            HookPage::Repo(page) => page.path("/settings/hooks"),
            HookPage::Org(o) => format!("/org/{}/settings/hooks", o.org.name),
        }
    }

    fn me(&self) -> Result<&UserRow, WebError> {
        match self {
            HookPage::Repo(page) => page.me(),
            HookPage::Org(o) => Ok(o.viewer.signed_in()?.as_ref()),
        }
    }

    async fn render(&self, state: &AppState, template: &str, ctx: Value) -> Result<Response, WebError> {
        self.render_status(state, StatusCode::OK, template, ctx, None).await
    }

    /// The form again with 422: `field`'s control marked invalid, `message` in the alert.
    async fn invalid(
        &self,
        state: &AppState,
        template: &str,
        ctx: Value,
        field: &str,
        message: String,
    ) -> Result<Response, WebError> {
        self.render_status(state, StatusCode::UNPROCESSABLE_ENTITY, template, ctx, Some((field, message))).await
    }

    /// The page with its scope's chrome: the repository header and settings nav, or the
    /// organisation nav with its settings nav.
    async fn render_status(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &str,
        ctx: Value,
        error: Option<(&str, String)>,
    ) -> Result<Response, WebError> {
        let ctx = context! { ..ctx, ..context! { base => self.base() } };
        match self {
            HookPage::Repo(page) => match error {
                Some((field, message)) => page.invalid(state, template, "hooks", ctx, field, message).await,
                None => page.render(state, template, "hooks", ctx).await,
            },
            HookPage::Org(o) => {
                let (errors, error) = match error {
                    Some((field, message)) => {
                        (Value::from_pairs([(field.to_string(), message.clone())]), Some(message))
                    }
                    None => (context! {}, None),
                };
                let chrome = context! {
                    org_name => o.org.name.clone(), is_owner => true, insider => true,
                    settings_section => "hooks", errors, error,
                };
                render_status(&o.viewer, status, template, context! { ..ctx, ..chrome })
            }
        }
    }

    /// Queue a test push for `hook`: the flash message to show.
    async fn test(&self, state: &AppState, hook: &HookRow) -> Result<String, WebError> {
        let sent = match self {
            HookPage::Repo(page) => {
                let ctx = &page.0.ctx;
                forms::test_delivery(state, &ctx.owner, &ctx.repo, ctx.dir(), page.me()?, hook).await
            }
            HookPage::Org(o) => forms::test_delivery_for_org(state, &o.org, self.me()?, hook).await,
        };
        Ok(match sent {
            Ok(true) => "A test push delivery has been queued.".into(),
            Ok(false) => "This webhook does not take push events, so no test delivery was sent.".into(),
            Err(e) => refused(e)?,
        })
    }
}

/// The path parameters beyond the scope's: the hook, and a delivery of it.
#[derive(Deserialize)]
pub struct HookPath {
    id: String,
}

#[derive(Deserialize)]
pub struct DeliveryPath {
    id: String,
    delivery: String,
}

const FORM_TEMPLATE: &str = "hooks/hook.html";
const LIST_TEMPLATE: &str = "hooks/list.html";

/// The event checkboxes of "Let me choose", in the API's order.
fn event_label(e: HookEvent) -> &'static str {
    match e {
        HookEvent::Create => "Create",
        HookEvent::Delete => "Delete",
        HookEvent::Fork => "Fork",
        HookEvent::Push => "Push",
        HookEvent::Issues => "Issues",
        HookEvent::PullRequest => "Pull request",
        HookEvent::IssueComment => "Issue comment",
        HookEvent::Release => "Release",
        HookEvent::Status => "Status",
    }
}

fn event_choices() -> Value {
    ser(&HookEvent::ALL.iter().map(|e| (e.name(), event_label(*e))).collect::<Vec<_>>())
}

/// The form as typed (never the secret).
#[derive(Serialize, Default)]
struct FormView {
    url: String,
    content_type: String,
    events_mode: String,
    events: Vec<String>,
    active: bool,
}

impl FormView {
    fn new_hook() -> FormView {
        FormView { content_type: "json".into(), events_mode: "push_only".into(), active: true, ..FormView::default() }
    }

    fn of(h: &HookRow) -> FormView {
        let e = HookEvents::parse(&h.events);
        let events_mode = if e.send_everything {
            "send_everything"
        } else if e.choose_events {
            "choose_events"
        } else {
            "push_only"
        };
        FormView {
            url: h.url.clone(),
            content_type: h.content_type.name().into(),
            events_mode: events_mode.into(),
            events: HookEvent::ALL
                .iter()
                .filter(|ev| e.choose_events && e.selects(**ev))
                .map(|ev| ev.name().into())
                .collect(),
            active: h.is_active,
        }
    }
}

/// The posted fields (`events` repeats, one per ticked checkbox), and the secret apart.
fn parse(pairs: &[(String, String)]) -> (FormView, String) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let view = FormView {
        url: get("url").trim().to_string(),
        content_type: get("content_type"),
        events_mode: get("events_mode"),
        events: pairs.iter().filter(|(n, _)| n == "events").map(|(_, v)| v.clone()).collect(),
        active: pairs.iter().any(|(n, _)| n == "active"),
    };
    (view, get("secret"))
}

/// The service's form, or the field to fix and why.
fn to_service(view: &FormView, secret: Option<String>) -> Result<HookForm, (&'static str, String)> {
    let content_type =
        HookContentType::from_name(&view.content_type).ok_or(("content_type", "Choose a content type.".to_string()))?;
    let events = match view.events_mode.as_str() {
        "push_only" => HookEvents { push_only: true, ..HookEvents::default() },
        "send_everything" => HookEvents { send_everything: true, ..HookEvents::default() },
        "choose_events" => {
            let known: Vec<String> =
                view.events.iter().filter(|n| HookEvent::ALL.iter().any(|e| e.name() == *n)).cloned().collect();
            if known.is_empty() {
                return Err(("events", "Choose at least one event.".into()));
            }
            HookEvents::from_names(&known)
        }
        _ => return Err(("events_mode", "Choose which events trigger the webhook.".into())),
    };
    Ok(HookForm { url: view.url.clone(), content_type, secret, events, active: view.active })
}

#[derive(Serialize)]
struct HookItem {
    id: i64,
    url: String,
    active: bool,
    last_status: &'static str,
}

pub async fn list(State(state): State<AppState>, page: HookPage) -> Result<Response, WebError> {
    let rows = {
        let mut h = state.db.acquire().await?;
        page.scope().list(h.conn()).await?
    };
    let hooks: Vec<HookItem> = rows
        .iter()
        .map(|h| HookItem {
            id: h.id,
            url: h.url.clone(),
            active: h.is_active,
            last_status: match h.last_status {
                1 => "Last delivery succeeded",
                2 => "Last delivery failed",
                _ => "Not delivered yet",
            },
        })
        .collect();
    page.render(&state, LIST_TEMPLATE, context! { hooks => ser(&hooks) }).await
}

// ---- new ----

fn new_ctx(view: &FormView) -> Value {
    context! { form => ser(view), is_new => true, choices => event_choices(), deliveries => Vec::<Value>::new() }
}

pub async fn new_form(State(state): State<AppState>, page: HookPage) -> Result<Response, WebError> {
    page.render(&state, FORM_TEMPLATE, new_ctx(&FormView::new_hook())).await
}

pub async fn create(
    State(state): State<AppState>,
    page: HookPage,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (view, secret) = parse(&pairs);
    let form = match to_service(&view, Some(secret)) {
        Ok(f) => f,
        Err((field, message)) => {
            return page.invalid(&state, FORM_TEMPLATE, new_ctx(&view), field, message).await;
        }
    };
    match forms::create(&state, page.scope(), &form).await {
        Ok(row) => {
            Ok(redirect_with_flash(&state, &format!("{}/{}", page.base(), row.id), "The webhook has been added."))
        }
        Err(e) => {
            let message = refused(e)?;
            page.invalid(&state, FORM_TEMPLATE, new_ctx(&view), "url", message).await
        }
    }
}

// ---- one hook ----

#[derive(Serialize)]
struct DeliveryItem {
    id: i64,
    uuid: String,
    event: String,
    status: String,
    succeeded: bool,
    redelivery: bool,
    time: i64,
    request_headers: String,
    payload: String,
    response_headers: String,
    response_body: String,
}

fn pretty_headers(v: &serde_json::Value) -> String {
    let map: BTreeMap<String, String> = v
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    map.iter().map(|(k, v)| format!("{k}: {v}\n")).collect()
}

fn delivery(t: &TaskRow) -> DeliveryItem {
    let request: serde_json::Value = serde_json::from_str(&t.request_content).unwrap_or_default();
    let response: serde_json::Value = serde_json::from_str(&t.response_content).unwrap_or_default();
    DeliveryItem {
        id: t.id,
        uuid: t.uuid.clone(),
        event: t.event_type.clone(),
        status: forms::delivery_status(t),
        succeeded: t.is_succeed,
        redelivery: t.is_redelivery,
        // `delivered` is in nanoseconds; a task not yet sent shows when it was queued.
        time: if t.delivered > 0 { t.delivered / 1_000_000_000 } else { t.created_unix },
        request_headers: pretty_headers(&request["headers"]),
        payload: t.payload_content.clone(),
        response_headers: pretty_headers(&response["headers"]),
        response_body: response["body"].as_str().unwrap_or_default().to_string(),
    }
}

fn hook_id(id: &str) -> Result<i64, WebError> {
    id.parse::<i64>().ok().filter(|n| *n > 0).ok_or(WebError::NotFound)
}

async fn load_hook(state: &AppState, page: &HookPage, id: &str) -> Result<HookRow, WebError> {
    let id = hook_id(id)?;
    let mut h = state.db.acquire().await?;
    page.scope().find(h.conn(), id).await?.ok_or(WebError::NotFound)
}

/// The hook page: its form (as stored, or as typed), test and delete, and recent deliveries.
async fn hook_ctx(state: &AppState, hook: &HookRow, view: &FormView) -> Result<Value, WebError> {
    let tasks = {
        let mut h = state.db.acquire().await?;
        hook_store::tasks_of_hook(h.conn(), hook.id, 30, 0).await?
    };
    let deliveries: Vec<DeliveryItem> = tasks.iter().map(delivery).collect();
    Ok(context! {
        form => ser(view),
        is_new => false,
        hook_id => hook.id,
        has_secret => !hook.secret.is_empty(),
        choices => event_choices(),
        deliveries => ser(&deliveries),
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: HookPage,
    Path(HookPath { id }): Path<HookPath>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let ctx = hook_ctx(&state, &hook, &FormView::of(&hook)).await?;
    page.render(&state, FORM_TEMPLATE, ctx).await
}

pub async fn update(
    State(state): State<AppState>,
    page: HookPage,
    Path(HookPath { id }): Path<HookPath>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let (view, secret) = parse(&pairs);
    // An empty secret field keeps the stored secret (the page never shows it).
    let secret = (!secret.is_empty()).then_some(secret);
    let result = match to_service(&view, secret) {
        Ok(form) => forms::update(&state, page.scope(), hook.id, &form).await.map_err(|e| ("url", e)),
        Err((field, message)) => {
            let ctx = hook_ctx(&state, &hook, &view).await?;
            return page.invalid(&state, FORM_TEMPLATE, ctx, field, message).await;
        }
    };
    match result {
        Ok(_) => {
            Ok(redirect_with_flash(&state, &format!("{}/{}", page.base(), hook.id), "The webhook has been updated."))
        }
        Err((field, e)) => {
            let message = refused(e)?;
            let ctx = hook_ctx(&state, &hook, &view).await?;
            page.invalid(&state, FORM_TEMPLATE, ctx, field, message).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    page: HookPage,
    Path(HookPath { id }): Path<HookPath>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    forms::delete(&state, page.scope(), hook.id).await?;
    Ok(redirect_with_flash(&state, &page.base(), "The webhook has been deleted."))
}

pub async fn test(
    State(state): State<AppState>,
    page: HookPage,
    Path(HookPath { id }): Path<HookPath>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let message = page.test(&state, &hook).await?;
    Ok(redirect_with_flash(&state, &format!("{}/{}", page.base(), hook.id), &message))
}

pub async fn redeliver(
    State(state): State<AppState>,
    page: HookPage,
    Path(DeliveryPath { id, delivery: delivery_id }): Path<DeliveryPath>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let task = {
        let delivery_id = hook_id(&delivery_id)?;
        let mut h = state.db.acquire().await?;
        hook_store::task_of_hook(h.conn(), hook.id, delivery_id).await?.ok_or(WebError::NotFound)?
    };
    webhooks::redeliver(&state, task.id).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("{}/{}", page.base(), hook.id),
        &format!("Delivery {} has been queued again.", task.uuid),
    ))
}
