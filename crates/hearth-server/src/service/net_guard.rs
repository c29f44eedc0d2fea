//! The outbound-request guard for migrations, pull mirrors and webhooks: after resolving a host,
//! every address that is not globally routable (the IANA special-purpose registries for IPv4 and
//! IPv6, multicast, reserved space, and the addresses of this host's own interfaces) is refused
//! unless `[security] LOCAL_NETWORK_ALLOWLIST` allows it; cloud metadata addresses are always
//! refused. IPv6 addresses that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 and
//! 6to4) are judged by the IPv4 address they lead to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// One parsed allowlist.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Everything,
    Loopback,
    Private,
    Net(IpNet),
    Host(String),
}

/// Why a host may not be contacted.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("the host could not be resolved")]
    Unresolved,
    #[error("the host resolved to a local network address")]
    Blocked,
}

impl Allowlist {
    /// Comma-separated: `*`, `loopback`, `private`, IP addresses, CIDRs, host names (`*.example.com`).
    pub fn parse(text: &str) -> Allowlist {
        let entries = text
            .split(',')
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .map(|e| match e.as_str() {
                "*" => Entry::Everything,
                "loopback" => Entry::Loopback,
                "private" => Entry::Private,
                _ => parse_net(&e).map(Entry::Net).unwrap_or(Entry::Host(e)),
            })
            .collect();
        Allowlist { entries }
    }

    /// May a request go to `ip` (resolved from `host`)?
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        self.permits_among(host, ip, &own_addresses())
    }

    /// [`Allowlist::permits`] with this host's interface addresses given.
    fn permits_among(&self, host: &str, ip: IpAddr, own: &[IpAddr]) -> bool {
        let target = effective(ip);
        if is_metadata(ip) || is_metadata(target) {
            return false;
        }
        let is_own = own.iter().any(|o| *o == ip || effective(*o) == target);
        if is_global(ip) && !is_own {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|e| match e {
            Entry::Everything => true,
            Entry::Loopback => is_loopback(target),
            Entry::Private => is_private(target),
            Entry::Net(net) => net.contains(&ip) || net.contains(&target),
            Entry::Host(pattern) => match pattern.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => *pattern == host,
            },
        })
    }

    /// Resolve `host` once and return its addresses if every one of them is permitted; the caller
    /// connects to these addresses only (no second lookup to race against).
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, Refusal> {
        let mut ips: Vec<IpAddr> = Vec::new();
        for a in tokio::net::lookup_host((host, port)).await.map_err(|_| Refusal::Unresolved)? {
            if !ips.contains(&a.ip()) {
                ips.push(a.ip());
            }
        }
        if ips.is_empty() {
            return Err(Refusal::Unresolved);
        }
        let own = own_addresses();
        if ips.iter().any(|ip| !self.permits_among(host, *ip, &own)) {
            return Err(Refusal::Blocked);
        }
        Ok(ips)
    }
}

fn parse_net(e: &str) -> Option<IpNet> {
    match e.parse::<IpNet>() {
        Ok(net) => Some(net.trunc()),
        Err(_) => e.parse::<IpAddr>().ok().map(IpNet::from),
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

const fn v6(a: u16, b: u16, c: u16, d: u16, len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0), len)
}

/// IPv4 space that is not globally routable: the IANA special-purpose registry, multicast and the
/// reserved block (which holds the limited broadcast address).
const V4_NON_GLOBAL: [Ipv4Net; 15] = [
    v4(0, 0, 0, 0, 8),       // "this network"
    v4(10, 0, 0, 0, 8),      // private use
    v4(100, 64, 0, 0, 10),   // shared address space (CGNAT)
    v4(127, 0, 0, 0, 8),     // loopback
    v4(169, 254, 0, 0, 16),  // link-local
    v4(172, 16, 0, 0, 12),   // private use
    v4(192, 0, 0, 0, 24),    // IETF protocol assignments
    v4(192, 0, 2, 0, 24),    // documentation (TEST-NET-1)
    v4(192, 88, 99, 0, 24),  // 6to4 relay anycast (deprecated)
    v4(192, 168, 0, 0, 16),  // private use
    v4(198, 18, 0, 0, 15),   // benchmarking
    v4(198, 51, 100, 0, 24), // documentation (TEST-NET-2)
    v4(203, 0, 113, 0, 24),  // documentation (TEST-NET-3)
    v4(224, 0, 0, 0, 4),     // multicast
    v4(240, 0, 0, 0, 4),     // reserved, 255.255.255.255 included
];

