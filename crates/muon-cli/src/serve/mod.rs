//! `muon serve`: a WHIP-style echo server with a browser page.
//!
//! Each `POST /offer` (or `/whip`) gets a new muon peer connection that answers the offer
//! (non-trickle: the answer carries every candidate) and sends back, unchanged, every message
//! on every data channel the remote opens. Audio and video sections of an offer are answered
//! rejected (port 0, JSEP section 5.3.1) by the engine; media is not reflected yet. `GET /`
//! serves a page that connects from a browser, chats through the echo and measures the
//! round-trip time and a bulk-transfer rate. The routes are in [`http`].

mod http;
pub(crate) mod net;
mod session;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use muon::UdpMux;
use tokio::net::TcpListener;

use http::App;
pub(crate) use net::NetArgs;
use session::Sessions;
pub(crate) use session::send_back;

/// Options of `muon serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// HTTP address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Most sessions at once; more offers are answered 503.
    #[arg(long, default_value_t = 256)]
    max_sessions: usize,
    /// Seconds a session may take to connect before it is dropped.
    #[arg(long, default_value_t = 30)]
    connect_timeout: u64,
    /// UDP for the sessions: one PORT shared by every session (a UDP mux: one firewall
    /// opening), or a range LOW-HIGH from which each session binds its own port. Default:
    /// an ephemeral port per session.
    #[arg(long, value_name = "PORT|LOW-HIGH", value_parser = parse_udp_ports)]
    udp_port: Option<UdpPorts>,
    #[command(flatten)]
    net: NetArgs,
}

/// The `--udp-port` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UdpPorts {
    /// Every session on this port (0: one the OS picks, printed at start).
    Shared(u16),
    /// Each session on its own port in this inclusive range.
    Range(u16, u16),
}

fn parse_udp_ports(s: &str) -> Result<UdpPorts, String> {
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| format!("{p:?} is not a port number (0-65535)"))
    };
    match s.split_once('-') {
        None => Ok(UdpPorts::Shared(port(s)?)),
        Some((low, high)) => {
            let (low, high) = (port(low)?, port(high)?);
            if low == 0 || low > high {
                return Err(format!(
                    "the range {s} is empty or starts at 0: write LOW-HIGH with 1 <= LOW <= HIGH"
                ));
            }
            Ok(UdpPorts::Range(low, high))
        }
    }
}

/// Runs the server until Ctrl-C. Logs go to stderr (`RUST_LOG`, default `info`); the first
/// line on stdout is `listening on http://ADDR/`.
pub(crate) fn run(args: &ServeArgs) -> Result<(), String> {
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(args))
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub(crate) fn init_tracing_with(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // A second call (never in this binary) would fail harmlessly.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn init_tracing() {
    init_tracing_with("info");
}

async fn serve(args: &ServeArgs) -> Result<(), String> {
    let mut config = args.net.config(Some(args.listen.ip())).await?;
    // One certificate for every session: a key generation less per offer.
    let certificate = muon::generate_certificate()
        .map_err(|e| format!("cannot generate the DTLS certificate: {e}"))?;
    config = config.with_certificate(certificate);
    match args.udp_port {
        Some(UdpPorts::Shared(port)) => {
            let mux = UdpMux::bind_interfaces(&config.interfaces, port)
                .await
                .map_err(|e| {
                    format!("cannot bind UDP port {port} on the chosen interfaces: {e} (is another program using it? try another --udp-port)")
                })?;
            let addrs = mux.local_addresses();
            tracing::info!(?addrs, "every session on one UDP port");
            config = config.with_mux(mux);
        }
        Some(UdpPorts::Range(low, high)) => config = config.with_udp_ports(low, high),
        None => {}
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let sessions = Sessions::new(
        args.max_sessions.max(1),
        Duration::from_secs(args.connect_timeout),
    );
    let app = Arc::new(App { sessions, config });
    println!("listening on http://{addr}/");
    tracing::info!(%addr, "open http://{addr}/ in a browser, or run: muon perf http://{addr}/offer");
    axum::serve(listener, http::router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_port_takes_a_port_or_a_range_and_says_what_is_wrong() {
        assert_eq!(parse_udp_ports("3478"), Ok(UdpPorts::Shared(3478)));
        assert_eq!(parse_udp_ports("0"), Ok(UdpPorts::Shared(0)));
        assert_eq!(
            parse_udp_ports("50000-50100"),
            Ok(UdpPorts::Range(50000, 50100))
        );
        assert!(parse_udp_ports("70000").unwrap_err().contains("not a port"));
        assert!(parse_udp_ports("9-8").unwrap_err().contains("LOW <= HIGH"));
        assert!(parse_udp_ports("0-8").is_err());
        assert!(parse_udp_ports("a-b").is_err());
    }
}
