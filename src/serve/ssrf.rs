//! The SSRF guard of webhook delivery: which addresses a webhook may never
//! reach, and a DNS resolver that only ever hands out allowed ones.
//!
//! A webhook URL is written by a workflow author, but the request leaves
//! from the engine's host, inside its network. Without a guard, a workflow
//! could reach the cloud metadata service (169.254.169.254), the database on
//! 10.x, or an admin port on localhost. The rule is [`forbidden`]; it is
//! applied three times by [`super::webhook::Sender`]:
//!
//! 1. to an IP literal in the URL, before anything else;
//! 2. to every address a host name resolves to, inside the HTTP client's
//!    resolver ([`GuardedResolver`]): if any address is forbidden the whole
//!    name is refused (a name that mixes public and private addresses is
//!    suspicious, and refusing is simpler to explain than filtering). Since
//!    the client connects only to the addresses this resolver returns, a
//!    name that resolves to a public address when checked and to a private
//!    one when connecting (DNS rebinding) cannot slip through: there is one
//!    resolution, and it is the checked one;
//! 3. to the peer address of the connection the response came on, as a last
//!    line of defence.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a webhook may not go to `ip`, or `None` when it may.
///
/// Forbidden IPv4 ranges:
///
/// | range | why |
/// |---|---|
/// | `0.0.0.0/8` | unspecified ("this network") |
/// | `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` | private (RFC 1918) |
/// | `100.64.0.0/10` | shared address space (carrier-grade NAT, RFC 6598) |
/// | `127.0.0.0/8` | loopback |
/// | `169.254.0.0/16` | link-local (cloud metadata services live here) |
/// | `192.0.0.0/24` | IETF protocol assignments (RFC 6890) |
/// | `198.18.0.0/15` | benchmarking networks (RFC 2544), used inside labs |
/// | `224.0.0.0/4` | multicast |
/// | `240.0.0.0/4` | reserved, including `255.255.255.255` (broadcast) |
///
/// Forbidden IPv6 addresses: `::` (unspecified), `::1` (loopback),
/// `fe80::/10` (link-local), `fec0::/10` (deprecated site-local),
/// `fc00::/7` (unique-local), `ff00::/8` (multicast). IPv6 forms that carry
/// an IPv4 address are judged by that address: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64
/// (`64:ff9b::a.b.c.d`, `64:ff9b:1::/48`) and 6to4 (`2002:aabb:ccdd::/48`).
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => Some("an unspecified address"),
        (10, _, _) => Some("a private address"),
        (100, 64..=127, _) => Some("a shared (carrier-grade NAT) address"),
        (127, _, _) => Some("a loopback address"),
        (169, 254, _) => Some("a link-local address"),
        (172, 16..=31, _) => Some("a private address"),
        (192, 0, 0) => Some("an IETF protocol assignment address"),
        (192, 168, _) => Some("a private address"),
        (198, 18..=19, _) => Some("a benchmarking address"),
        (224..=239, _, _) => Some("a multicast address"),
        (255, 255, 255) if ip == Ipv4Addr::BROADCAST => Some("the broadcast address"),
        (240..=255, _, _) => Some("a reserved address"),
        _ => None,
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4);
    }
    let first = ip.segments()[0];
    match first {
        0xfe80..=0xfebf => Some("a link-local address"),
        0xfec0..=0xfeff => Some("a site-local address"),
        0xfc00..=0xfdff => Some("a unique-local address"),
        0xff00..=0xffff => Some("a multicast address"),
        _ => None,
    }
}

/// The IPv4 address an IPv6 address stands for, in the forms that carry one:
/// IPv4-mapped, IPv4-compatible, NAT64 (well-known and local-use prefixes)
/// and 6to4.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible).
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] => Some(low),
        // 64:ff9b::a.b.c.d (RFC 6052) and 64:ff9b:1::/48 (RFC 8215).
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 1, ..] => Some(low),
        // 2002:aabb:ccdd::/48 (6to4).
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// A webhook target refused by the guard: `host` (as written in the URL)
/// is or resolves to `ip`, which is `why`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub host: String,
    pub ip: IpAddr,
    pub why: &'static str,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host == self.ip.to_string() {
            write!(f, "{} is {}", self.ip, self.why)
        } else {
            write!(f, "{} resolves to {}, {}", self.host, self.ip, self.why)
        }
    }
}

impl Error for Refusal {}

/// The first forbidden address of `addrs` (the addresses `host` resolved
/// to), as a [`Refusal`]: one forbidden address refuses the whole name.
pub fn check_resolved(host: &str, addrs: &[SocketAddr]) -> Result<(), Refusal> {
    match addrs
        .iter()
        .find_map(|a| forbidden(a.ip()).map(|why| (a.ip(), why)))
    {
        Some((ip, why)) => Err(Refusal {
            host: host.to_string(),
            ip,
            why,
        }),
        None => Ok(()),
    }
}

