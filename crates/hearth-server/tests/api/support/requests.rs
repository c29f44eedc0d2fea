//! Requests to the API in one call: `s.get_json("/user", &token)` gives `(status, body)`.
//!
//! The second argument says who asks ([`Caller`]): a token (`&token`), a user by Basic auth
//! (`&alice`, a [`TestUser`]) or nobody ([`Anon`]). `*_json` answers the status and the JSON body
//! (Null when the body is empty or not JSON), `*_status` only the status, `get_reply` everything
//! including the headers. POST, PATCH and PUT `*_json` take a JSON body; GET, DELETE and
//! `put_status` send none. The request-builder chain (`s.get(path).token(..).send()`) stays for
//! what these do not cover (odd content types, raw bodies, custom headers).

use base64::Engine;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde_json::Value;

use super::server::{TestServer, TestUser};

pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

pub fn token_header(token: &str) -> String {
    format!("token {token}")
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn json(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Extension for sending a token.
pub trait Authed {
    fn token(self, token: &str) -> Self;
    fn basic_auth_as(self, user: &TestUser) -> Self;
}

impl Authed for RequestBuilder {
    fn token(self, token: &str) -> Self {
        self.header("Authorization", token_header(token))
    }
    fn basic_auth_as(self, user: &TestUser) -> Self {
        self.header("Authorization", basic(&user.name, &user.password))
    }
}

/// Who sends a request: a token, a user with its password (Basic auth), or [`Anon`].
pub trait Caller {
    fn sign(self, req: RequestBuilder) -> RequestBuilder;
}

/// An anonymous caller: no `Authorization` header.
#[derive(Debug, Clone, Copy)]
pub struct Anon;

impl Caller for Anon {
    fn sign(self, req: RequestBuilder) -> RequestBuilder {
        req
    }
}

/// An access token.
impl Caller for &str {
    fn sign(self, req: RequestBuilder) -> RequestBuilder {
        req.token(self)
    }
}

/// An access token.
impl Caller for &String {
    fn sign(self, req: RequestBuilder) -> RequestBuilder {
        req.token(self)
    }
}

/// The user's name and password, as Basic auth.
impl Caller for &TestUser {
    fn sign(self, req: RequestBuilder) -> RequestBuilder {
        req.basic_auth_as(self)
    }
}

/// `None` is anonymous.
impl<C: Caller> Caller for Option<C> {
    fn sign(self, req: RequestBuilder) -> RequestBuilder {
        match self {
            Some(c) => c.sign(req),
            None => req,
        }
    }
}

/// A whole answer, for tests that look at headers too.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The JSON body, Null when the body is empty or not JSON.
    pub body: Value,
}

impl Reply {
    /// A header's value; panics when it is missing.
    pub fn header(&self, name: &str) -> &str {
        match self.headers.get(name) {
            Some(v) => v.to_str().expect("header is text"),
            None => panic!("no {name} header in {:?}", self.headers),
        }
    }
}

impl TestServer {
    /// A request to `/api/v1{path}` as `who`.
    pub fn request(&self, method: Method, path: &str, who: impl Caller) -> RequestBuilder {
        who.sign(self.req(method, path))
    }

    async fn call(&self, req: RequestBuilder) -> (u16, Value) {
        json(req.send().await.expect("request sent")).await
    }

    pub async fn get_json(&self, path: &str, who: impl Caller) -> (u16, Value) {
        self.call(self.request(Method::GET, path, who)).await
    }

    pub async fn get_status(&self, path: &str, who: impl Caller) -> u16 {
        self.get_json(path, who).await.0
    }

    /// A GET with its headers.
    pub async fn get_reply(&self, path: &str, who: impl Caller) -> Reply {
        let resp = self.request(Method::GET, path, who).send().await.expect("request sent");
        let headers = resp.headers().clone();
        let (status, body) = json(resp).await;
        Reply { status, headers, body }
    }

    /// POST a JSON body.
    pub async fn post_json(&self, path: &str, who: impl Caller, body: impl Serialize) -> (u16, Value) {
        self.call(self.request(Method::POST, path, who).json(&body)).await
    }

    /// POST a JSON body, for the status only.
    pub async fn post_status(&self, path: &str, who: impl Caller, body: impl Serialize) -> u16 {
        self.post_json(path, who, body).await.0
    }

    /// POST an `application/x-www-form-urlencoded` body (keys may repeat).
    pub async fn post_form(&self, path: &str, who: impl Caller, form: &[(&str, &str)]) -> (u16, Value) {
        self.call(self.request(Method::POST, path, who).form(form)).await
    }

    /// PATCH a JSON body.
    pub async fn patch_json(&self, path: &str, who: impl Caller, body: impl Serialize) -> (u16, Value) {
        self.call(self.request(Method::PATCH, path, who).json(&body)).await
    }

    /// PATCH a JSON body, for the status only.
    pub async fn patch_status(&self, path: &str, who: impl Caller, body: impl Serialize) -> u16 {
        self.patch_json(path, who, body).await.0
    }

    /// PUT a JSON body.
    pub async fn put_json(&self, path: &str, who: impl Caller, body: impl Serialize) -> (u16, Value) {
        self.call(self.request(Method::PUT, path, who).json(&body)).await
    }

    /// PUT without a body (follow, team members, team repositories), for the status.
    pub async fn put_status(&self, path: &str, who: impl Caller) -> u16 {
        self.call(self.request(Method::PUT, path, who)).await.0
    }

    pub async fn delete_json(&self, path: &str, who: impl Caller) -> (u16, Value) {
        self.call(self.request(Method::DELETE, path, who)).await
    }

    pub async fn delete_status(&self, path: &str, who: impl Caller) -> u16 {
        self.delete_json(path, who).await.0
    }

    /// DELETE with a JSON body (the e-mail routes take one).
    pub async fn delete_with_body(&self, path: &str, who: impl Caller, body: impl Serialize) -> (u16, Value) {
        self.call(self.request(Method::DELETE, path, who).json(&body)).await
    }
}
