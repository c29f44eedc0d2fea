//! A webhook receiver: a real HTTP server on 127.0.0.1 that records what it gets, and a test
//! server whose deliveries may reach it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;

use super::server::TestServer;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str).unwrap_or("<missing>")
    }

    /// The payload JSON text: the body, or the `payload` field of a form body.
    pub fn payload_text(&self) -> String {
        if self.header("content-type") == "application/x-www-form-urlencoded" {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&self.body).expect("form body");
            pairs.into_iter().find(|(k, _)| k == "payload").expect("payload field").1
        } else {
            self.body.clone()
        }
    }

    pub fn payload(&self) -> Value {
        serde_json::from_str(&self.payload_text()).expect("payload is JSON")
    }
}

#[derive(Clone, Default)]
struct ReceiverState {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
    delay: Duration,
}

/// A webhook receiver: a real HTTP server on 127.0.0.1.
pub struct Receiver {
    pub addr: SocketAddr,
    state: ReceiverState,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), Vec::new(), Duration::ZERO)
    }

    /// A receiver on `listener` that answers the statuses of `script` in turn (then 200), each
    /// after `delay`.
    pub fn on(listener: TcpListener, script: Vec<u16>, delay: Duration) -> Receiver {
        let state = ReceiverState { script: Arc::new(Mutex::new(script.into())), delay, ..ReceiverState::default() };
        let addr = listener.local_addr().unwrap();
        let st = state.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let st = st.clone();
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
                    .collect();
                st.got.lock().unwrap().push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
                if !st.delay.is_zero() {
                    tokio::time::sleep(st.delay).await;
                }
                let code = st.script.lock().unwrap().pop_front().unwrap_or(200);
                (StatusCode::from_u16(code).unwrap(), "thanks")
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn got(&self) -> Vec<Received> {
        self.state.got.lock().unwrap().clone()
    }

    /// Wait until `n` requests arrived (at most 10 s), then return them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            if self.got().len() >= n {
                return self.got();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.got());
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server whose allowlist lets deliveries reach loopback receivers, with quick retries.
pub async fn hook_server() -> TestServer {
    TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        raw.set("webhook", "RETRY_BACKOFF_MS", "50");
    })
    .await
}