/// The HTTP client's resolver when the guard is on: the system resolver
/// (`getaddrinfo`), then [`check_resolved`]. The client connects only to
/// the addresses returned here, so the checked resolution is the one used.
/// A refusal is an error whose source chain holds the [`Refusal`].
#[derive(Debug, Default, Clone, Copy)]
pub struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Err(refusal) = check_resolved(&host, &addrs) {
                tracing::debug!(%refusal, "webhook host refused by the SSRF guard");
                return Err(Box::new(refusal) as Box<dyn Error + Send + Sync>);
            }
            tracing::debug!(host, ?addrs, "webhook host resolved");
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The [`Refusal`] in an error's source chain, if any.
pub fn refusal_in<'a>(err: &'a (dyn Error + 'static)) -> Option<&'a Refusal> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<Refusal>() {
            return Some(r);
        }
        cur = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }
    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse().unwrap())
    }

    #[test]
    fn forbidden_ipv4_ranges() {
        for (ip, why) in [
            ("0.0.0.0", "an unspecified address"),
            ("0.1.2.3", "an unspecified address"),
            ("10.0.0.0", "a private address"),
            ("10.1.2.3", "a private address"),
            ("10.255.255.255", "a private address"),
            ("100.64.0.0", "a shared (carrier-grade NAT) address"),
            ("100.127.255.255", "a shared (carrier-grade NAT) address"),
            ("127.0.0.1", "a loopback address"),
            ("127.255.0.9", "a loopback address"),
            ("169.254.169.254", "a link-local address"),
            ("172.16.0.1", "a private address"),
            ("172.31.255.255", "a private address"),
            ("192.0.0.8", "an IETF protocol assignment address"),
            ("192.168.1.1", "a private address"),
            ("198.18.0.1", "a benchmarking address"),
            ("198.19.255.255", "a benchmarking address"),
            ("224.0.0.1", "a multicast address"),
            ("239.255.255.250", "a multicast address"),
            ("240.0.0.1", "a reserved address"),
            ("255.255.255.254", "a reserved address"),
            ("255.255.255.255", "the broadcast address"),
        ] {
            assert_eq!(forbidden(v4(ip)), Some(why), "{ip}");
        }
    }

    #[test]
    fn allowed_ipv4_neighbours() {
        // Just outside each range.
        for ip in [
            "1.0.0.0",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.0.2.1",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "8.8.8.8",
            "93.184.216.34",
        ] {
            assert_eq!(forbidden(v4(ip)), None, "{ip}");
        }
    }

    #[test]
    fn forbidden_ipv6_forms() {
        for (ip, why) in [
            ("::", "an unspecified address"),
            ("::1", "a loopback address"),
            ("fe80::1", "a link-local address"),
            ("febf:ffff::1", "a link-local address"),
            ("fec0::1", "a site-local address"),
            ("fc00::1", "a unique-local address"),
            ("fdff:ffff::1", "a unique-local address"),
            ("ff02::1", "a multicast address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:10.1.2.3", "a private address"),
            ("::ffff:169.254.169.254", "a link-local address"),
            ("::ffff:0.0.0.0", "an unspecified address"),
            ("::127.0.0.1", "a loopback address"),
            ("::192.168.0.1", "a private address"),
            ("64:ff9b::10.0.0.1", "a private address"),
            ("64:ff9b:1::169.254.169.254", "a link-local address"),
            ("2002:7f00:1::", "a loopback address"),
            ("2002:a9fe:a9fe::1", "a link-local address"),
        ] {
            assert_eq!(forbidden(v6(ip)), Some(why), "{ip}");
        }
        for ip in [
            "2001:4860:4860::8888",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "fbff::1",
            "fe00::1",
        ] {
            assert_eq!(forbidden(v6(ip)), None, "{ip}");
        }
    }

    #[test]
    fn one_forbidden_address_refuses_the_name() {
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.7:0".parse().unwrap();
        assert_eq!(check_resolved("example.com", &[public]), Ok(()));
        let refusal = check_resolved("example.com", &[public, private]).unwrap_err();
        assert_eq!(refusal.ip, private.ip());
        assert_eq!(
            refusal.to_string(),
            "example.com resolves to 10.0.0.7, a private address"
        );
        let literal = Refusal {
            host: "127.0.0.1".into(),
            ip: v4("127.0.0.1"),
            why: "a loopback address",
        };
        assert_eq!(literal.to_string(), "127.0.0.1 is a loopback address");
    }

    #[test]
    fn refusal_is_found_in_a_source_chain() {
        #[derive(Debug)]
        struct Outer(Box<dyn Error + Send + Sync>);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("dns error")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&*self.0)
            }
        }
        let r = Refusal {
            host: "localhost".into(),
            ip: v4("127.0.0.1"),
            why: "a loopback address",
        };
        let e = Outer(Box::new(r.clone()));
        assert_eq!(refusal_in(&e), Some(&r));
        let plain = Outer(Box::new(std::io::Error::other("no")));
        assert_eq!(refusal_in(&plain), None);
    }

    proptest! {
        /// A mapped or compatible IPv6 form is judged as its IPv4 address.
        #[test]
        fn mapped_forms_agree_with_ipv4(bits in any::<u32>()) {
            let ip = Ipv4Addr::from(bits);
            prop_assert_eq!(forbidden(IpAddr::V6(ip.to_ipv6_mapped())), forbidden(IpAddr::V4(ip)));
            let compat = ip.to_ipv6_compatible();
            if !compat.is_unspecified() && !compat.is_loopback() {
                prop_assert_eq!(forbidden(IpAddr::V6(compat)), forbidden(IpAddr::V4(ip)));
            }
        }

        /// The rule agrees with the standard library's own classifiers
        /// wherever those are stable.
        #[test]
        fn ipv4_agrees_with_std(bits in any::<u32>()) {
            let ip = Ipv4Addr::from(bits);
            if ip.is_loopback() || ip.is_private() || ip.is_link_local()
                || ip.is_multicast() || ip.is_broadcast() || ip.is_unspecified()
                || ip.octets()[0] == 0
            {
                prop_assert!(forbidden(IpAddr::V4(ip)).is_some(), "{}", ip);
            }
        }

        #[test]
        fn ipv6_agrees_with_std(bits in any::<u128>()) {
            let ip = Ipv6Addr::from(bits);
            if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast()
                || ip.is_unique_local() || ip.is_unicast_link_local()
            {
                prop_assert!(forbidden(IpAddr::V6(ip)).is_some(), "{}", ip);
            }
        }
    }
}
