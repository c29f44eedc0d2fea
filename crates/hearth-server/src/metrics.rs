//! Prometheus metrics (`[metrics] ENABLED`), served as text at `/metrics`. Every name starts with
//! `hearth_`. HTTP requests are labelled with the matched route template, never the raw path.
//! When metrics are off nothing is recorded.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

type Labels = Vec<(&'static str, String)>;

/// How long a scrape waits for the webhook queue count.
const QUEUE_COUNT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

async fn undelivered(db: &hearth_store::Db) -> hearth_store::StoreResult<i64> {
    let mut h = db.acquire().await?;
    hearth_store::hooks::count_undelivered(h.conn()).await
}

/// Request duration buckets, in seconds: 1 ms to 10 s.
const DURATION_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// One HTTP series' handles (clones share the registered metric).
struct Series {
    metrics_id: u64,
    method: Box<str>,
    route: Box<str>,
    status: u16,
    count: Counter,
    duration: Histogram,
}

/// Routes are templates and statuses few, so a thread holds a few hundred series at most; the
/// bound only guards against a process that makes many `Metrics` (tests).
const SERIES_CACHE_MAX: usize = 4096;

thread_local! {
    static SERIES: std::cell::RefCell<std::collections::HashMap<u64, Vec<Series>>> =
        std::cell::RefCell::default();
}

fn series_key(id: u64, method: &str, route: &str, status: u16) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (id, method, route, status).hash(&mut h);
    h.finish()
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

pub struct Metrics {
    /// Tells this instance's entries in the per-thread series cache from another's (tests run
    /// several servers in one process).
    id: u64,
    registry: Registry,
    http_requests: Family<Labels, Counter>,
    http_duration: Family<Labels, Histogram, fn() -> Histogram>,
    git_operations: Family<Labels, Counter>,
    webhook_deliveries: Family<Labels, Counter>,
    webhook_queue: Gauge,
    db_connections: Family<Labels, Gauge>,
    db_max_connections: Gauge,
    process_start: Gauge<f64, AtomicU64>,
    process_cpu: Gauge<f64, AtomicU64>,
    process_memory: Gauge,
    process_fds: Gauge,
}

impl Metrics {
    pub fn new(max_connections: u32) -> Metrics {
        let mut registry = Registry::default();
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let m = Metrics {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(duration_histogram as fn() -> Histogram),
            git_operations: Family::default(),
            webhook_deliveries: Family::default(),
            webhook_queue: Gauge::default(),
            db_connections: Family::default(),
            db_max_connections: Gauge::default(),
            process_start: Gauge::default(),
            process_cpu: Gauge::default(),
            process_memory: Gauge::default(),
            process_fds: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "hearth_http_requests",
            "HTTP requests by method, matched route template and status",
            m.http_requests.clone(),
        );
        registry.register(
            "hearth_http_request_duration_seconds",
            "HTTP request duration (until the response head) by method and matched route template",
            m.http_duration.clone(),
        );
        registry.register(
            "hearth_git_operations",
            "Git operations by protocol (http, ssh), service (upload-pack, receive-pack) and outcome",
            m.git_operations.clone(),
        );
        registry.register(
            "hearth_webhook_deliveries",
            "Webhook delivery attempts by outcome (success, failure, retry, refused)",
            m.webhook_deliveries.clone(),
        );
        registry.register(
            "hearth_webhook_queue_tasks",
            "Webhook deliveries not yet made (pending, waiting for a retry or parked), counted at scrape time",
            m.webhook_queue.clone(),
        );
        registry.register(
            "hearth_db_pool_connections",
            "Database pool connections by state (idle, in_use)",
            m.db_connections.clone(),
        );
        registry.register("hearth_db_pool_max_connections", "Database pool size limit", m.db_max_connections.clone());
        registry.register(
            "hearth_process_start_time_seconds",
            "Start time of the process since the Unix epoch, in seconds",
            m.process_start.clone(),
        );
        registry.register(
            "hearth_process_cpu_seconds",
            "Total user and system CPU time, in seconds",
            m.process_cpu.clone(),
        );
        registry.register(
            "hearth_process_resident_memory_bytes",
            "Resident memory size, in bytes",
            m.process_memory.clone(),
        );
        registry.register("hearth_process_open_fds", "Open file descriptors", m.process_fds.clone());
        m.db_max_connections.set(i64::from(max_connections));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        m.process_start.set(now.as_secs_f64());
        Metrics { registry, ..m }
    }

    /// Count one request and its duration. The series' handles are kept per thread, so the hot
    /// path builds no label strings and takes no shared lock but the histogram's own.
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = series_key(self.id, method, route, status);
        SERIES.with(|cell| {
            let mut map = cell.borrow_mut();
            if map.len() >= SERIES_CACHE_MAX {
                map.clear();
            }
            let bucket = map.entry(key).or_default();
            let found = bucket
                .iter()
                .find(|s| s.metrics_id == self.id && s.status == status && *s.method == *method && *s.route == *route);
            let series = match found {
                Some(s) => s,
                None => {
                    let labels = vec![("method", method.to_string()), ("route", route.to_string())];
                    let duration = self.http_duration.get_or_create(&labels).clone();
                    let mut labels = labels;
                    labels.push(("status", status.to_string()));
                    let count = self.http_requests.get_or_create(&labels).clone();
                    bucket.push(Series {
                        metrics_id: self.id,
                        method: method.into(),
                        route: route.into(),
                        status,
                        count,
                        duration,
                    });
                    bucket.last().expect("just pushed")
                }
            };
            series.duration.observe(seconds);
            series.count.inc();
        });
    }

    pub fn git_operation(&self, protocol: &'static str, service: &str, outcome: &'static str) {
        let labels = vec![
            ("protocol", protocol.to_string()),
            ("service", service.to_string()),
            ("outcome", outcome.to_string()),
        ];
        self.git_operations.get_or_create(&labels).inc();
    }

    pub fn webhook_delivery(&self, outcome: &'static str) {
        self.webhook_deliveries.get_or_create(&vec![("outcome", outcome.to_string())]).inc();
    }

    /// The text exposition, with the gauges read at scrape time brought up to date (a database
    /// that does not answer in time leaves the queue gauge at its last value).
    pub async fn render(&self, db: &hearth_store::Db) -> String {
        match tokio::time::timeout(QUEUE_COUNT_TIMEOUT, undelivered(db)).await {
            Ok(Ok(tasks)) => {
                self.webhook_queue.set(tasks);
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "metrics: counting undelivered webhook tasks"),
            Err(_) => tracing::warn!("metrics: counting undelivered webhook tasks timed out"),
        }
        let (open, idle) = db.pool_usage();
        let idle = idle as i64;
        self.db_connections.get_or_create(&vec![("state", "idle".to_string())]).set(idle);
        self.db_connections.get_or_create(&vec![("state", "in_use".to_string())]).set((i64::from(open) - idle).max(0));
        self.read_process();
        let mut text = String::new();
        let _ = encode(&mut text, &self.registry);
        text
    }

    /// CPU time, resident memory and open files from `/proc/self` (Linux; left at 0 elsewhere).
    fn read_process(&self) {
        // USER_HZ, the unit of utime and stime, is 100 on every Linux architecture.
        const TICKS_PER_SECOND: f64 = 100.0;
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat")
            && let Some((_, rest)) = stat.rsplit_once(')')
        {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // After the command: state is field 3, utime 14, stime 15 (1-based over the line).
            let num = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<i64>().ok()).unwrap_or(0);
            self.process_cpu.set((num(14) + num(15)) as f64 / TICKS_PER_SECOND);
        }
        if let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        {
            self.process_memory.set(kib * 1024);
        }
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            self.process_fds.set(dir.count() as i64);
        }
    }
}

#[cfg(test)]
mod series_tests {
    use super::*;

    fn exposition(m: &Metrics) -> String {
        let mut out = String::new();
        encode(&mut out, &m.registry).unwrap();
        out
    }

    #[test]
    fn requests_are_counted_per_series_and_per_instance() {
        let (a, b) = (Metrics::new(1), Metrics::new(1));
        for _ in 0..3 {
            a.http_request("GET", "/x/{id}", 200, 0.002);
        }
        a.http_request("GET", "/x/{id}", 404, 0.002);
        b.http_request("GET", "/x/{id}", 200, 0.002);
        let text = exposition(&a);
        assert!(
            text.contains("hearth_http_requests_total{method=\"GET\",route=\"/x/{id}\",status=\"200\"} 3"),
            "{text}"
        );
        assert!(text.contains("hearth_http_requests_total{method=\"GET\",route=\"/x/{id}\",status=\"404\"} 1"));
        assert!(text.contains("hearth_http_request_duration_seconds_count{method=\"GET\",route=\"/x/{id}\"} 4"));
        let other = exposition(&b);
        assert!(other.contains("status=\"200\"} 1"), "another instance keeps its own counts: {other}");
    }
}
