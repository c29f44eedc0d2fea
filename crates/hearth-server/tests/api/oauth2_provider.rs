//! The OAuth2 provider: applications (API and settings page), the authorization-code flow with
//! PKCE through the consent page driven by a real OAuth2 client library (the `oauth2` crate over
//! the tests' reqwest), refresh rotation, revocation, and OpenID Connect (discovery, JWKS, ID
//! token, user info); and every refusal the flow owes.

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    RevocationUrl, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json as j};

use crate::support::*;

/// The token response with OpenID Connect's `id_token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdFields {
    #[serde(default)]
    id_token: Option<String>,
}
impl ExtraTokenFields for IdFields {}

type Tokens = StandardTokenResponse<IdFields, BasicTokenType>;
type OidcClient = Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointSet,
>;
type TokenError = RequestTokenError<reqwest::Error, BasicErrorResponse>;

/// The library's HTTP calls, made by the tests' reqwest.
async fn send(req: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = client.execute(reqwest::Request::try_from(req)?).await?;
    let mut out = oauth2::http::Response::builder().status(resp.status());
    for (name, value) in resp.headers() {
        out = out.header(name, value);
    }
    Ok(out.body(resp.bytes().await?.to_vec()).unwrap())
}

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn client(s: &TestServer, id: &str, secret: Option<&str>, redirect: &str) -> OidcClient {
    let base = s.base.trim_end_matches('/');
    let c = Client::new(ClientId::new(id.to_string()))
        .set_auth_uri(AuthUrl::new(format!("{base}/login/oauth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(format!("{base}/login/oauth/access_token")).unwrap())
        .set_revocation_url(RevocationUrl::new(format!("{base}/login/oauth/revoke")).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect.to_string()).unwrap());
    match secret {
        Some(secret) => c.set_client_secret(ClientSecret::new(secret.to_string())),
        None => c,
    }
}

/// Register an application through the API: (client id, client secret).
async fn register(s: &TestServer, token: &str, body: Value) -> (String, String) {
    let (status, app) = s.post_json("/user/applications/oauth2", token, body).await;
    assert_eq!(status, 201, "{app}");
    (app["client_id"].as_str().unwrap().to_string(), app["client_secret"].as_str().unwrap().to_string())
}

/// The authorization URL's path and query (for the browser) and its state.
fn authorize_url(c: &OidcClient, scopes: &[&str], pkce: Option<PkceCodeChallenge>) -> (oauth2::url::Url, CsrfToken) {
    let mut req = c.authorize_url(CsrfToken::new_random).add_extra_param("nonce", "n-0S6_WzA2Mj");
    for scope in scopes {
        req = req.add_scope(Scope::new(scope.to_string()));
    }
    if let Some(pkce) = pkce {
        req = req.set_pkce_challenge(pkce);
    }
    req.url()
}

fn path_of(url: &oauth2::url::Url) -> String {
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

/// The consent page's form, as the browser submits it: the request's parameters and the answer.
/// A confidential client the user already authorized gets its code without the page (Gitea).
async fn consent(b: &mut Browser, url: &oauth2::url::Url, granted: bool) -> Page {
    let page = b.get(&path_of(url)).await;
    if page.status == 303 && granted {
        return page;
    }
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Authorize"), "{}", page.body);
    let csrf = page.csrf();
    let mut form: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    form.push(("_csrf".into(), csrf));
    form.push(("granted".into(), granted.to_string()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/login/oauth/grant", &fields).await
}

/// The `code` and `state` of the redirect back to the client.
fn code_of(page: &Page) -> (String, String) {
    assert_eq!(page.status, 303, "{}", page.body);
    let to = oauth2::url::Url::parse(page.location()).unwrap();
    let get = |name: &str| to.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default();
    (get("code"), get("state"))
}

/// Sign in as `user` and run the flow up to the code: (code, PKCE verifier).
async fn authorize(
    s: &TestServer,
    user: &TestUser,
    c: &OidcClient,
    scopes: &[&str],
) -> (String, PkceCodeVerifier, Browser) {
    let mut b = Browser::new(s);
    b.sign_in(user).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = authorize_url(c, scopes, Some(challenge));
    let (code, returned_state) = code_of(&consent(&mut b, &url, true).await);
    assert_eq!(&returned_state, state.secret());
    assert!(!code.is_empty());
    (code, verifier, b)
}

async fn exchange(c: &OidcClient, code: &str, verifier: PkceCodeVerifier) -> Result<Tokens, TokenError> {
    c.exchange_code(AuthorizationCode::new(code.to_string())).set_pkce_verifier(verifier).request_async(&send).await
}

fn refused(e: TokenError) -> (BasicErrorResponseType, String) {
    match e {
        RequestTokenError::ServerResponse(r) => (r.error().clone(), r.error_description().cloned().unwrap_or_default()),
        other => panic!("expected an RFC 6749 error body, got {other:?}"),
    }
}

/// RFC 7009 revocation with client credentials in a Basic header (the library refuses to send
/// this to an `http` URL, so the form is posted by hand).
async fn revoke(s: &TestServer, id: &str, secret: &str, token: &str) {
    let resp = s
        .client
        .post(format!("{}login/oauth/revoke", s.base))
        .basic_auth(id, Some(secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A wrong secret is refused.
    let resp = s
        .client
        .post(format!("{}login/oauth/revoke", s.base))
        .basic_auth(id, Some("gto_wrong"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

async fn api_status(s: &TestServer, auth: &str) -> (u16, Value) {
    let resp = s.get("/user").header("Authorization", auth).send().await.unwrap();
    json(resp).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_flow_with_pkce_through_the_consent_page() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "priv", "auto_init": true, "private": true})).await;
    let (status, org) = s.post_json("/user/orgs", &token, j!({"username": "acme"})).await;
    assert_eq!(status, 201, "{org}");
    let (id, secret) =
        register(&s, &token, j!({"name": "Tool", "redirect_uris": [REDIRECT], "confidential_client": true})).await;
    let c = client(&s, &id, Some(&secret), REDIRECT);
    let (code, verifier, _) = authorize(&s, &alice, &c, &["openid", "profile", "email", "groups"]).await;
    let tokens = exchange(&c, &code, verifier).await.unwrap();
    assert_eq!(*tokens.token_type(), BasicTokenType::Bearer);
    assert_eq!(tokens.expires_in().unwrap().as_secs(), 3600);
    let access = tokens.access_token().secret().clone();
    let refresh = tokens.refresh_token().unwrap().clone();

    // The API takes the token as a bearer (any case) and as a query parameter.
    for auth in [format!("Bearer {access}"), format!("bearer {access}"), format!("BEARER {access}")] {
        let (status, me) = api_status(&s, &auth).await;
        assert_eq!((status, me["login"].as_str()), (200, Some("alice")), "{auth}");
    }
    for param in ["access_token", "token"] {
        let (status, me) = s.get_json(&format!("/user?{param}={access}"), Anon).await;
        assert_eq!((status, me["login"].as_str()), (200, Some("alice")), "{param}");
    }

    // Git over HTTP takes it as the password (git-credential-oauth sends user `oauth2`).
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(Some(("oauth2", &access)), "alice", "priv"), "p"]);
    assert!(git.path("p/README.md").exists());

    // OpenID Connect: discovery, the key set, a signed ID token, the user info.
    let discovery: Value =
        s.client.get(format!("{}.well-known/openid-configuration", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(discovery["issuer"], s.base.as_str());
    assert_eq!(discovery["token_endpoint"], format!("{}login/oauth/access_token", s.base));
    assert_eq!(discovery["id_token_signing_alg_values_supported"], j!(["RS256"]));
    let jwks: Value = s.client.get(discovery["jwks_uri"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (jwk["kty"].as_str(), jwk["alg"].as_str(), jwk["use"].as_str()),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    let id_token = tokens.extra_fields().id_token.clone().expect("an id_token for scope openid");
    let header = jsonwebtoken::decode_header(&id_token).unwrap();
    assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
    let key =
        jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&id]);
    validation.set_issuer(&[&s.base]);
    let claims = jsonwebtoken::decode::<Value>(&id_token, &key, &validation).unwrap().claims;
    let (_, me) = s.get_json("/user", &token).await;
    assert_eq!(claims["sub"], me["id"].to_string());
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["groups"], j!(["acme", "acme:owners"]));
    // Another audience does not verify.
    let mut wrong = validation.clone();
    wrong.set_audience(&["someone-else"]);
    assert!(jsonwebtoken::decode::<Value>(&id_token, &key, &wrong).is_err());

    let info = s.client.get(format!("{}login/oauth/userinfo", s.base)).bearer_auth(&access).send().await.unwrap();
    assert_eq!(info.status(), 200);
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["groups"], j!(["acme", "acme:owners"]));
    assert_eq!(
        (info["sub"].as_str(), info["preferred_username"].as_str()),
        (Some(me["id"].to_string().as_str()), Some("alice"))
    );
    // A personal access token is not an OAuth2 token there.
    let info = s.client.get(format!("{}login/oauth/userinfo", s.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(info.status(), 401);

    // Introspection (RFC 7662) by a registered client.
    let introspect = |auth: (&str, &str), t: &str| {
        let req = s.client.post(format!("{}login/oauth/introspect", s.base)).basic_auth(auth.0, Some(auth.1));
        req.form(&[("token", t.to_string())]).send()
    };
    let resp = introspect((&id, &secret), &access).await.unwrap();
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.unwrap();
    assert_eq!((got["active"].as_bool(), got["username"].as_str()), (Some(true), Some("alice")));
    assert_eq!((got["scope"].as_str(), got["aud"].clone()), (Some("openid profile email groups"), j!([id])));
    let got: Value = introspect((&id, &secret), "hat_nothing").await.unwrap().json().await.unwrap();
    assert_eq!(got, j!({"active": false}));
    assert_eq!(introspect((&id, "gto_wrong"), &access).await.unwrap().status(), 401);

    // Refresh rotates: the new pair works, the used refresh token is refused the second time, and
    // that reuse ends the whole chain.
    let renewed = c.exchange_refresh_token(&refresh).request_async(&send).await.unwrap();
    let access2 = renewed.access_token().secret().clone();
    assert_ne!(access2, access);
    assert_ne!(renewed.refresh_token().unwrap().secret(), refresh.secret());
    assert_eq!(api_status(&s, &format!("Bearer {access2}")).await.0, 200);
    let (error, description) = refused(c.exchange_refresh_token(&refresh).request_async(&send).await.unwrap_err());
    assert_eq!((error, description.as_str()), (BasicErrorResponseType::UnauthorizedClient, "token was already used"));
    assert_eq!(api_status(&s, &format!("Bearer {access2}")).await.0, 401);
    let reused = c.exchange_refresh_token(renewed.refresh_token().unwrap()).request_async(&send).await;
    assert!(reused.is_err(), "the rotated chain was revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_and_expired_tokens_are_refused() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "priv", "auto_init": true, "private": true})).await;
    let (id, secret) = register(&s, &token, j!({"name": "Tool", "redirect_uris": [REDIRECT]})).await;
    let c = client(&s, &id, Some(&secret), REDIRECT);

    // RFC 7009 revocation of an access token.
    let (code, verifier, mut b) = authorize(&s, &alice, &c, &["read:user"]).await;
    let tokens = exchange(&c, &code, verifier).await.unwrap();
    let access = tokens.access_token().clone();
    assert_eq!(api_status(&s, &format!("Bearer {}", access.secret())).await.0, 200);
    revoke(&s, &id, &secret, access.secret()).await;
    assert_eq!(api_status(&s, &format!("Bearer {}", access.secret())).await.0, 401);
    let git = Git::new();
    assert!(!git.run(None, &["clone", "-q", &s.git_url(Some(("oauth2", access.secret())), "alice", "priv"), "p"]).ok);
    // The refresh token still works; revoking it ends the grant's other tokens too.
    let renewed = c.exchange_refresh_token(tokens.refresh_token().unwrap()).request_async(&send).await.unwrap();
    let access2 = renewed.access_token().secret().clone();
    assert_eq!(api_status(&s, &format!("Bearer {access2}")).await.0, 200);
    let refresh2 = renewed.refresh_token().unwrap().clone();
    revoke(&s, &id, &secret, refresh2.secret()).await;
    assert_eq!(api_status(&s, &format!("Bearer {access2}")).await.0, 401);
    assert!(c.exchange_refresh_token(&refresh2).request_async(&send).await.is_err());

    // The token's scopes are the grant's: read:user may read the user, not repositories.
    let (code, verifier) = {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _) = authorize_url(&c, &["read:user"], Some(challenge));
        (code_of(&consent(&mut b, &url, true).await).0, verifier)
    };
    let tokens = exchange(&c, &code, verifier).await.unwrap();
    let access = tokens.access_token().secret().clone();
    let resp = s.get("/user/repos").header("Authorization", format!("Bearer {access}")).send().await.unwrap();
    assert_eq!(resp.status(), 403);

    // An expired access token.
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 200);
    s.sql("UPDATE oauth2_token SET expires_unix = 1").await;
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 401);
    assert!(c.exchange_refresh_token(tokens.refresh_token().unwrap()).request_async(&send).await.is_err());

    // Revoking the grant in the settings page ends its tokens.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&c, &[], Some(challenge));
    let tokens = exchange(&c, &code_of(&consent(&mut b, &url, true).await).0, verifier).await.unwrap();
    let access = tokens.access_token().secret().clone();
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 200);
    let page = b.get("/user/settings/applications").await;
    assert!(page.body.contains("Authorized OAuth2 applications"));
    let grant_id = s.sql_i64("SELECT id FROM oauth2_grant").await.to_string();
    let page = b
        .submit("/user/settings/applications", "/user/settings/applications/grants/revoke", &[("id", &grant_id)])
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_refuses_bad_exchanges() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (id, secret) = register(&s, &token, j!({"name": "Tool", "redirect_uris": [REDIRECT]})).await;
    let c = client(&s, &id, Some(&secret), REDIRECT);

    // A PKCE verifier that does not match the challenge.
    let (code, _, mut b) = authorize(&s, &alice, &c, &[]).await;
    let (error, description) = refused(exchange(&c, &code, PkceCodeVerifier::new("x".repeat(43))).await.unwrap_err());
    assert_eq!(
        (error, description.as_str()),
        (BasicErrorResponseType::UnauthorizedClient, "failed PKCE code challenge")
    );

    // A redirect URI other than the authorization request's.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&c, &[], Some(challenge));
    let code = code_of(&consent(&mut b, &url, true).await).0;
    let other = client(&s, &id, Some(&secret), "http://127.0.0.1:9/elsewhere");
    let (error, _) = refused(exchange(&other, &code, verifier).await.unwrap_err());
    assert_eq!(error, BasicErrorResponseType::UnauthorizedClient);

    // A wrong client secret.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&c, &[], Some(challenge));
    let code = code_of(&consent(&mut b, &url, true).await).0;
    let wrong = client(&s, &id, Some("gto_wrong"), REDIRECT);
    let (error, description) = refused(exchange(&wrong, &code, verifier).await.unwrap_err());
    assert_eq!((error, description.as_str()), (BasicErrorResponseType::UnauthorizedClient, "invalid client secret"));
    let nobody = client(&s, "no-such-client", Some(&secret), REDIRECT);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let _ = challenge;
    let (error, _) = refused(exchange(&nobody, &code, verifier).await.unwrap_err());
    assert_eq!(error, BasicErrorResponseType::InvalidClient);

    // A replayed code is refused, and the tokens it gave are revoked.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let verifier_again = PkceCodeVerifier::new(verifier.secret().clone());
    let (url, _) = authorize_url(&c, &[], Some(challenge));
    let code = code_of(&consent(&mut b, &url, true).await).0;
    let tokens = exchange(&c, &code, verifier).await.unwrap();
    let access = tokens.access_token().secret().clone();
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 200);
    let (error, description) = refused(exchange(&c, &code, verifier_again).await.unwrap_err());
    assert_eq!(
        (error, description.as_str()),
        (BasicErrorResponseType::InvalidGrant, "authorization code already used")
    );
    assert_eq!(api_status(&s, &format!("Bearer {access}")).await.0, 401);

    // An expired code.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&c, &[], Some(challenge));
    let code = code_of(&consent(&mut b, &url, true).await).0;
    s.sql("UPDATE oauth2_authorization_code SET expires_unix = 1").await;
    let (error, description) = refused(exchange(&c, &code, verifier).await.unwrap_err());
    assert_eq!((error, description.as_str()), (BasicErrorResponseType::InvalidGrant, "authorization code expired"));

    // An unknown grant type, and the raw error body.
    let resp = s
        .client
        .post(format!("{}login/oauth/access_token", s.base))
        .form(&[("grant_type", "password"), ("client_id", &id), ("client_secret", &secret)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    assert!(body["error_description"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_endpoint_checks_the_client_and_the_user() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (id, secret) = register(
        &s,
        &token,
        j!({"name": "<script>alert(1)</script>", "redirect_uris": ["http://127.0.0.1/cb"], "confidential_client": false}),
    )
    .await;
    // A public client on a loopback redirect URI with any port (RFC 8252), without a secret.
    let redirect = "http://127.0.0.1:43210/cb";
    let public = client(&s, &id, None, redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&public, &["openid"], Some(challenge));

    // Anonymous: off to sign in, and back.
    let mut b = Browser::new(&s);
    let page = b.get(&path_of(&url)).await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/user/login?redirect_to=%2Flogin%2Foauth%2Fauthorize"), "{}", page.location());
    b.sign_in(&alice).await;

    // The consent page escapes the application's name; its CSP lets the answer go to the client.
    let page = b.get(&path_of(&url)).await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;alert(1)"));
    assert!(page.header("content-security-policy").contains("form-action 'self' http://127.0.0.1:43210"));
    let settings = b.get("/user/settings/applications").await;
    assert!(!settings.body.contains("<script>alert(1)") && settings.body.contains("&lt;script&gt;alert(1)"));

    // The consent POST needs the CSRF token.
    let mut form: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    form.push(("granted".into(), "true".into()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(b.post("/login/oauth/grant", &fields).await.status, 403);
    let mut forged = fields.clone();
    forged.push(("_csrf", "0000000000000000000000000000000000000000"));
    assert_eq!(b.post("/login/oauth/grant", &forged).await.status, 403);

    // Cancel: access_denied back to the client.
    let page = consent(&mut b, &url, false).await;
    assert_eq!(page.status, 303);
    assert!(
        page.location().starts_with(redirect) && page.location().contains("error=access_denied"),
        "{}",
        page.location()
    );

    // Authorize, and exchange without a secret (a public client proves itself with PKCE).
    let code = code_of(&consent(&mut b, &url, true).await).0;
    let tokens = exchange(&public, &code, verifier).await.unwrap();
    assert!(tokens.extra_fields().id_token.is_some());

    // An unregistered redirect URI: an error page, never a redirect there.
    let evil = client(&s, &id, None, "https://evil.example/cb");
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = authorize_url(&evil, &[], Some(challenge));
    let page = b.get(&path_of(&url)).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Unregistered Redirect URI"), "{}", page.body);
    // An unknown client.
    let unknown = client(&s, "no-such-client", None, redirect);
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let page = b.get(&path_of(&authorize_url(&unknown, &[], Some(challenge)).0)).await;
    assert_eq!(page.status, 400);
    // A public client without PKCE is sent back with invalid_request.
    let page = b.get(&path_of(&authorize_url(&public, &[], None).0)).await;
    assert_eq!(page.status, 303);
    assert!(page.location().contains("error=invalid_request"), "{}", page.location());
    let _ = secret;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_api() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;

    let (status, app) = s
        .post_json("/user/applications/oauth2", &token, j!({"name": "CI", "redirect_uris": ["https://ci.example/cb"]}))
        .await;
    assert_eq!(status, 201, "{app}");
    let keys: Vec<&str> = app.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "client_id",
            "client_secret",
            "confidential_client",
            "created",
            "id",
            "name",
            "redirect_uris",
            "skip_secondary_authorization"
        ]
    );
    assert_eq!(app["confidential_client"], true);
    assert!(app["client_secret"].as_str().unwrap().starts_with("gto_"));
    let id = app["id"].as_i64().unwrap();
    let path = format!("/user/applications/oauth2/{id}");

    let (status, got) = s.get_json(&path, &token).await;
    assert_eq!((status, got["client_secret"].as_str()), (200, Some("")));
    assert_eq!(got["redirect_uris"], j!(["https://ci.example/cb"]));
    let reply = s.get_reply("/user/applications/oauth2", &token).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.as_array().unwrap().len(), 1);
    assert_eq!(reply.body[0]["client_secret"], "");

    // Another user's application does not exist for them.
    assert_eq!(s.get_status(&path, &bob_token).await, 404);
    assert_eq!(s.patch_status(&path, &bob_token, j!({"name": "x", "redirect_uris": ["https://x/"]})).await, 404);
    assert_eq!(s.delete_status(&path, &bob_token).await, 404);
    assert_eq!(s.get_json("/user/applications/oauth2", &bob_token).await.1, j!([]));
    assert_eq!(s.get_status("/user/applications/oauth2", Anon).await, 401);

    // Edit replaces the fields and returns a new secret (the old one stops working).
    let (status, edited) = s
        .patch_json(
            &path,
            &token,
            j!({"name": "CI 2", "redirect_uris": ["https://ci.example/cb2"], "confidential_client": false}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!((edited["name"].as_str(), edited["confidential_client"].as_bool()), (Some("CI 2"), Some(false)));
    let new_secret = edited["client_secret"].as_str().unwrap();
    assert!(new_secret.starts_with("gto_") && new_secret != app["client_secret"].as_str().unwrap());
    assert_eq!(edited["client_id"], app["client_id"]);

    // Validation: a name and usable redirect URIs.
    assert_eq!(s.post_status("/user/applications/oauth2", &token, j!({"redirect_uris": ["https://a/"]})).await, 422);
    for uris in [j!([]), j!(["not a url"]), j!(["https://a.example/cb#frag"])] {
        let status = s.post_status("/user/applications/oauth2", &token, j!({"name": "x", "redirect_uris": uris})).await;
        assert_eq!(status, 422, "{uris}");
    }
    assert_eq!(s.get_status("/user/applications/oauth2/abc", &token).await, 404);

    assert_eq!(s.delete_status(&path, &token).await, 204);
    assert_eq!(s.get_status(&path, &token).await, 404);
    assert_eq!(s.delete_status(&path, &token).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_manages_applications() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = b.get("/user/settings/applications").await;
    assert_html(&page);
    assert!(page.body.contains("No OAuth2 applications yet."));

    let page = b
        .submit(
            "/user/settings/applications",
            "/user/settings/applications/oauth2",
            &[
                ("application_name", "Web <b>app</b>"),
                ("redirect_uris", "https://a.example/cb\r\nhttp://127.0.0.1/cb"),
                ("confidential_client", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Copy it now"));
    assert!(page.body.contains("Web &lt;b&gt;app&lt;&#x2f;b&gt;") || page.body.contains("Web &lt;b&gt;app&lt;/b&gt;"));
    let id = s.sql_i64("SELECT id FROM oauth2_application").await;
    let page = b.get(&format!("/user/settings/applications/oauth2/{id}")).await;
    assert_html(&page);
    assert!(!page.body.contains("Copy it now"), "the secret is shown once");

    // Bad redirect URIs: the form again, 422.
    let page = b
        .submit(
            "/user/settings/applications",
            "/user/settings/applications/oauth2",
            &[("application_name", "x"), ("redirect_uris", "nope")],
        )
        .await;
    assert_eq!(page.status, 422);

    let form_page = format!("/user/settings/applications/oauth2/{id}");
    let page = b.submit(&form_page, &format!("{form_page}/regenerate_secret"), &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Copy it now"));
    let page = b
        .submit(&form_page, &form_page, &[("application_name", "Renamed"), ("redirect_uris", "https://b.example/cb")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        s.sql_i64("SELECT COUNT(*) FROM oauth2_application WHERE name = 'Renamed' AND confidential_client = FALSE")
            .await,
        1
    );

    // Another user cannot see or change it.
    let bob = s.create_user("bob", false).await;
    let mut other = Browser::new(&s);
    other.sign_in(&bob).await;
    assert_eq!(other.get(&form_page).await.status, 404);
    let page = other.submit("/user/settings/applications", &format!("{form_page}/delete"), &[]).await;
    assert_eq!(page.status, 404);

    let page = b.submit(&form_page, &format!("{form_page}/delete"), &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM oauth2_application").await, 0);
}

/// The consent page in real Chromium: Authorize sends the browser to the client's (other-origin)
/// redirect URI with a code — the page's CSP allows that redirect — and the code is exchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_authorizes_an_application() {
    let Some((s, base, _driver, b)) = crate::web_browser::start_with(1024, true, |_| {}).await else { return };
    let (alice, token) = s.user_with_token("alice", false).await;
    // `localhost` is another origin than the server's `127.0.0.1`; the server answers there too.
    let port = s.base.trim_end_matches('/').rsplit(':').next().unwrap().to_string();
    let redirect = format!("http://localhost:{port}/callback");
    let (id, secret) = register(&s, &token, j!({"name": "Browser app", "redirect_uris": [redirect]})).await;
    let c = client(&s, &id, Some(&secret), &redirect);
    crate::web_browser::sign_in(&b, &base, "alice", &alice.password).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = authorize_url(&c, &["openid"], Some(challenge));
    b.goto(url.as_str()).await;
    crate::web_browser::check_page(&b, "consent page").await;
    assert!(b.source().await.contains("Browser app"));
    b.press("Authorize").await;
    let landed = oauth2::url::Url::parse(&b.current_url().await).unwrap();
    assert_eq!(
        format!("{}://{}:{}{}", landed.scheme(), landed.host_str().unwrap(), landed.port().unwrap(), landed.path()),
        redirect
    );
    let get = |name: &str| landed.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap();
    assert_eq!(&get("state"), state.secret());
    let tokens = exchange(&c, &get("code"), verifier).await.unwrap();
    assert_eq!(api_status(&s, &format!("Bearer {}", tokens.access_token().secret())).await.0, 200);
}
