//! Throttling of failed password logins (API and Git Basic auth; the web sign-in later), with one
//! token bucket per login name tried and one per client address.
//!
//! Each bucket holds up to `burst` attempts and regains one every `refill`. An attempt takes one
//! from both buckets *before* the password is checked (so that concurrent guesses cannot overrun
//! the burst); a success, or a check that could not run, gives it back; a failure keeps it. While
//! either bucket is empty, logins under that name or from that address are refused without looking
//! at the password, whether the account exists or not, so throttling tells nothing about which
//! names exist. Token authentication never comes here.
//!
//! Names are keyed lower-cased, as typed (user name or e-mail, existing or not), through a keyed
//! hash so that every entry has the same small size. IPv6 clients are keyed by their /64, which is
//! what one subscriber usually gets. State lives in the server instance, never in a global, and
//! each map is bounded: buckets that have refilled are forgotten, and when a map is full the
//! fullest buckets (the least suspicious) go first.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::ServiceError;

/// Most names (and, separately, most addresses) tracked at once: about 2 MB each at worst.
const MAX_TRACKED: usize = 50_000;
/// Longest part of a login name written to the log.
const LOG_NAME_MAX_CHARS: usize = 100;

/// One bucket's size and refill rate; a burst of 0 disables that bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub burst: u32,
    /// Time to regain one attempt.
    pub refill: Duration,
}

impl Limit {
    fn enabled(&self) -> bool {
        self.burst > 0 && !self.refill.is_zero()
    }

    fn capacity(&self) -> f64 {
        f64::from(self.burst)
    }

    /// How long until a bucket at `level` holds a whole attempt again.
    fn wait(&self, level: f64) -> Duration {
        self.refill.mul_f64((1.0 - level).clamp(0.0, 1.0))
    }
}

/// A bucket that has been drawn from; absent buckets are full.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// The attempts available at `now`, refill included.
    fn level(&self, limit: &Limit, now: Instant) -> f64 {
        let regained = now.saturating_duration_since(self.at).as_secs_f64() / limit.refill.as_secs_f64();
        (self.tokens + regained).min(limit.capacity())
    }
}

struct Buckets<K> {
    limit: Limit,
    map: HashMap<K, Bucket>,
    max: usize,
}

impl<K: Hash + Eq + Copy> Buckets<K> {
    fn new(limit: Limit, max: usize) -> Buckets<K> {
        Buckets { limit, map: HashMap::new(), max: max.max(1) }
    }

    fn level(&self, key: &K, now: Instant) -> f64 {
        if !self.limit.enabled() {
            return f64::INFINITY;
        }
        self.map.get(key).map_or(self.limit.capacity(), |b| b.level(&self.limit, now))
    }

    /// Take (`delta` < 0) or give back attempts; a bucket that ends up full is forgotten.
    fn add(&mut self, key: K, delta: f64, now: Instant) {
        if !self.limit.enabled() {
            return;
        }
        let tokens = (self.level(&key, now) + delta).clamp(0.0, self.limit.capacity());
        if tokens >= self.limit.capacity() {
            self.map.remove(&key);
            return;
        }
        if !self.map.contains_key(&key) && self.map.len() >= self.max {
            self.evict(now);
        }
        self.map.insert(key, Bucket { tokens, at: now });
    }

    /// Forget refilled buckets; if that is not enough, forget the fullest down to three quarters
    /// of the maximum, so that the next sweep is a while away.
    fn evict(&mut self, now: Instant) {
        let (limit, capacity) = (self.limit, self.limit.capacity());
        self.map.retain(|_, b| b.level(&limit, now) < capacity);
        if self.map.len() < self.max {
            return;
        }
        let mut levels: Vec<(f64, K)> = self.map.iter().map(|(k, b)| (b.level(&limit, now), *k)).collect();
        levels.sort_by(|a, b| b.0.total_cmp(&a.0));
        let excess = self.map.len() - self.max * 3 / 4;
        for (_, key) in levels.into_iter().take(excess) {
            self.map.remove(&key);
        }
    }
}

/// A client address as throttled: IPv4 (also when mapped into IPv6), or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum IpKey {
    V4(u32),
    V6Prefix(u64),
}

impl From<IpAddr> for IpKey {
    fn from(ip: IpAddr) -> IpKey {
        match ip {
            IpAddr::V4(a) => IpKey::V4(a.into()),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => IpKey::V4(v4.into()),
                None => IpKey::V6Prefix((u128::from(a) >> 64) as u64),
            },
        }
    }
}

