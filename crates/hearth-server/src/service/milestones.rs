//! Repository milestones (behaviours.md §16).

use hearth_store::milestones::{self, MilestoneRow};

use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

pub async fn create_milestone(
    state: &AppState,
    repo_id: i64,
    title: &str,
    description: &str,
    deadline_unix: i64,
) -> ServiceResult<MilestoneRow> {
    let mut tx = state.db.begin().await?;
    let row = milestones::insert(tx.conn(), repo_id, title, description, deadline_unix, now_unix()).await?;
    tx.commit().await?;
    Ok(row)
}

/// schemas.md B17: an empty title and a zero deadline leave those alone; `state` closes
/// (`closed`) or opens (anything else), recording when it closed.
#[derive(Debug, Default)]
pub struct EditMilestone {
    pub title: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
    pub deadline_unix: Option<i64>,
}

pub async fn edit_milestone(state: &AppState, repo_id: i64, id: i64, e: &EditMilestone) -> ServiceResult<MilestoneRow> {
    let mut tx = state.db.begin().await?;
    let mut m = milestones::get(tx.conn(), repo_id, id).await?.ok_or(ServiceError::NotFound)?;
    if let Some(t) = e.title.as_deref().filter(|t| !t.is_empty()) {
        m.name = t.to_string();
    }
    if let Some(d) = &e.description {
        m.content = d.clone();
    }
    if let Some(d) = e.deadline_unix.filter(|d| *d > 0) {
        m.deadline_unix = d;
    }
    if let Some(s) = &e.state {
        let closed = s == "closed";
        if closed != m.is_closed {
            m.is_closed = closed;
            m.closed_unix = if closed { now_unix() } else { 0 };
        }
    }
    milestones::update(tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn delete_milestone(state: &AppState, repo_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    milestones::delete(tx.conn(), repo_id, id).await?;
    tx.commit().await?;
    Ok(())
}
