//! The network options `muon serve` and `muon perf` share: which local interfaces give host
//! candidates and which STUN servers give server-reflexive ones.

use std::net::{IpAddr, SocketAddr};

use clap::Args;
use muon::{Config, InterfaceFilter};

/// One `--interfaces` item: a kind of address, an interface name, or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Iface {
    /// Every routable IPv4 address of the interfaces.
    Ipv4,
    /// Every routable IPv6 address of the interfaces.
    Ipv6,
    /// Loopback (127.0.0.1, and ::1 together with `ipv6`).
    Loopback,
    /// This address.
    Addr(IpAddr),
    /// Every routable address of the interface with this name.
    Name(String),
}

fn parse_iface(s: &str) -> Result<Iface, String> {
    let s = s.trim();
    Ok(match s {
        "" => return Err("an empty item: write e.g. ipv4,loopback or eth0 or 192.0.2.7".into()),
        "ipv4" => Iface::Ipv4,
        "ipv6" => Iface::Ipv6,
        "loopback" => Iface::Loopback,
        _ => match s.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => {
                return Err(format!(
                    "{s} is not an address a peer can reach: name the interface or its address"
                ));
            }
            Ok(ip) => Iface::Addr(ip),
            Err(_) => Iface::Name(s.to_owned()),
        },
    })
}

/// ICE options: interfaces and STUN servers.
#[derive(Debug, Clone, Args)]
pub(crate) struct NetArgs {
    /// Local addresses to gather host candidates on, comma-separated: ipv4, ipv6 (every
    /// routable address of that family on every interface), loopback, an interface name
    /// (eth0), or an address (192.0.2.7). Default: ipv4,ipv6, plus loopback when the other
    /// end is on loopback (serve: the --listen address; perf: the URL's host).
    #[arg(long, value_delimiter = ',', value_parser = parse_iface, value_name = "LIST")]
    pub(crate) interfaces: Vec<Iface>,
    /// A STUN server (host:port) for server-reflexive candidates; repeat for several.
    #[arg(long = "stun", value_name = "HOST:PORT")]
    pub(crate) stun: Vec<String>,
}

impl NetArgs {
    /// The interface filter: the explicit list, or the default for a peer on `peer_ip`.
    pub(crate) fn filter(&self, peer_ip: Option<IpAddr>) -> InterfaceFilter {
        let mut filter = InterfaceFilter::default();
        if self.interfaces.is_empty() {
            filter.loopback = peer_ip.is_some_and(|ip| ip.is_loopback());
            return filter;
        }
        filter = InterfaceFilter::addresses([]);
        for item in &self.interfaces {
            match item {
                Iface::Ipv4 => filter.ipv4 = true,
                Iface::Ipv6 => filter.ipv6 = true,
                Iface::Loopback => filter.loopback = true,
                Iface::Addr(ip) => filter.addresses.push(*ip),
                Iface::Name(name) => filter.names.push(name.clone()),
            }
        }
        filter
    }

    /// A peer connection config with these options; STUN names are resolved here.
    pub(crate) async fn config(&self, peer_ip: Option<IpAddr>) -> Result<Config, String> {
        let mut config = Config::default().with_interfaces(self.filter(peer_ip));
        for server in &self.stun {
            let server = server.strip_prefix("stun:").unwrap_or(server);
            let addr: SocketAddr = tokio::net::lookup_host(server)
                .await
                .map_err(|e| format!("STUN server {server}: {e}"))?
                .next()
                .ok_or_else(|| format!("STUN server {server}: no address"))?;
            config = config.with_stun_server(addr);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn loopback_joins_the_default_only_for_a_loopback_peer() {
        let args = NetArgs {
            interfaces: Vec::new(),
            stun: Vec::new(),
        };
        let local = args.filter(Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(local.ipv4 && local.ipv6 && local.loopback);
        let remote = args.filter(Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
        assert!(remote.ipv4 && remote.ipv6 && !remote.loopback);
        assert!(!args.filter(None).loopback);
    }

    #[test]
    fn items_are_kinds_addresses_or_names() {
        assert_eq!(parse_iface("ipv4"), Ok(Iface::Ipv4));
        assert_eq!(parse_iface(" loopback"), Ok(Iface::Loopback));
        assert_eq!(
            parse_iface("192.0.2.7"),
            Ok(Iface::Addr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))))
        );
        assert_eq!(parse_iface("eth0"), Ok(Iface::Name("eth0".into())));
        assert!(
            parse_iface("0.0.0.0")
                .unwrap_err()
                .contains("not an address")
        );
        assert!(parse_iface("").is_err());
        let args = NetArgs {
            interfaces: vec![Iface::Name("eth0".into()), parse_iface("::1").unwrap()],
            stun: Vec::new(),
        };
        let f = args.filter(None);
        assert!(!f.ipv4 && !f.ipv6 && !f.loopback);
        assert_eq!(f.names, ["eth0"]);
        assert_eq!(f.addresses, [IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)]);
    }

    #[test]
    fn an_explicit_list_wins() {
        let args = NetArgs {
            interfaces: vec![Iface::Loopback],
            stun: Vec::new(),
        };
        let f = args.filter(Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
        assert!(!f.ipv4 && !f.ipv6 && f.loopback);
    }
}