struct State {
    names: Buckets<u64>,
    ips: Buckets<IpKey>,
}

/// The failed-login throttle of one server instance.
pub struct LoginThrottle {
    state: Mutex<State>,
    /// Random per instance: name keys cannot be aimed at each other from outside.
    hasher: RandomState,
    /// Failures to tell the other processes sharing the database, once [`LoginThrottle::share`]
    /// was called (see `service::signals`), so that each counts them too.
    shared: std::sync::atomic::AtomicBool,
    told: Mutex<Vec<(String, Option<IpAddr>)>>,
    to_tell: tokio::sync::Notify,
}

/// Most failures waiting to be told to the other processes; beyond, they count here only.
const MAX_UNTOLD: usize = 1000;
/// Longest login name told to the other processes (a longer one is no account's).
pub const MAX_TOLD_NAME: usize = 200;

/// A login refused without checking the password.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds for `Retry-After`, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        (self.retry_after.as_secs_f64().ceil() as u64).max(1)
    }
}

impl From<Limited> for ServiceError {
    fn from(l: Limited) -> ServiceError {
        ServiceError::TooManyLoginAttempts { retry_after_secs: l.retry_after_secs() }
    }
}

impl LoginThrottle {
    pub fn new(name: Limit, ip: Limit) -> LoginThrottle {
        LoginThrottle::with_max(name, ip, MAX_TRACKED)
    }

    fn with_max(name: Limit, ip: Limit, max: usize) -> LoginThrottle {
        LoginThrottle {
            state: Mutex::new(State { names: Buckets::new(name, max), ips: Buckets::new(ip, max) }),
            hasher: RandomState::new(),
            shared: Default::default(),
            told: Default::default(),
            to_tell: Default::default(),
        }
    }

    /// From now on, keep failures for [`LoginThrottle::next_failures`] to tell other processes.
    pub fn share(&self) {
        self.shared.store(true, std::sync::atomic::Ordering::Release);
    }

    /// The failures made here since the last call, waiting until there is one.
    pub async fn next_failures(&self) -> Vec<(String, Option<IpAddr>)> {
        loop {
            let taken = std::mem::take(&mut *self.told.lock().unwrap());
            if !taken.is_empty() {
                return taken;
            }
            self.to_tell.notified().await;
        }
    }

    /// Another process sharing the database saw a failed login for `login` from `ip`: it
    /// counts here as well, so that spreading guesses over the processes gains nothing.
    pub fn failed_elsewhere(&self, login: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let name_key = self.name_key(login);
        let mut state = self.state.lock().unwrap();
        state.names.add(name_key, -1.0, now);
        if let Some(ip) = ip {
            state.ips.add(IpKey::from(ip), -1.0, now);
        }
    }

    fn name_key(&self, login: &str) -> u64 {
        self.hasher.hash_one(login.to_lowercase())
    }

    /// Start a password login for `login` from `ip` (unknown when the server was not given the
    /// peer address): refused while the name or the address has no attempts left, otherwise one
    /// attempt is taken from both until the outcome is reported on the returned [`Attempt`].
    /// Dropping the attempt without reporting keeps it spent.
    pub fn begin(&self, login: &str, ip: Option<IpAddr>) -> Result<Attempt<'_>, Limited> {
        self.begin_at(login, ip, Instant::now())
    }

    fn begin_at(&self, login: &str, ip: Option<IpAddr>, now: Instant) -> Result<Attempt<'_>, Limited> {
        let name_key = self.name_key(login);
        let ip_key = ip.map(IpKey::from);
        let mut state = self.state.lock().unwrap();
        let (mut limited, mut wait) = (false, Duration::ZERO);
        let name_level = state.names.level(&name_key, now);
        if name_level < 1.0 {
            (limited, wait) = (true, wait.max(state.names.limit.wait(name_level)));
        }
        if let Some(k) = &ip_key {
            let ip_level = state.ips.level(k, now);
            if ip_level < 1.0 {
                (limited, wait) = (true, wait.max(state.ips.limit.wait(ip_level)));
            }
        }
        if limited {
            drop(state);
            tracing::debug!("login throttled for {} from {}", loggable_name(login), loggable_ip(ip));
            return Err(Limited { retry_after: wait });
        }
        state.names.add(name_key, -1.0, now);
        if let Some(k) = ip_key {
            state.ips.add(k, -1.0, now);
        }
        Ok(Attempt { throttle: self, name_key, ip_key, login: login.to_string(), ip })
    }

    fn give_back(&self, name_key: u64, ip_key: Option<IpKey>) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap();
        state.names.add(name_key, 1.0, now);
        if let Some(k) = ip_key {
            state.ips.add(k, 1.0, now);
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap();
        (state.names.map.len(), state.ips.map.len())
    }
}

