//! The outbound-request guard for migrations (and, later, webhooks): after resolving a host,
//! loopback, private, link-local and unspecified addresses are refused unless
//! `[security] LOCAL_NETWORK_ALLOWLIST` allows them; cloud metadata addresses are always refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
    Net(IpAddr, u8),
    Host(String),
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
                _ => parse_net(&e).unwrap_or(Entry::Host(e)),
            })
            .collect();
        Allowlist { entries }
    }

    /// May a request go to `ip` (resolved from `host`)?
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        if is_metadata(ip) {
            return false;
        }
        if !is_local(ip) {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|e| match e {
            Entry::Everything => true,
            Entry::Loopback => ip.is_loopback(),
            Entry::Private => !ip.is_loopback() && !ip.is_unspecified(),
            Entry::Net(net, bits) => in_net(ip, *net, *bits),
            Entry::Host(pattern) => match pattern.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => *pattern == host,
            },
        })
    }
}

fn parse_net(e: &str) -> Option<Entry> {
    let (addr, bits) = match e.split_once('/') {
        Some((a, b)) => (a.parse::<IpAddr>().ok()?, b.parse::<u8>().ok()?),
        None => {
            let a = e.parse::<IpAddr>().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    Some(Entry::Net(addr, bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits.min(32))) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits.min(128))) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn is_metadata(ip: IpAddr) -> bool {
    ip == IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254))
        || ip == IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254))
}

/// Loopback, private, shared (CGNAT), link-local or unspecified.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || in_net(ip, IpAddr::V4(Ipv4Addr::new(100, 64, 0, 0)), 10)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_local(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || in_net(ip, IpAddr::V6(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0)), 7)
                || in_net(ip, IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0)), 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn default_refuses_local_networks() {
        let none = Allowlist::parse("");
        for local in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.1.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(!none.permits("h", ip(local)), "{local}");
        }
        assert!(none.permits("example.com", ip("93.184.216.34")));
    }

    #[test]
    fn allowlist_entries() {
        assert!(Allowlist::parse("loopback").permits("localhost", ip("127.0.0.1")));
        assert!(!Allowlist::parse("loopback").permits("h", ip("10.0.0.1")));
        assert!(Allowlist::parse("private").permits("h", ip("10.0.0.1")));
        assert!(Allowlist::parse("10.0.0.0/8").permits("h", ip("10.9.9.9")));
        assert!(!Allowlist::parse("10.0.0.0/8").permits("h", ip("192.168.1.1")));
        assert!(Allowlist::parse("git.internal, *.corp").permits("a.corp", ip("10.0.0.1")));
        assert!(Allowlist::parse("git.internal").permits("GIT.internal", ip("10.0.0.1")));
        assert!(!Allowlist::parse("*").permits("h", ip("169.254.169.254")), "metadata stays blocked");
        assert!(Allowlist::parse("*").permits("h", ip("127.0.0.1")));
    }
}
