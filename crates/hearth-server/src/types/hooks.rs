//! Webhooks and their delivery history.

use serde::Serialize;
use utoipa::ToSchema;

/// A11. Hook (`config` never carries the secret; its keys sorted as Go prints a map).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hook {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub config: std::collections::BTreeMap<String, String>,
    pub events: Vec<String>,
    pub active: bool,
    pub updated_at: String,
    pub created_at: String,
}

/// One delivery of a hook (GitHub's hook-delivery shape, a hearth extension): `delivered_at` is
/// null and `pending` true until an attempt is final.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookDelivery {
    pub id: i64,
    pub guid: String,
    pub delivered_at: Option<String>,
    pub redelivery: bool,
    /// Seconds the last attempt took.
    pub duration: f64,
    pub status: String,
    pub status_code: i64,
    pub event: String,
    pub action: Option<String>,
    pub repository_id: i64,
    pub pending: bool,
    pub attempts: i64,
}

/// Request or response side of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookExchange {
    pub headers: std::collections::BTreeMap<String, String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// A delivery with what was sent and received.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookDeliveryDetail {
    #[serde(flatten)]
    pub delivery: HookDelivery,
    pub url: String,
    pub request: HookExchange,
    pub response: HookExchange,
}