/// A password login in progress; report how it ended.
#[must_use = "report the outcome: succeeded, failed or not_checked"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    name_key: u64,
    ip_key: Option<IpKey>,
    login: String,
    ip: Option<IpAddr>,
}

impl Attempt<'_> {
    /// The right password (or another credential) was given: the attempt is given back.
    pub fn succeeded(self) {
        self.throttle.give_back(self.name_key, self.ip_key);
    }

    /// The password could not be checked (server busy, database error): given back as well.
    pub fn not_checked(self) {
        self.throttle.give_back(self.name_key, self.ip_key);
    }

    /// A wrong password or an unknown name: the attempt stays spent, and a warning in a
    /// fail2ban-friendly form is logged.
    pub fn failed(self) {
        tracing::warn!("failed login for {} from {}", loggable_name(&self.login), loggable_ip(self.ip));
        let throttle = self.throttle;
        if throttle.shared.load(std::sync::atomic::Ordering::Acquire) {
            let mut told = throttle.told.lock().unwrap();
            if told.len() < MAX_UNTOLD {
                let login: String = self.login.chars().take(MAX_TOLD_NAME).collect();
                told.push((login, self.ip));
                throttle.to_tell.notify_one();
            }
        }
    }
}

fn loggable_ip(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// The name as typed, safe for a one-line log: no control, space or bidirectional-override
/// characters (written as `\u{…}`, as is a backslash's own escape), and at most 100 characters.
/// Without spaces, a name cannot forge a second ` from ADDRESS` for a log watcher to pick up.
pub fn loggable_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == LOG_NAME_MAX_CHARS {
            out.push('…');
            break;
        }
        let invisible =
            matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if c == '\\' {
            out.push_str("\\\\");
        } else if c.is_control() || c.is_whitespace() || invisible {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(burst: u32, refill_secs: u64) -> Limit {
        Limit { burst, refill: Duration::from_secs(refill_secs) }
    }

    const LOCAL: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn bucket_arithmetic() {
        let t0 = Instant::now();
        let mut b: Buckets<u8> = Buckets::new(limit(3, 10), 100);
        assert_eq!(b.level(&1, t0), 3.0, "absent buckets are full");
        for _ in 0..3 {
            b.add(1, -1.0, t0);
        }
        assert_eq!(b.level(&1, t0), 0.0);
        b.add(1, -1.0, t0);
        assert_eq!(b.level(&1, t0), 0.0, "never below empty");
        assert_eq!(b.limit.wait(0.0), Duration::from_secs(10));
        let t5 = t0 + Duration::from_secs(5);
        assert_eq!(b.level(&1, t5), 0.5);
        assert_eq!(b.limit.wait(b.level(&1, t5)), Duration::from_secs(5));
        let t25 = t0 + Duration::from_secs(25);
        assert_eq!(b.level(&1, t25), 2.5);
        b.add(1, 1.0, t25);
        assert!(b.map.is_empty(), "a bucket refilled to the brim is forgotten");
        assert_eq!(b.level(&1, t0 + Duration::from_secs(1000)), 3.0, "never above the burst");
        assert_eq!(b.level(&2, t0), 3.0, "buckets are separate");
    }

    #[test]
    fn disabled_limits_never_refuse() {
        let t = LoginThrottle::new(limit(0, 60), limit(0, 60));
        for _ in 0..100 {
            t.begin("alice", LOCAL).unwrap().failed();
        }
        assert_eq!(t.tracked(), (0, 0));
    }

    #[test]
    fn names_are_case_insensitive_and_failures_only_count() {
        let t = LoginThrottle::new(limit(2, 60), limit(100, 60));
        for _ in 0..5 {
            t.begin("alice", LOCAL).unwrap().succeeded();
            t.begin("alice", LOCAL).unwrap().not_checked();
        }
        t.begin("Alice", LOCAL).unwrap().failed();
        t.begin("ALICE", LOCAL).unwrap().failed();
        let limited = t.begin("alice", LOCAL).err().expect("limited");
        assert!(limited.retry_after > Duration::from_secs(59) && limited.retry_after <= Duration::from_secs(60));
        assert_eq!(limited.retry_after_secs(), 60);
        assert!(t.begin("bob", LOCAL).is_ok(), "another name");
    }

    #[tokio::test]
    async fn failures_are_told_and_counted_elsewhere() {
        let (here, there) =
            (LoginThrottle::new(limit(2, 600), limit(0, 0)), LoginThrottle::new(limit(2, 600), limit(0, 0)));
        here.begin("Alice", LOCAL).unwrap().failed();
        here.share();
        here.begin("alice", LOCAL).unwrap().failed();
        assert_eq!(here.next_failures().await, vec![("alice".to_string(), LOCAL)], "only once shared");
        for (login, ip) in [("alice".to_string(), LOCAL), ("ALICE".to_string(), LOCAL)] {
            there.failed_elsewhere(&login, ip);
        }
        assert!(there.begin("alice", LOCAL).is_err(), "two failures elsewhere spent the burst here");
        assert!(there.begin("bob", LOCAL).is_ok());
    }

    #[test]
    fn attempts_in_flight_count() {
        let t = LoginThrottle::new(limit(2, 60), limit(100, 60));
        let a = t.begin("alice", None).unwrap();
        let b = t.begin("alice", None).unwrap();
        assert!(t.begin("alice", None).is_err(), "two checks already running");
        a.succeeded();
        let c = t.begin("alice", None).unwrap();
        drop((b, c));
        assert!(t.begin("alice", None).is_err(), "dropped attempts stay spent");
    }

    #[test]
    fn addresses_and_ipv6_prefixes() {
        let t = LoginThrottle::new(limit(100, 60), limit(2, 60));
        let v6 = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        t.begin("a", v6("2001:db8::1")).unwrap().failed();
        t.begin("b", v6("2001:db8::ffff:2")).unwrap().failed();
        assert!(t.begin("c", v6("2001:db8::3")).is_err(), "same /64");
        assert!(t.begin("c", v6("2001:db8:0:1::3")).is_ok(), "another /64");
        t.begin("a", v6("::ffff:192.0.2.1")).unwrap().failed();
        t.begin("b", v6("192.0.2.1")).unwrap().failed();
        assert!(t.begin("c", v6("192.0.2.1")).is_err(), "mapped IPv4 is IPv4");
        assert!(t.begin("c", None).is_ok(), "no address: only the name counts");
    }

    #[test]
    fn memory_is_bounded() {
        let t = LoginThrottle::with_max(limit(5, 60), limit(1_000_000, 1), 100);
        let ip = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7)));
        t.begin("victim", ip).unwrap().failed();
        t.begin("victim", ip).unwrap().failed();
        t.begin("victim", ip).unwrap().failed();
        for i in 0..1000 {
            t.begin(&format!("spray{i}"), ip).unwrap().failed();
            assert!(t.tracked().0 <= 100);
        }
        // The emptiest buckets are kept longest.
        t.begin("victim", ip).unwrap().failed();
        t.begin("victim", ip).unwrap().failed();
        assert!(t.begin("victim", ip).is_err());
    }

    /// Collects events' level and message.
    struct Capture(std::sync::Arc<Mutex<Vec<(tracing::Level, String)>>>);

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            struct Message(String);
            impl tracing::field::Visit for Message {
                fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                    if field.name() == "message" {
                        self.0 = format!("{value:?}");
                    }
                }
            }
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push((*event.metadata().level(), message.0));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn failures_are_logged_for_fail2ban() {
        let events = std::sync::Arc::new(Mutex::new(Vec::new()));
        let t = LoginThrottle::new(limit(10, 60), limit(10, 60));
        let ip = Some("2001:db8::7".parse().unwrap());
        tracing::subscriber::with_default(Capture(events.clone()), || {
            t.begin("alice", ip).unwrap().succeeded();
            t.begin("Mallory from 10.0.0.1\n", ip).unwrap().failed();
            t.begin("bob", None).unwrap().failed();
        });
        let events = events.lock().unwrap();
        assert_eq!(
            *events,
            [
                (
                    tracing::Level::WARN,
                    "failed login for Mallory\\u{20}from\\u{20}10.0.0.1\\u{a} from 2001:db8::7".into()
                ),
                (tracing::Level::WARN, "failed login for bob from unknown".into()),
            ]
        );
    }

    #[test]
    fn names_are_made_safe_for_logs() {
        assert_eq!(loggable_name("alice@example.com"), "alice@example.com");
        assert_eq!(loggable_name("x from 10.0.0.1\n"), "x\\u{20}from\\u{20}10.0.0.1\\u{a}");
        assert_eq!(loggable_name("a\\u{20}\u{202e}"), "a\\\\u{20}\\u{202e}");
        assert_eq!(loggable_name(&"é".repeat(150)).chars().count(), 101);
    }
}
