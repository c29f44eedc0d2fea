//! A local SMTP sink on 127.0.0.1: speaks just enough SMTP for a client (no STARTTLS, no auth),
//! keeps every message it is given.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::TestServer;
use hearth_server::config::RawConfig;

/// One message as received: the envelope and the raw data (headers and body).
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// A header's value (first occurrence, unfolded), "" when absent.
    pub fn header(&self, name: &str) -> String {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = &mut value {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_string());
            }
        }
        value.unwrap_or_default()
    }

    /// The body, decoded from its transfer encoding (quoted-printable or base64).
    pub fn body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        match self.header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
            "quoted-printable" => {
                let joined = raw.replace("=\r\n", "");
                let bytes = joined.as_bytes();
                let mut out = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'='
                        && i + 2 < bytes.len()
                        && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
                    {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    out.push(bytes[i]);
                    i += 1;
                }
                String::from_utf8_lossy(&out).into_owned()
            }
            "base64" => {
                use base64::Engine as _;
                let compact: String = raw.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => raw,
        }
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    got: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let got: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = got.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut mail = Mail { from: String::new(), to: Vec::new(), data: String::new() };
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper.starts_with("NOOP") {
                            b"250 OK\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            mail.from = line[10..].trim().to_string();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            mail.to.push(line[8..].trim().to_string());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                                data.push_str("\r\n");
                            }
                            mail.data = data;
                            store.lock().unwrap().push(mail.clone());
                            mail = Mail { from: String::new(), to: Vec::new(), data: String::new() };
                            b"250 OK queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpSink { addr, got, task }
    }

    pub fn got(&self) -> Vec<Mail> {
        self.got.lock().unwrap().clone()
    }

    /// Wait until `n` messages arrived (at most 10 s), then return them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..500 {
            if self.got().len() >= n {
                return self.got();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} messages, got {:?}", self.got());
    }
}

/// A server that mails through `sink` (from `noreply@example.com`), configured further by `more`.
pub async fn mail_server(sink: &SmtpSink, more: impl FnOnce(&mut RawConfig)) -> TestServer {
    let host = format!("127.0.0.1:{}", sink.addr.port());
    TestServer::start_with(|raw| {
        raw.set("email", "ENABLED", "true");
        raw.set("email", "HOST", &host);
        raw.set("email", "FROM", "noreply@example.com");
        more(raw);
    })
    .await
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}
