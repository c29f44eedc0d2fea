//! Pagination (spec README §5, [hearth] rules): Gogs' page sizes where Gogs pages, full lists where
//! it does not unless `page`/`limit` is given (then at most `MAX_RESPONSE_ITEMS`), `Link` headers that
//! keep the other query parameters, and `X-Total-Count`.

use crate::json::Json;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use hearth_store::Window;

use crate::app::AppState;
use crate::error::ApiError;

/// The raw `page`/`limit` parameters (unparsable values count as absent, as Gogs' `QueryInt`) and
/// what is needed to build `Link` URLs.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    path: String,
    query: Vec<(String, String)>,
    external_url: String,
    max_items: i64,
}

/// A resolved page: 1-based `page`, `limit` items per page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub limit: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }

    /// The rows of a stored list this page covers.
    pub fn window(&self) -> Window {
        Window { limit: self.limit, offset: self.offset() }
    }

    /// The rows of `page`, or the whole list when there is no page.
    pub fn window_of(page: Option<Page>) -> Window {
        page.map_or(Window::ALL, |p| p.window())
    }
}

/// Gitea's `DEFAULT_PAGING_NUM`: the page size when a caller pages a list without a `limit`.
const DEFAULT_PAGING_NUM: i64 = 30;

impl FromRequestParts<AppState> for ListParams {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let uri = parts.extensions.get::<OriginalUri>().map(|u| u.0.clone()).unwrap_or_else(|| parts.uri.clone());
        let query: Vec<(String, String)> =
            uri.query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
        let int = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.trim().parse::<i64>().ok());
        Ok(ListParams {
            page: int("page"),
            limit: int("limit"),
            path: uri.path().trim_start_matches('/').to_string(),
            query,
            external_url: state.links.external_url.clone(),
            max_items: state.config.api.max_response_items,
        })
    }
}

impl ListParams {
    /// Any other query parameter (first occurrence).
    /// Every value of a repeated parameter (`labels=1&labels=2`), and comma-separated ones.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).flat_map(|(_, v)| v.split(',')).collect()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Endpoints Gogs pages with a fixed size: `limit` (a Gitea extension) may change it, up to the
    /// maximum.
    pub fn fixed(&self, default_size: i64) -> Page {
        let limit = match self.limit {
            Some(l) if l > 0 => l.min(self.max_items.max(default_size)),
            _ => default_size,
        };
        Page { page: self.page.filter(|p| *p > 0).unwrap_or(1), limit }
    }

    /// Lists Gogs returns whole: the whole list (`None`) unless the caller gives `page` or `limit`;
    /// then Gitea's paging (30 a page, at most `MAX_RESPONSE_ITEMS`).
    pub fn optional(&self) -> Option<Page> {
        if self.page.is_none() && self.limit.is_none() {
            return None;
        }
        let limit = match self.limit {
            Some(l) if l > 0 => l.min(self.max_items),
            _ => DEFAULT_PAGING_NUM.min(self.max_items),
        };
        Some(Page { page: self.page.filter(|p| *p > 0).unwrap_or(1), limit })
    }

    /// The `Link` header for `page` of a list of `total` items, or `None` for a single page.
    pub fn link_header(&self, page: Page, total: i64) -> Option<String> {
        let total_pages = ((total + page.limit - 1) / page.limit).max(1);
        if total_pages <= 1 {
            return None;
        }
        let current = page.page.clamp(1, total_pages);
        let mut links = Vec::new();
        if total > current * page.limit {
            links.push(format!("<{}>; rel=\"next\"", self.url_for(current + 1)));
        }
        if current != total_pages {
            links.push(format!("<{}>; rel=\"last\"", self.url_for(total_pages)));
        }
        if current != 1 {
            links.push(format!("<{}>; rel=\"first\"", self.url_for(1)));
        }
        if current > 1 {
            links.push(format!("<{}>; rel=\"prev\"", self.url_for(current - 1)));
        }
        Some(links.join(","))
    }

    fn url_for(&self, page: i64) -> String {
        let mut pairs: Vec<(String, String)> = self.query.iter().filter(|(k, _)| k != "page").cloned().collect();
        pairs.push(("page".into(), page.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}{}?{}", self.external_url, self.path, query)
    }
}

/// A JSON list with its `Link` and `X-Total-Count` headers.
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub link: Option<String>,
    /// Wrap the list as `{"data": [...], "ok": true}` (the search endpoints).
    wrapped: bool,
}

impl<T> Paged<T> {
    pub fn page(items: Vec<T>, total: i64, params: &ListParams, page: Page) -> Paged<T> {
        Paged { items, total, link: params.link_header(page, total), wrapped: false }
    }

    /// A list Gogs returns whole (see [`ListParams::optional`]): `Link` only when paged,
    /// `X-Total-Count` always.
    pub fn list(items: Vec<T>, total: i64, params: &ListParams, page: Option<Page>) -> Paged<T> {
        match page {
            Some(page) => Paged::page(items, total, params, page),
            None => Paged { items, total, link: None, wrapped: false },
        }
    }

    /// Page an in-memory list (one already filtered by rules SQL cannot express).
    pub fn slice(mut items: Vec<T>, params: &ListParams, page: Option<Page>) -> Paged<T> {
        let total = items.len() as i64;
        if let Some(p) = page {
            let start = (p.offset().min(total)) as usize;
            let end = (p.offset().saturating_add(p.limit).min(total)) as usize;
            items = items.drain(start..end).collect();
        }
        Paged::list(items, total, params, page)
    }

    pub fn page_wrapped(items: Vec<T>, total: i64, params: &ListParams, page: Page) -> Paged<T> {
        Paged { wrapped: true, ..Paged::page(items, total, params, page) }
    }
}

impl<T: Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> Response {
        let mut resp = if self.wrapped {
            Json(serde_json::json!({ "data": self.items, "ok": true })).into_response()
        } else {
            Json(self.items).into_response()
        };
        let headers = resp.headers_mut();
        headers.insert(HeaderName::from_static("x-total-count"), HeaderValue::from(self.total));
        if let Some(link) = self.link.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(axum::http::header::LINK, link);
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> ListParams {
        let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
        let int = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse().ok());
        ListParams {
            page: int("page"),
            limit: int("limit"),
            path: "api/v1/user/followers".into(),
            query: query.clone(),
            external_url: "http://h/".into(),
            max_items: 50,
        }
    }

    #[test]
    fn link_keeps_other_parameters() {
        let p = params("q=x&page=2&limit=10");
        let page = p.fixed(40);
        assert_eq!((page.page, page.limit), (2, 10));
        let link = p.link_header(page, 35).unwrap();
        assert_eq!(
            link,
            "<http://h/api/v1/user/followers?q=x&limit=10&page=3>; rel=\"next\",\
             <http://h/api/v1/user/followers?q=x&limit=10&page=4>; rel=\"last\",\
             <http://h/api/v1/user/followers?q=x&limit=10&page=1>; rel=\"first\",\
             <http://h/api/v1/user/followers?q=x&limit=10&page=1>; rel=\"prev\""
        );
        assert!(p.link_header(page, 10).is_none());
    }
}
