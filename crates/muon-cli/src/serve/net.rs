//! The network options `muon serve` and `muon perf` share: which local interfaces give host
//! candidates and which STUN servers give server-reflexive ones.

use std::net::{IpAddr, SocketAddr};

use clap::{Args, ValueEnum};
use muon::{Config, InterfaceFilter};

/// A kind of local address that may become a host candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Iface {
    /// The IPv4 address of the default route.
    Ipv4,
    /// The IPv6 address of the default route.
    Ipv6,
    /// Loopback (127.0.0.1, and ::1 together with `ipv6`).
    Loopback,
}

/// ICE options: interfaces and STUN servers.
#[derive(Debug, Clone, Args)]
pub(crate) struct NetArgs {
    /// Local addresses to gather host candidates on, comma-separated (ipv4, ipv6, loopback).
    /// Default: ipv4,ipv6 (the default route's addresses), plus loopback when the other end
    /// is on loopback (serve: the --listen address; perf: the URL's host).
    #[arg(long, value_delimiter = ',', value_enum)]
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
        } else {
            filter.ipv4 = self.interfaces.contains(&Iface::Ipv4);
            filter.ipv6 = self.interfaces.contains(&Iface::Ipv6);
            filter.loopback = self.interfaces.contains(&Iface::Loopback);
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
    fn an_explicit_list_wins() {
        let args = NetArgs {
            interfaces: vec![Iface::Loopback],
            stun: Vec::new(),
        };
        let f = args.filter(Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
        assert!(!f.ipv4 && !f.ipv6 && f.loopback);
    }
}
