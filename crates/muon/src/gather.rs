//! Local addresses for host candidates, found with the standard library only: the source
//! address the OS picks for the default route (a UDP `connect` sends nothing), and loopback
//! when asked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::config::InterfaceFilter;

/// Documentation-range-free public addresses used only to ask the routing table; no packet
/// is sent to them.
const PROBE_V4: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 9);
const PROBE_V6: SocketAddr = SocketAddr::new(
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    9,
);

/// The local IP addresses to bind, by the filter.
pub(crate) fn local_ips(filter: InterfaceFilter) -> Vec<IpAddr> {
    let mut ips = Vec::new();
    if filter.ipv4
        && let Some(ip) = route_source(PROBE_V4)
    {
        ips.push(ip);
    }
    if filter.ipv6
        && let Some(ip) = route_source(PROBE_V6)
    {
        ips.push(ip);
    }
    if filter.loopback {
        ips.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
        if filter.ipv6 {
            ips.push(IpAddr::V6(Ipv6Addr::LOCALHOST));
        }
    }
    ips.retain(|ip| !ip.is_unspecified() && (filter.loopback || !ip.is_loopback()));
    ips.dedup();
    ips
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

    #[test]
    fn loopback_only_when_asked() {
        let ips = local_ips(InterfaceFilter::loopback_only());
        assert_eq!(ips, vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let ips = local_ips(InterfaceFilter::default());
        assert!(ips.iter().all(|ip| !ip.is_loopback()));
    }
}