/// Global unicast IPv6 space: nothing outside it is routable on the Internet.
const V6_GLOBAL_UNICAST: Ipv6Net = v6(0x2000, 0, 0, 0, 3);

/// IPv6 space that is not globally routable: the IANA special-purpose registry, multicast and the
/// deprecated site-local block. The prefixes that carry an IPv4 address (`::ffff:0:0/96`,
/// `::/96`, `64:ff9b::/96`, `2002::/16`) are judged by that address instead (see [`effective`]);
/// the rest of `::/8` lies outside global unicast space.
const V6_NON_GLOBAL: [Ipv6Net; 13] = [
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128), // unspecified
    Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128),   // loopback
    v6(0x64, 0xff9b, 1, 0, 48),                      // local-use IPv4/IPv6 translation
    v6(0x100, 0, 0, 0, 64),                          // discard-only
    v6(0x100, 0, 0, 1, 64),                          // dummy prefix
    v6(0x2001, 0, 0, 0, 23),                         // IETF protocol assignments, Teredo included
    v6(0x2001, 0xdb8, 0, 0, 32),                     // documentation
    v6(0x3fff, 0, 0, 0, 20),                         // documentation
    v6(0x5f00, 0, 0, 0, 16),                         // segment routing SIDs
    v6(0xfc00, 0, 0, 0, 7),                          // unique local
    v6(0xfe80, 0, 0, 0, 10),                         // link-local
    v6(0xfec0, 0, 0, 0, 10),                         // site-local (deprecated)
    v6(0xff00, 0, 0, 0, 8),                          // multicast
];

const V4_PRIVATE: [Ipv4Net; 5] =
    [v4(10, 0, 0, 0, 8), v4(172, 16, 0, 0, 12), v4(192, 168, 0, 0, 16), v4(100, 64, 0, 0, 10), v4(169, 254, 0, 0, 16)];

const V6_PRIVATE: [Ipv6Net; 3] = [v6(0xfc00, 0, 0, 0, 7), v6(0xfe80, 0, 0, 0, 10), v6(0xfec0, 0, 0, 0, 10)];

const NAT64: Ipv6Net = v6(0x64, 0xff9b, 0, 0, 96);
const SIX_TO_FOUR: Ipv6Net = v6(0x2002, 0, 0, 0, 16);

/// The address a connection to `ip` ends up at: the IPv4 address inside an IPv4-mapped,
/// IPv4-compatible, NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address; `ip` itself otherwise.
pub fn effective(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(a) = ip else { return ip };
    let s = a.segments();
    let compatible = s[..6] == [0; 6] && a != Ipv6Addr::UNSPECIFIED && a != Ipv6Addr::LOCALHOST;
    if let Some(inner) = a.to_ipv4_mapped() {
        IpAddr::V4(inner)
    } else if compatible || NAT64.contains(&a) {
        IpAddr::V4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
    } else if SIX_TO_FOUR.contains(&a) {
        IpAddr::V4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8))
    } else {
        ip
    }
}

/// Globally routable (judged by [`effective`]); says nothing about this host's own addresses.
pub fn is_global(ip: IpAddr) -> bool {
    match effective(ip) {
        IpAddr::V4(a) => !V4_NON_GLOBAL.iter().any(|n| n.contains(&a)),
        IpAddr::V6(a) => V6_GLOBAL_UNICAST.contains(&a) && !V6_NON_GLOBAL.iter().any(|n| n.contains(&a)),
    }
}

/// Loopback (the allowlist's `loopback`).
fn is_loopback(target: IpAddr) -> bool {
    target.is_loopback()
}

/// Private-use, shared (CGNAT), unique-local, link-local or site-local (the allowlist's `private`).
fn is_private(target: IpAddr) -> bool {
    match target {
        IpAddr::V4(a) => V4_PRIVATE.iter().any(|n| n.contains(&a)),
        IpAddr::V6(a) => V6_PRIVATE.iter().any(|n| n.contains(&a)),
    }
}

