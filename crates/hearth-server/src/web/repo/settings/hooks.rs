//! `/OWNER/REPO/settings/hooks…`: the repository's webhooks with their last delivery status, the
//! Gogs hook form (new and edit), test delivery, and the recent deliveries with redelivery.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_store::hooks::{self as hook_store, HookRow, TaskRow};
use hearth_store::{HookContentType, Window};
use minijinja::{Value, context};
use serde::Serialize;

use super::{AdminRepo, refused};
use crate::app::AppState;
use crate::service::webhooks::forms::{self, HookForm};
use crate::service::webhooks::{self, HookEvent, HookEvents};
use crate::web::page::{WebError, ser};
use crate::web::session::redirect_with_flash;

const FORM_TEMPLATE: &str = "repo/settings/hook.html";

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

pub async fn list(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    let rows = {
        let mut h = state.db.acquire().await?;
        hook_store::list_for_repo(h.conn(), page.0.ctx.repo.id, Window::ALL).await?.0
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
    page.render(&state, "repo/settings/hooks.html", "hooks", context! { hooks => ser(&hooks) }).await
}

// ---- new ----

fn new_ctx(view: &FormView) -> Value {
    context! { form => ser(view), is_new => true, choices => event_choices(), deliveries => Vec::<Value>::new() }
}

pub async fn new_form(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    page.render(&state, FORM_TEMPLATE, "hooks", new_ctx(&FormView::new_hook())).await
}

pub async fn create(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (view, secret) = parse(&pairs);
    let form = match to_service(&view, Some(secret)) {
        Ok(f) => f,
        Err((field, message)) => {
            return page.invalid(&state, FORM_TEMPLATE, "hooks", new_ctx(&view), field, message).await;
        }
    };
    match forms::create(&state, &page.0.ctx.repo, &form).await {
        Ok(row) => Ok(redirect_with_flash(
            &state,
            &page.path(&format!("/settings/hooks/{}", row.id)),
            "The webhook has been added.",
        )),
        Err(e) => {
            let message = refused(e)?;
            page.invalid(&state, FORM_TEMPLATE, "hooks", new_ctx(&view), "url", message).await
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

async fn load_hook(state: &AppState, page: &AdminRepo, id: &str) -> Result<HookRow, WebError> {
    let id = hook_id(id)?;
    let mut h = state.db.acquire().await?;
    hook_store::by_id_for_repo(h.conn(), page.0.ctx.repo.id, id).await?.ok_or(WebError::NotFound)
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
    page: AdminRepo,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let ctx = hook_ctx(&state, &hook, &FormView::of(&hook)).await?;
    page.render(&state, FORM_TEMPLATE, "hooks", ctx).await
}

pub async fn update(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, id)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let (view, secret) = parse(&pairs);
    // An empty secret field keeps the stored secret (the page never shows it).
    let secret = (!secret.is_empty()).then_some(secret);
    let result = match to_service(&view, secret) {
        Ok(form) => forms::update(&state, &page.0.ctx.repo, hook.id, &form).await.map_err(|e| ("url", e)),
        Err((field, message)) => {
            let ctx = hook_ctx(&state, &hook, &view).await?;
            return page.invalid(&state, FORM_TEMPLATE, "hooks", ctx, field, message).await;
        }
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &page.path(&format!("/settings/hooks/{}", hook.id)),
            "The webhook has been updated.",
        )),
        Err((field, e)) => {
            let message = refused(e)?;
            let ctx = hook_ctx(&state, &hook, &view).await?;
            page.invalid(&state, FORM_TEMPLATE, "hooks", ctx, field, message).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    webhooks::delete_hook(&state, page.0.ctx.repo.id, 0, hook.id).await?;
    Ok(redirect_with_flash(&state, &page.path("/settings/hooks"), "The webhook has been deleted."))
}

pub async fn test(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let hook = load_hook(&state, &page, &id).await?;
    let ctx = &page.0.ctx;
    let sent = forms::test_delivery(&state, &ctx.owner, &ctx.repo, ctx.dir(), page.me()?, &hook).await?;
    let message = if sent {
        "A test push delivery has been queued."
    } else {
        "This webhook does not take push events, so no test delivery was sent."
    };
    Ok(redirect_with_flash(&state, &page.path(&format!("/settings/hooks/{}", hook.id)), message))
}

pub async fn redeliver(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, id, delivery_id)): Path<(String, String, String, String)>,
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
        &page.path(&format!("/settings/hooks/{}", hook.id)),
        &format!("Delivery {} has been queued again.", task.uuid),
    ))
}
