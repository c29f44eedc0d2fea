//! A small W3C WebDriver client over reqwest, driving the real headless Chromium through Debian's
//! `chromedriver` (packages `chromium` and `chromium-driver`). Enough for the browser suite:
//! navigate, find, type, click, read the page, run a script, read the console.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running `chromedriver`, stopped when dropped.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

/// Whether the browser suite can run here; `None` with the reason when it cannot. CI sets
/// `HEARTH_REQUIRE_BROWSER=1`, which turns a missing browser into a failure instead of a skip.
pub fn browser_missing() -> Option<String> {
    let found =
        |bin: &str| std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()));
    let missing = match (found("chromedriver"), found("chromium")) {
        (true, true) => return None,
        (false, _) => "chromedriver (Debian package chromium-driver) is not on PATH",
        (_, false) => "chromium is not on PATH",
    };
    if std::env::var("HEARTH_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("the browser suite is required here: {missing}");
    }
    Some(missing.to_string())
}

impl Driver {
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let driver = Driver { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = driver.http.get(format!("{}/status", driver.base)).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless browser window `width` CSS pixels wide; `javascript` false disables scripts.
    pub async fn session(&self, width: u32, javascript: bool) -> Session {
        let mut prefs = json!({});
        if !javascript {
            prefs = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--window-size={width},900")],
                "prefs": prefs,
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let resp: Value =
            self.http.post(format!("{}/session", self.base)).json(&caps).send().await.unwrap().json().await.unwrap();
        let id = resp["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {resp}")).to_string();
        Session { url: format!("{}/session/{id}", self.base), http: self.http.clone() }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window.
pub struct Session {
    url: String,
    http: reqwest::Client,
}

/// An element on the current page.
pub struct Element {
    id: String,
}

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            panic!("webdriver {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn current_url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_string()
    }

    pub async fn source(&self) -> String {
        self.get("/source").await.as_str().unwrap_or_default().to_string()
    }

    pub async fn find(&self, css: &str) -> Element {
        // `xpath:` selects by XPath, anything else is CSS.
        let (using, value) = match css.strip_prefix("xpath:") {
            Some(x) => ("xpath", x),
            None => ("css selector", css),
        };
        let v = self.post("/element", json!({"using": using, "value": value})).await;
        match v[ELEMENT].as_str() {
            Some(id) => Element { id: id.to_string() },
            None => panic!("no element {css} ({v}) on {}:\n{}", self.current_url().await, self.source().await),
        }
    }

    /// The button labelled `label` (exactly, spaces trimmed), by XPath: forms on a page share
    /// their structure, their buttons' words tell them apart.
    fn button_xpath(label: &str) -> String {
        format!("//button[normalize-space()='{label}']")
    }

    /// How many buttons labelled `label` the page has.
    pub async fn count_buttons(&self, label: &str) -> usize {
        let v = self.post("/elements", json!({"using": "xpath", "value": Self::button_xpath(label)})).await;
        v.as_array().map_or(0, Vec::len)
    }

    /// Click the button labelled `label` and wait for the next page.
    pub async fn press(&self, label: &str) {
        let v = self.post("/elements", json!({"using": "xpath", "value": Self::button_xpath(label)})).await;
        let n = v.as_array().map_or(0, Vec::len);
        assert_eq!(n, 1, "{n} buttons \"{label}\" on {}:\n{}", self.current_url().await, self.source().await);
        self.click_to_next_page(&format!("xpath:{}", Self::button_xpath(label))).await;
    }

    /// Choose the option of value `value` in the select `css` (a click, as a person would).
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
    }

    pub async fn count(&self, css: &str) -> usize {
        let v = self.post("/elements", json!({"using": "css selector", "value": css})).await;
        v.as_array().map_or(0, Vec::len)
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{}/clear", e.id), json!({})).await;
        self.post(&format!("/element/{}/value", e.id), json!({ "text": text })).await;
    }

    /// Click something that does not leave the page (a checkbox).
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{}/click", e.id), json!({})).await;
    }

    /// Click a link or a submit button and wait for the next page: WebDriver's click does not
    /// wait for a navigation, so the old document's root is watched until it goes stale (this
    /// works with JavaScript disabled too).
    pub async fn click_to_next_page(&self, css: &str) {
        let root = self.find("html").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v: Value = self
                .http
                .get(format!("{}/element/{}/name", self.url, root.id))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if v["value"]["error"] == "stale element reference" || v["value"]["error"] == "no such element" {
                break;
            }
            assert!(Instant::now() < deadline, "clicking {css} did not load a new page");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        // The new document has loaded once its root answers.
        let _ = self.find("body").await;
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.get(&format!("/element/{}/text", e.id)).await.as_str().unwrap_or_default().to_string()
    }

    /// Run `script` in the page (WebDriver's scripts are not subject to the page's CSP).
    pub async fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []})).await
    }

    /// The console's entries at level SEVERE since the last call (failed loads, CSP violations,
    /// script errors).
    pub async fn console_errors(&self) -> Vec<String> {
        let v = self.post("/se/log", json!({"type": "browser"})).await;
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub async fn close(self) {
        let _ = self.http.delete(&self.url).send().await;
    }
}