/// Cloud instance metadata services: never reachable, whatever the allowlist says.
fn is_metadata(ip: IpAddr) -> bool {
    const METADATA: [IpAddr; 3] = [
        IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
        IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
        IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
    ];
    METADATA.contains(&ip)
}

/// How long the list of this host's interface addresses is reused before it is read again.
const OWN_ADDRESSES_TTL: Duration = Duration::from_secs(30);

type OwnCache = Option<(Instant, Arc<[IpAddr]>)>;
static OWN_ADDRESSES: Mutex<OwnCache> = Mutex::new(None);

/// The addresses assigned to this host's interfaces, read at most every [`OWN_ADDRESSES_TTL`].
/// If they cannot be read, the previous list is kept (the ranges above still apply).
fn own_addresses() -> Arc<[IpAddr]> {
    let mut cache = OWN_ADDRESSES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((at, list)) = &*cache
        && at.elapsed() < OWN_ADDRESSES_TTL
    {
        return list.clone();
    }
    let list: Arc<[IpAddr]> = match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces.iter().map(|i| i.ip()).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "reading this host's interface addresses");
            cache.as_ref().map(|(_, l)| l.clone()).unwrap_or_else(|| Arc::from(Vec::new()))
        }
    };
    *cache = Some((Instant::now(), list.clone()));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Refused with an empty allowlist (and no interface addresses of our own).
    fn refused(addr: &str) -> bool {
        !Allowlist::parse("").permits_among("h.example", ip(addr), &[])
    }

    #[test]
    fn every_special_purpose_ipv4_range_is_refused() {
        for addr in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.9",
            "169.254.1.1",
            "172.16.5.5",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.0.170",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.0.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.254",
            "255.255.255.255",
        ] {
            assert!(refused(addr), "{addr}");
        }
        for addr in ["93.184.216.34", "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "198.20.0.1"]
        {
            assert!(!refused(addr), "{addr} is public");
        }
    }

    #[test]
    fn every_special_purpose_ipv6_range_is_refused() {
        for addr in [
            "::",
            "::1",
            "64:ff9b:1::1",
            "100::1",
            "100:0:0:1::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
            "2001:10::1",
            "2001:1ff:ffff::1",
            "2001:db8::1",
            "2001:db8:ffff::1",
            "3fff::1",
            "3fff:fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "4000::1", // outside global unicast
            "::2:0:0:1",
        ] {
            assert!(refused(addr), "{addr}");
        }
        for addr in ["2606:2800::1", "2606:2800:220:1:248:1893:25c8:1946", "2a00:1450:4001::1", "2001:200::1"] {
            assert!(!refused(addr), "{addr} is public");
        }
    }

    #[test]
    fn ipv6_forms_of_ipv4_addresses_are_judged_by_the_ipv4_address() {
        for addr in [
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:192.0.2.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "::192.0.2.1",
            "::127.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::c000:201", // 192.0.2.1
            "2002:7f00:1::1",    // 127.0.0.1
            "2002:0a00:0001::",  // 10.0.0.1
            "2002:c000:0201::1", // 192.0.2.1
            "2002:a9fe:a9fe::1", // the metadata address
        ] {
            assert!(refused(addr), "{addr}");
        }
        for addr in ["::ffff:93.184.216.34", "::93.184.216.34", "64:ff9b::93.184.216.34", "2002:5db8:d822::1"] {
            assert!(!refused(addr), "{addr} leads to a public address");
        }
        assert_eq!(effective(ip("2002:5db8:d822::1")), ip("93.184.216.34"));
        assert_eq!(effective(ip("64:ff9b::5db8:d822")), ip("93.184.216.34"));
        assert_eq!(effective(ip("::1")), ip("::1"));
    }

    #[test]
    fn this_hosts_own_addresses_are_refused() {
        let own = [ip("93.184.216.34"), ip("2606:2800::1"), ip("127.0.0.1")];
        let none = Allowlist::parse("");
        assert!(!none.permits_among("h", ip("93.184.216.34"), &own));
        assert!(!none.permits_among("h", ip("::ffff:93.184.216.34"), &own), "mapped form of our own address");
        assert!(!none.permits_among("h", ip("2606:2800::1"), &own));
        assert!(none.permits_among("h", ip("93.184.216.35"), &own), "a neighbour is someone else");
        // Only an explicit entry lets a request go to this host's public address.
        assert!(!Allowlist::parse("private").permits_among("h", ip("93.184.216.34"), &own));
        assert!(!Allowlist::parse("loopback").permits_among("h", ip("93.184.216.34"), &own));
        assert!(Allowlist::parse("93.184.216.34").permits_among("h", ip("93.184.216.34"), &own));
        assert!(Allowlist::parse("self.example").permits_among("self.example", ip("93.184.216.34"), &own));
        assert!(Allowlist::parse("*").permits_among("h", ip("2606:2800::1"), &own));
        // The real list holds at least the loopback address (on any host with a loopback interface).
        let real = own_addresses();
        assert!(real.iter().any(|a| a.is_loopback()), "{real:?}");
        assert!(Arc::ptr_eq(&real, &own_addresses()), "cached");
    }

    #[test]
    fn allowlist_entries() {
        let own: [IpAddr; 0] = [];
        let permits = |list: &str, host: &str, addr: &str| Allowlist::parse(list).permits_among(host, ip(addr), &own);
        assert!(permits("loopback", "localhost", "127.0.0.1"));
        assert!(permits("loopback", "localhost", "::1"));
        assert!(permits("loopback", "h", "::ffff:127.0.0.1"));
        assert!(!permits("loopback", "h", "10.0.0.1"));
        assert!(!permits("loopback", "h", "0.0.0.0"));
        assert!(!permits("loopback", "h", "192.0.2.1"));
        assert!(permits("private", "h", "10.0.0.1"));
        assert!(permits("private", "h", "172.20.1.1"));
        assert!(permits("private", "h", "100.64.1.1"));
        assert!(permits("private", "h", "fd00::5"));
        assert!(permits("private", "h", "::ffff:192.168.1.1"));
        assert!(!permits("private", "h", "127.0.0.1"));
        assert!(!permits("private", "h", "192.0.2.1"), "documentation space is not private");
        assert!(!permits("private", "h", "224.0.0.1"));
        assert!(permits("10.0.0.0/8", "h", "10.9.9.9"));
        assert!(permits("10.1.2.3/8", "h", "10.9.9.9"), "host bits are ignored");
        assert!(!permits("10.0.0.0/8", "h", "192.168.1.1"));
        assert!(permits("192.0.2.1", "h", "192.0.2.1"));
        assert!(!permits("192.0.2.1", "h", "192.0.2.2"));
        assert!(permits("192.0.2.0/24", "h", "::ffff:192.0.2.2"));
        assert!(permits("2001:db8::/32", "h", "2001:db8::1"));
        assert!(permits("git.internal, *.corp", "a.corp", "10.0.0.1"));
        assert!(permits("*.corp", "b.a.corp.", "10.0.0.1"));
        assert!(!permits("*.corp", "corp", "10.0.0.1"));
        assert!(!permits("*.corp", "evilcorp", "10.0.0.1"));
        assert!(permits("git.internal", "GIT.internal", "10.0.0.1"));
        assert!(permits("*", "h", "127.0.0.1"));
        assert!(permits("*", "h", "192.0.2.1"));
        for metadata in ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "100.100.100.200"] {
            assert!(!permits("*", "h", metadata), "{metadata}: metadata stays blocked");
            assert!(!permits("private", "h", metadata), "{metadata}");
            assert!(!permits(metadata, "h", metadata), "{metadata}");
        }
        // Public addresses need no entry.
        assert!(permits("", "example.com", "93.184.216.34"));
    }

    #[tokio::test]
    async fn resolve_checks_every_address() {
        let none = Allowlist::parse("");
        assert!(matches!(none.resolve("127.0.0.1", 80).await, Err(Refusal::Blocked)));
        assert!(matches!(none.resolve("192.0.2.1", 80).await, Err(Refusal::Blocked)));
        assert!(matches!(none.resolve("localhost", 80).await, Err(Refusal::Blocked)));
        assert!(matches!(none.resolve("does-not-exist.invalid", 80).await, Err(Refusal::Unresolved)));
        assert_eq!(none.resolve("93.184.216.34", 80).await.unwrap(), vec![ip("93.184.216.34")]);
        assert_eq!(Allowlist::parse("loopback").resolve("127.0.0.1", 80).await.unwrap(), vec![ip("127.0.0.1")]);
    }
}
