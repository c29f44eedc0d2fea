//! Repository labels (behaviours.md §15).

use hearth_store::labels::{self, LabelRow};

use super::{ServiceError, ServiceResult};
use crate::app::AppState;

/// Gogs requires exactly 7 characters; hearth also requires them to be `#` and six hex digits.
pub fn check_color(color: &str) -> ServiceResult<()> {
    let hex = color.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!("color is not valid [color: {color}]")))
    }
}

pub async fn create_label(state: &AppState, repo_id: i64, name: &str, color: &str) -> ServiceResult<LabelRow> {
    check_color(color)?;
    let mut tx = state.db.begin().await?;
    let row = labels::insert(tx.conn(), repo_id, name, color).await?;
    tx.commit().await?;
    Ok(row)
}

/// Present fields overwrite (no validation, as Gogs).
pub async fn edit_label(
    state: &AppState,
    label: &LabelRow,
    name: Option<&str>,
    color: Option<&str>,
) -> ServiceResult<LabelRow> {
    let mut row = label.clone();
    if let Some(n) = name {
        row.name = n.to_string();
    }
    if let Some(c) = color {
        row.color = c.to_string();
    }
    let mut tx = state.db.begin().await?;
    labels::update(tx.conn(), row.id, &row.name, &row.color).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn delete_label(state: &AppState, repo_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    labels::delete(tx.conn(), repo_id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Give a repository the labels of a named set (`Default`), all in one transaction.
pub async fn add_label_set(state: &AppState, repo_id: i64, set: &str) -> ServiceResult<usize> {
    let set = super::templates::label_set(set)?;
    let mut tx = state.db.begin().await?;
    for l in &set {
        labels::insert(tx.conn(), repo_id, &l.name, &l.color).await?;
    }
    tx.commit().await?;
    Ok(set.len())
}
