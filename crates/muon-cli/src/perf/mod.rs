//! `muon perf URL`: an iperf for WebRTC data channels, with muon as the offering peer.
//!
//! Against any WHIP-style echo endpoint (the contract of `muon serve`, [`signal`]): offer
//! (non-trickle), connect, then a ping phase (round-trip times of small messages, one at a
//! time) and a bulk phase (`--bytes` in `--msg`-sized messages over `--channels` channels at
//! once, ordered or not, reliable or partially reliable, with back-pressure), every echoed
//! byte checked ([`payload`]). The session is ended with `DELETE` on its `Location`, also
//! after a failure. Every wait is bounded; a failure exits non-zero naming what failed.

mod bulk;
mod payload;
mod report;
mod signal;

use std::io::IsTerminal;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use muon::{
    DataChannel, DataChannelInit, DtlsTransportState, FailReason, IceConnectionState,
    PeerConnection, PeerConnectionState, PeerEvent, SessionDescription,
};

use crate::serve::NetArgs;
use bulk::{BulkConfig, Progress};
use payload::{Corrupt, HEADER, Plan};
use report::Report;
use signal::{SignalError, Url};

/// Bound on each HTTP exchange.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on gathering local candidates.
const GATHER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest `--msg` (muon's own default `a=max-message-size`).
const MAX_MSG: usize = 256 * 1024;
/// Most `--channels`.
const MAX_CHANNELS: u16 = 256;

/// Options of `muon perf`.
#[derive(Debug, Args)]
pub(crate) struct PerfArgs {
    /// WHIP-style endpoint: POST an application/sdp offer, get 201 with the answer.
    url: String,
    /// Pings (small messages, one in flight) before the bulk phase.
    #[arg(long, default_value_t = 100)]
    pings: usize,
    /// Bytes to send in the bulk phase, in total (suffixes K, M, G: powers of 1024).
    #[arg(long, default_value = "64M", value_parser = parse_size)]
    bytes: u64,
    /// Size of each bulk message (suffixes K, M).
    #[arg(long, default_value = "16K", value_parser = parse_size)]
    msg: u64,
    /// Channels sending at once; the bytes are split between them.
    #[arg(long, default_value_t = 1)]
    channels: u16,
    /// Unordered delivery on the bulk channels.
    #[arg(long)]
    unordered: bool,
    /// Partial reliability: give up on a message after this many retransmissions.
    #[arg(long, conflicts_with = "max_lifetime")]
    max_retransmits: Option<u16>,
    /// Partial reliability: give up on a message after this many milliseconds.
    #[arg(long, value_name = "MS")]
    max_lifetime: Option<u64>,
    /// Print one JSON object with every figure (and the error, if any) on stdout.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for the connection (ICE, DTLS, channels open).
    #[arg(long, default_value_t = 15)]
    connect_timeout: u64,
    /// Seconds without progress (no echo, no room to send) before giving up.
    #[arg(long, default_value_t = 10)]
    stall_timeout: u64,
    #[command(flatten)]
    net: NetArgs,
}

/// What failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum PerfError {
    /// A bad option.
    #[error("{0}")]
    Usage(&'static str),
    /// The HTTP exchange failed.
    #[error("signaling failed: {0}")]
    Signaling(#[from] SignalError),
    /// The server answered the offer with something other than `201`.
    #[error("the server refused the offer: HTTP {status}: {reason}")]
    Refused { status: u16, reason: String },
    /// The `201` body is not an answer muon can apply.
    #[error("the server's answer is not usable: {0}")]
    BadAnswer(String),
    /// The local peer could not be set up.
    #[error("cannot set up the local peer: {0}")]
    Setup(String),
    /// ICE found no working pair, or consent was lost.
    #[error(
        "connection failed: ICE found no working candidate pair (check --interfaces, --stun, and that UDP reaches the server)"
    )]
    Ice,
    /// The server's certificate does not match its SDP fingerprint.
    #[error("DTLS failed: the server's certificate does not match the fingerprint in its answer")]
    Fingerprint,
    /// The DTLS handshake failed.
    #[error("DTLS failed: {0}")]
    Dtls(String),
    /// The SCTP association failed.
    #[error("connection failed: the SCTP association ended ({0})")]
    Sctp(String),
    /// The transport failed for another reason.
    #[error("connection failed: {0}")]
    Transport(String),
    /// Not connected in time.
    #[error("timeout: not connected within {secs} s (ICE {ice:?}, DTLS {dtls:?})")]
    ConnectTimeout {
        secs: u64,
        ice: IceConnectionState,
        dtls: DtlsTransportState,
    },
    /// The connection closed under a phase.
    #[error("the server closed the connection during the {0} phase")]
    PeerClosed(&'static str),
    /// A channel closed under a phase.
    #[error("the server closed the {0} channel mid-transfer")]
    ChannelClosed(&'static str),
    /// No progress for too long.
    #[error("timeout: no progress in the {phase} phase for {after:?}")]
    Stalled {
        phase: &'static str,
        after: Duration,
    },
    /// A ping came back different.
    #[error("integrity: a ping came back different from what was sent")]
    PingCorrupt,
    /// A bulk message came back different.
    #[error("integrity: {0}")]
    Integrity(Corrupt),
    /// The SHA-256 set digests of a reliable channel differ.
    #[error("integrity: the SHA-256 digest of the echoed messages differs from what was sent")]
    DigestMismatch,
    /// Sending failed for another reason.
    #[error("sending failed: {0}")]
    Send(String),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Parses `123`, `16K`, `64M`, `1G` (powers of 1024; a trailing `B` or `iB` is allowed).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {s:?} (try 64M)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("size too large: {s}"))
}

/// Runs `muon perf`; the error is the message to print.
pub(crate) fn run(args: &PerfArgs) -> Result<(), String> {
    crate::serve::init_tracing_with("warn");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let mut report = Report::new(&args.url);
    let result = runtime.block_on(perf(args, &mut report));
    // Anything still running (a stuck task) must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(200));
    if let Err(e) = &result {
        report.error = Some(e.to_string());
    }
    if args.json {
        println!("{}", report.json());
    } else if result.is_ok() {
        print!("{}", report.summary());
    }
    result.map_err(|e| format!("perf: {e}"))
}

fn check(args: &PerfArgs) -> Result<(), PerfError> {
    if args.msg < HEADER as u64 || args.msg > MAX_MSG as u64 {
        return Err(PerfError::Usage("--msg must be 16 bytes to 256K"));
    }
    if args.channels == 0 || args.channels > MAX_CHANNELS {
        return Err(PerfError::Usage("--channels must be 1 to 256"));
    }
    if args.bytes == 0 {
        return Err(PerfError::Usage("--bytes must be at least 1"));
    }
    if args.max_lifetime.is_some_and(|ms| ms > u64::from(u32::MAX)) {
        return Err(PerfError::Usage("--max-lifetime is too large"));
    }
    Ok(())
}

async fn perf(args: &PerfArgs, report: &mut Report) -> Result<(), PerfError> {
    check(args)?;
    let url = Url::parse(&args.url)?;
    let peer_ip = resolve(&url).await;
    let config = args.net.config(peer_ip).await.map_err(PerfError::Setup)?;
    let mut pc = PeerConnection::new(config)
        .await
        .map_err(|e| PerfError::Setup(e.to_string()))?;
    let setup = |e: muon::Error| PerfError::Setup(e.to_string());
    let mut ping_ch = pc
        .create_data_channel("perf-ping", DataChannelInit::default())
        .await
        .map_err(setup)?;
    let mut init = DataChannelInit::default();
    init.ordered = Some(!args.unordered);
    init.max_retransmits = args.max_retransmits;
    init.max_packet_lifetime = args.max_lifetime.map(Duration::from_millis);
    let mut bulk_chs = Vec::new();
    for i in 0..args.channels {
        let ch = pc
            .create_data_channel(&format!("perf-bulk-{i}"), init.clone())
            .await
            .map_err(setup)?;
        bulk_chs.push(ch);
    }
    let offer = pc.create_offer().await.map_err(setup)?;
    pc.set_local_description(&offer).await.map_err(setup)?;
    tokio::time::timeout(GATHER_TIMEOUT, pc.gathering_complete())
        .await
        .map_err(|_| PerfError::Setup("candidate gathering did not complete".into()))?
        .map_err(setup)?;
    let offer = pc
        .local_description()
        .ok_or(PerfError::Internal("no local description"))?
        .sdp;

    let t0 = Instant::now();
    let r = signal::request(
        &url,
        "POST",
        Some(("application/sdp", offer.as_bytes())),
        HTTP_TIMEOUT,
    )
    .await?;
    if r.status != 201 {
        return Err(PerfError::Refused {
            status: r.status,
            reason: r.reason(),
        });
    }
    let session = r.header("location").map(|l| url.join(l));
    let result = connected(args, &mut pc, &r, t0, &mut ping_ch, bulk_chs, report).await;
    // End the session whatever happened: RFC 9725 section 4.2.
    match session {
        Some(Ok(location)) => {
            match signal::request(&location, "DELETE", None, HTTP_TIMEOUT).await {
                Ok(r) => report.delete_status = Some(r.status),
                Err(e) => report.delete_error = Some(e.to_string()),
            }
        }
        Some(Err(e)) => report.delete_error = Some(format!("bad Location: {e}")),
        None => report.delete_error = Some("no Location header in the 201 response".into()),
    }
    pc.close().await;
    result
}

/// Applies the answer, waits for the channels, runs both phases.
async fn connected(
    args: &PerfArgs,
    pc: &mut PeerConnection,
    r: &signal::Response,
    t0: Instant,
    ping_ch: &mut DataChannel,
    bulk_chs: Vec<DataChannel>,
    report: &mut Report,
) -> Result<(), PerfError> {
    let content_type = r.header("content-type").unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/sdp")
    {
        return Err(PerfError::BadAnswer(format!(
            "Content-Type is {content_type:?}, not application/sdp"
        )));
    }
    let answer = String::from_utf8(r.body.clone())
        .map_err(|_| PerfError::BadAnswer("the body is not UTF-8".into()))?;
    pc.set_remote_description(&SessionDescription::answer(answer))
        .await
        .map_err(|e| PerfError::BadAnswer(e.to_string()))?;

    let mut states = States::default();
    let connect = Duration::from_secs(args.connect_timeout);
    let opened = async {
        ping_ch.opened().await?;
        for ch in &bulk_chs {
            ch.opened().await?;
        }
        Ok::<(), muon::Error>(())
    };
    let opened = async {
        match tokio::time::timeout(connect, opened).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(PerfError::PeerClosed("connect")),
            Err(_) => Err(PerfError::Internal("connect timeout")),
        }
    };
    match watch(pc, &mut states, "connect", opened).await {
        Err(PerfError::Internal("connect timeout")) => {
            return Err(PerfError::ConnectTimeout {
                secs: args.connect_timeout,
                ice: states.ice,
                dtls: states.dtls,
            });
        }
        other => other?,
    }
    report.connect = Some(t0.elapsed());

    let stall = Duration::from_secs(args.stall_timeout.max(1));
    let pings = watch(
        pc,
        &mut states,
        "ping",
        bulk::ping(ping_ch, args.pings, stall),
    )
    .await?;
    report.pings = Some(pings.clone());

    let per_channel = args.bytes / u64::from(args.channels);
    let extra = args.bytes % u64::from(args.channels);
    let msg = usize::try_from(args.msg).map_err(|_| PerfError::Usage("--msg too large"))?;
    let plans: Vec<(DataChannel, Plan)> = bulk_chs
        .into_iter()
        .enumerate()
        .map(|(i, ch)| {
            let bytes = per_channel + u64::from((i as u64) < extra);
            (
                ch,
                Plan {
                    channel: i as u32,
                    bytes: bytes.max(1),
                    msg,
                },
            )
        })
        .collect();
    let reliable = args.max_retransmits.is_none() && args.max_lifetime.is_none();
    // Stragglers on an unreliable channel: a few round trips, at least half a second.
    let rtt = pings.quantile(0.99).unwrap_or(Duration::from_millis(100));
    let config = BulkConfig {
        reliable,
        ordered: !args.unordered,
        stall,
        drain: (rtt * 8).max(Duration::from_millis(500)),
    };
    report.bulk_config = Some((
        args.bytes,
        msg,
        args.channels,
        config,
        args.max_retransmits,
        args.max_lifetime,
    ));
    let total: u64 = plans
        .iter()
        .map(|(_, p)| (0..p.count()).filter_map(|s| p.len_of(s)).sum::<usize>() as u64)
        .sum();
    let progress = Arc::new(Progress::default());
    let bar = progress_bar(args.json, total);
    let ticker = {
        let (bar, progress) = (bar.clone(), Arc::clone(&progress));
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.echoed.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let results = watch(pc, &mut states, "bulk", bulk::bulk(plans, config, progress)).await;
    ticker.abort();
    bar.finish_and_clear();
    report.bulk = Some(results?);
    Ok(())
}

/// A progress bar on stderr when it is a terminal (and not `--json`), else hidden.
fn progress_bar(json: bool, total: u64) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "echoed {bytes:>10}/{total_bytes} [{bar:40}] {bytes_per_sec:>12} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The last ICE and DTLS states seen, for timeout messages.
#[derive(Debug, Clone, Copy)]
struct States {
    ice: IceConnectionState,
    dtls: DtlsTransportState,
}

impl Default for States {
    fn default() -> Self {
        Self {
            ice: IceConnectionState::New,
            dtls: DtlsTransportState::New,
        }
    }
}

/// Runs `phase` while watching the connection: a failure or close ends it with the reason.
/// When the phase itself fails because a channel closed, events still pending for a moment
/// are read first, since they say why (a DTLS failure rather than "channel closed").
async fn watch<T>(
    pc: &mut PeerConnection,
    states: &mut States,
    name: &'static str,
    phase: impl std::future::Future<Output = Result<T, PerfError>>,
) -> Result<T, PerfError> {
    tokio::pin!(phase);
    let failed = loop {
        tokio::select! {
            r = &mut phase => match r {
                Err(e @ (PerfError::ChannelClosed(_) | PerfError::PeerClosed(_))) => {
                    let grace = tokio::time::sleep(Duration::from_millis(500));
                    tokio::pin!(grace);
                    let mut why = None;
                    while why.is_none() {
                        tokio::select! {
                            () = &mut grace => break,
                            ev = pc.next_event() => match ev {
                                Some(ev) => why = event_failure(ev, states, name),
                                None => break,
                            },
                        }
                    }
                    break why.unwrap_or(e);
                }
                r => return r,
            },
            ev = pc.next_event() => match ev {
                Some(ev) => if let Some(e) = event_failure(ev, states, name) { break e },
                None => break PerfError::PeerClosed(name),
            },
        }
    };
    Err(failed)
}

/// The failure an event announces, if any.
fn event_failure(ev: PeerEvent, states: &mut States, phase: &'static str) -> Option<PerfError> {
    match ev {
        PeerEvent::IceConnectionState(s) => {
            states.ice = s;
            None
        }
        PeerEvent::DtlsState(s) => {
            states.dtls = s;
            None
        }
        PeerEvent::Failed(reason) => Some(match reason {
            FailReason::Ice => PerfError::Ice,
            FailReason::FingerprintMismatch => PerfError::Fingerprint,
            FailReason::Dtls(e) => PerfError::Dtls(format!("{e:?}")),
            FailReason::Sctp(e) => PerfError::Sctp(format!("{e:?}")),
            other => PerfError::Transport(format!("{other:?}")),
        }),
        PeerEvent::ConnectionState(PeerConnectionState::Closed) => {
            Some(PerfError::PeerClosed(phase))
        }
        PeerEvent::ConnectionState(PeerConnectionState::Failed) => Some(match states.dtls {
            DtlsTransportState::Failed => PerfError::Dtls("handshake failed".into()),
            _ => PerfError::Ice,
        }),
        _ => None,
    }
}

/// The server's address, to pick the default interfaces (loopback for a loopback server).
async fn resolve(url: &Url) -> Option<IpAddr> {
    if let Ok(ip) = url.host.parse() {
        return Some(ip);
    }
    tokio::net::lookup_host(&url.authority)
        .await
        .ok()?
        .next()
        .map(|a| a.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        for (s, n) in [
            ("123", 123),
            ("16K", 16 << 10),
            ("16k", 16 << 10),
            ("64M", 64 << 20),
            ("64MiB", 64 << 20),
            ("1G", 1 << 30),
            ("10B", 10),
        ] {
            assert_eq!(parse_size(s), Ok(n), "{s}");
        }
        for bad in ["", "M", "1.5M", "-1", "99999999999999G", "1T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
