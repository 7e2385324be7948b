//! Local addresses for host candidates: the interfaces' addresses (from `getifaddrs` through
//! the `if-addrs` crate) chosen by an [`InterfaceFilter`]. Should listing the interfaces fail,
//! the source address the OS picks for the default route stands in (a UDP `connect` sends
//! nothing).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::config::InterfaceFilter;

/// Documentation-range addresses used only to ask the routing table; no packet is sent.
const PROBE_V4: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 9);
const PROBE_V6: SocketAddr = SocketAddr::new(
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    9,
);

/// One address of one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IfAddr {
    pub(crate) name: String,
    pub(crate) ip: IpAddr,
}

/// The local IP addresses to bind, by the filter: IPv4 first, then IPv6, then loopback, then
/// the explicit ones; no duplicates.
pub(crate) fn local_ips(filter: &InterfaceFilter) -> Vec<IpAddr> {
    let wants_interfaces = filter.ipv4 || filter.ipv6 || !filter.names.is_empty();
    let interfaces = if wants_interfaces {
        list_interfaces()
    } else {
        Vec::new()
    };
    choose(filter, &interfaces)
}

/// The filter applied to a list of interface addresses.
pub(crate) fn choose(filter: &InterfaceFilter, interfaces: &[IfAddr]) -> Vec<IpAddr> {
    let usable = |ip: &IpAddr| !ip.is_loopback() && !ip.is_unspecified() && !is_link_local(ip);
    let mut ips: Vec<IpAddr> = Vec::new();
    let mut add = |ip: IpAddr| {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    };
    for i in interfaces.iter().filter(|i| usable(&i.ip)) {
        let by_kind = match i.ip {
            IpAddr::V4(_) => filter.ipv4,
            IpAddr::V6(_) => filter.ipv6,
        };
        if by_kind || filter.names.contains(&i.name) {
            add(i.ip);
        }
    }
    if filter.loopback {
        add(IpAddr::V4(Ipv4Addr::LOCALHOST));
        if filter.ipv6 {
            add(IpAddr::V6(Ipv6Addr::LOCALHOST));
        }
    }
    for ip in &filter.addresses {
        add(*ip);
    }
    ips.sort_by_key(|ip| match ip {
        _ if ip.is_loopback() => 2,
        IpAddr::V4(_) => 0,
        IpAddr::V6(_) => 1,
    });
    ips
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// Every address of every interface; the default route's addresses if listing fails.
fn list_interfaces() -> Vec<IfAddr> {
    match if_addrs::get_if_addrs() {
        Ok(list) => list
            .into_iter()
            .filter(|i| i.oper_status != if_addrs::IfOperStatus::Down)
            .map(|i| IfAddr {
                ip: i.ip(),
                name: i.name,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list interfaces; using the default route's addresses");
            [PROBE_V4, PROBE_V6]
                .into_iter()
                .filter_map(route_source)
                .map(|ip| IfAddr {
                    name: String::new(),
                    ip,
                })
                .collect()
        }
    }
}

fn route_source(probe: SocketAddr) -> Option<IpAddr> {
    let bind: SocketAddr = match probe {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(probe).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ifs() -> Vec<IfAddr> {
        let mk = |name: &str, ip: &str| IfAddr {
            name: name.to_owned(),
            ip: ip.parse().unwrap(),
        };
        vec![
            mk("lo", "127.0.0.1"),
            mk("lo", "::1"),
            mk("eth0", "192.0.2.2"),
            mk("eth0", "fe80::1"),
            mk("eth0", "2001:db8::2"),
            mk("wlan0", "198.51.100.7"),
            mk("wlan0", "169.254.3.4"),
        ]
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn the_default_takes_every_routable_address_and_no_loopback() {
        let got = choose(&InterfaceFilter::default(), &ifs());
        assert_eq!(got, ips(&["192.0.2.2", "198.51.100.7", "2001:db8::2"]));
    }

    #[test]
    fn kinds_names_loopback_and_explicit_addresses_combine() {
        let mut f = InterfaceFilter::loopback_only();
        assert_eq!(choose(&f, &ifs()), ips(&["127.0.0.1"]));
        f.names.push("wlan0".into());
        f.addresses.push("203.0.113.9".parse().unwrap());
        assert_eq!(
            choose(&f, &ifs()),
            ips(&["198.51.100.7", "203.0.113.9", "127.0.0.1"])
        );
        let only = InterfaceFilter::addresses(ips(&["192.0.2.2"]));
        assert_eq!(choose(&only, &ifs()), ips(&["192.0.2.2"]));
        let mut v6 = InterfaceFilter::loopback_only();
        v6.ipv6 = true;
        assert_eq!(
            choose(&v6, &ifs()),
            ips(&["2001:db8::2", "127.0.0.1", "::1"])
        );
    }

    #[test]
    fn this_machine_lists_loopback_only_when_asked() {
        let ips = local_ips(&InterfaceFilter::loopback_only());
        assert_eq!(ips, vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let ips = local_ips(&InterfaceFilter::default());
        assert!(ips.iter().all(|ip| !ip.is_loopback()));
    }
}
