//! `/api/v1` handlers, one module per Gogs area, and the one route list that is both the routing
//! table and the OpenAPI document.

mod admin;
mod emails;
mod followers;
mod keys;
mod markdown;
mod misc;
mod tokens;
mod users;

use hearth_store::users::{self as user_store, UserRow};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(OpenApi)]
#[openapi(
    info(title = "hearth API", description = "Gogs-compatible REST API v1 served by hearth."),
    servers((url = "/api/v1")),
    components(schemas(crate::error::FieldError)),
    modifiers(&SecurityAddon),
    security(("token" = []), ("basic" = []))
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`token <access token>`",
            ))),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// Every `/api/v1` route, relative to `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::get_authenticated_user))
        .routes(routes!(users::search_users))
        .routes(routes!(users::get_user))
        .routes(routes!(tokens::list_access_tokens, tokens::create_access_token))
        .routes(routes!(emails::list_emails, emails::add_emails, emails::delete_emails))
        .routes(routes!(followers::list_my_followers))
        .routes(routes!(followers::list_my_following))
        .routes(routes!(followers::check_my_following, followers::follow_user, followers::unfollow_user))
        .routes(routes!(followers::list_followers))
        .routes(routes!(followers::list_following))
        .routes(routes!(followers::check_following))
        .routes(routes!(keys::list_my_keys, keys::create_my_key))
        .routes(routes!(keys::get_my_key, keys::delete_my_key))
        .routes(routes!(keys::list_user_keys))
        .routes(routes!(admin::create_user))
        .routes(routes!(admin::edit_user, admin::delete_user))
        .routes(routes!(admin::create_user_key))
        .routes(routes!(markdown::render_markdown))
        .routes(routes!(markdown::render_markdown_raw))
        .routes(routes!(misc::get_version))
}

/// Look an account up by name (case-insensitively); 404 if there is none.
pub(crate) async fn load_user(state: &AppState, name: &str) -> ApiResult<UserRow> {
    let mut h = state.db.acquire().await?;
    user_store::by_name(h.c(), name).await?.ok_or_else(ApiError::not_found)
}
