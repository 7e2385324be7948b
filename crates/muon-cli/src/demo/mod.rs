//! `muon demo`: two `muon_rtc::Rtc` engines, the whole sans-IO peer connection, on a
//! simulated network. The offerer creates a data channel and an offer, the answerer answers;
//! ICE checks the host candidates through the simulated path, DTLS handshakes and checks the
//! certificates against the SDP fingerprints, SCTP and DCEP open the channel, and a bulk
//! transfer with back-pressure goes through it, verified by SHA-256. The network is
//! `muon-netsim`: virtual time, seeded loss, delay and jitter, so a run replays exactly from
//! its seed, and it runs as fast as the CPU allows.

mod peer;
mod report;

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use clap::Args;
use muon::rtc::{DataChannelInit, Rtc, RtcConfig};
use muon_netsim::{Clock, LinkConfig, Loss, Pair, RunError};
use muon_proto::Rng;

use peer::{HIGH_WATER, LABEL, LOW_WATER, Peer, Upload};
use report::{SdpSummary, colon_hex, ms, print_log, rate};

/// The offerer's host candidate (TEST-NET-1, RFC 5737).
const ADDR_A: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 5000);
/// The answerer's host candidate (TEST-NET-2, RFC 5737).
const ADDR_B: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)), 6000);
/// Virtual time the transfer may take once the channel is open.
const TRANSFER_BUDGET: Duration = Duration::from_secs(3600);

/// Options of `muon demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Megabytes (MiB) to send from the offerer to the answerer.
    #[arg(long, default_value_t = 32)]
    mib: u64,
    /// Size of each data-channel message, in bytes.
    #[arg(long, default_value_t = 16384)]
    msg: usize,
    /// Random packet loss on each direction, in percent.
    #[arg(long, default_value_t = 1.0)]
    loss: f64,
    /// One-way delay of the simulated path, in milliseconds.
    #[arg(long, default_value_t = 20)]
    delay_ms: u64,
    /// Jitter added to each packet's delay, in milliseconds (FIFO order is kept).
    #[arg(long, default_value_t = 2)]
    jitter_ms: u64,
    /// Bottleneck rate in Mbit/s (0: unlimited).
    #[arg(long, default_value_t = 0)]
    rate_mbit: u64,
    /// Seed of the whole run: certificates, ICE credentials, loss pattern. Same seed, same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the offer and answer SDP in full.
    #[arg(long)]
    show_sdp: bool,
    /// Give up when the data channel is not open after this many seconds of virtual time.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
}

/// Runs the demo and prints what happened; an error says what failed.
pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    if !(0.0..100.0).contains(&args.loss) {
        return Err(format!("--loss must be in [0, 100), got {}", args.loss));
    }
    if args.msg == 0 || args.msg > 256 * 1024 {
        return Err(format!("--msg must be 1..=262144 bytes, got {}", args.msg));
    }
    if !(args.timeout > 0.0 && args.timeout <= 86_400.0) {
        return Err(format!(
            "--timeout must be in (0, 86400] seconds, got {}",
            args.timeout
        ));
    }
    let total = args.mib.checked_mul(1 << 20).ok_or("--mib is too large")?;
    let wall = Instant::now();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&args.seed.to_be_bytes());
    let mut rng = Rng::from_seed(seed);

    // 1. Two engines on one virtual clock, each with its simulated host address, and the
    // offer/answer exchange as two browsers' applications would run it (non-trickle: every
    // candidate is in the description).
    let clock = Clock::new();
    let start = clock.now();
    let mut a = Rtc::new(RtcConfig::default(), rng.fork(), start);
    let mut b = Rtc::new(RtcConfig::default(), rng.fork(), start);
    for (rtc, addr) in [(&mut a, ADDR_A), (&mut b, ADDR_B)] {
        rtc.add_local_address(start, addr)
            .map_err(|e| format!("host candidate {addr}: {e}"))?;
        rtc.end_of_local_addresses(start);
    }
    let channel = a
        .create_data_channel(LABEL, DataChannelInit::default())
        .map_err(|e| format!("create_data_channel: {e}"))?;
    let offer = a.create_offer(start).map_err(|e| format!("offer: {e}"))?;
    a.set_local_description(start, &offer)
        .map_err(|e| format!("offerer, local offer: {e}"))?;
    b.set_remote_description(start, &offer)
        .map_err(|e| format!("answerer, remote offer: {e}"))?;
    let answer = b.create_answer(start).map_err(|e| format!("answer: {e}"))?;
    b.set_local_description(start, &answer)
        .map_err(|e| format!("answerer, local answer: {e}"))?;
    a.set_remote_description(start, &answer)
        .map_err(|e| format!("offerer, remote answer: {e}"))?;
    let seen_offer = SdpSummary::read(&offer.sdp).map_err(|e| format!("offer: {e}"))?;
    let seen_answer = SdpSummary::read(&answer.sdp).map_err(|e| format!("answer: {e}"))?;
    let max_message = seen_offer
        .max_message_size
        .min(seen_answer.max_message_size);
    if max_message != 0 && args.msg as u64 > max_message {
        return Err(format!(
            "--msg exceeds the negotiated max-message-size {max_message}"
        ));
    }
    println!(
        "offer/answer: data-channel m-section{}, sctp-port {}, max-message-size {}",
        if seen_answer.bundle { ", BUNDLE" } else { "" },
        seen_answer.sctp_port.unwrap_or(0),
        max_message
    );
    for (who, rtc, seen) in [
        ("offerer ", &a, &seen_offer),
        ("answerer", &b, &seen_answer),
    ] {
        println!(
            "  {who} setup {:<7} candidates {}; fingerprint {}",
            seen.setup,
            seen.candidates.join(", "),
            colon_hex(rtc.fingerprint().digest())
        );
    }
    if args.show_sdp {
        println!(
            "--- offer ---\n{}--- answer ---\n{}",
            offer.sdp.replace('\r', ""),
            answer.sdp.replace('\r', "")
        );
    }

    // 2. The simulated path, and the two engines on it.
    let mut link = LinkConfig::perfect()
        .with_delay(Duration::from_millis(args.delay_ms))
        .with_jitter(Duration::from_millis(args.jitter_ms))
        .with_loss(if args.loss > 0.0 {
            Loss::Random(args.loss / 100.0)
        } else {
            Loss::None
        });
    if args.rate_mbit > 0 {
        let bps = args.rate_mbit.saturating_mul(1_000_000);
        // Queue of ~100 ms at the bottleneck rate.
        link = link.with_rate(bps, usize::try_from(bps / 80).unwrap_or(usize::MAX));
    }
    println!(
        "network: simulated, {} ms one-way delay, ±{} ms jitter, {}% random loss each way{}, seed {}",
        args.delay_ms,
        args.jitter_ms,
        args.loss,
        if args.rate_mbit > 0 {
            format!(", {} Mbit/s bottleneck", args.rate_mbit)
        } else {
            String::new()
        },
        args.seed
    );
    let mut offerer = Peer::new(a, "offerer", start);
    offerer.channel = Some(channel);
    offerer.upload = Some(Upload::new(total, args.msg));
    let mut answerer = Peer::new(b, "answerer", start);
    answerer.download.expected = total;
    let mut pair = Pair::new(
        args.seed,
        offerer,
        ADDR_A,
        answerer,
        ADDR_B,
        link.clone(),
        link,
    )
    .with_clock(clock);

    // 3. Connect: ICE, DTLS, SCTP, DCEP; every state change printed with its virtual time.
    let timeout = Duration::from_secs_f64(args.timeout);
    let connected = pair.run_until(timeout, |a, b| {
        (a.is_open() && b.is_open()) || a.failure.is_some() || b.failure.is_some()
    });
    print_log(&mut pair.a, &mut pair.b, start);
    check_failures(&pair)?;
    connected.map_err(|e| match e {
        RunError::TimedOut { elapsed } => format!(
            "the data channel did not open within {:.3} s of virtual time \
             (offerer: ICE {:?}, DTLS {:?}; answerer: ICE {:?}, DTLS {:?})",
            elapsed.as_secs_f64(),
            pair.a.rtc.ice_connection_state(),
            pair.a.rtc.dtls_state(),
            pair.b.rtc.ice_connection_state(),
            pair.b.rtc.dtls_state(),
        ),
        other => format!("connecting stopped: {other}"),
    })?;
    let later = |f: fn(&Peer) -> Option<Instant>| f(&pair.a).max(f(&pair.b));
    println!(
        "connected: ICE in {} ms, DTLS 1.2 in {} ms, channel {LABEL:?} open in {} ms (virtual time)",
        ms(later(|p| p.ice_connected), start),
        ms(later(|p| p.dtls_connected), start),
        ms(later(|p| p.channel_open), start),
    );

    // 4. The transfer, reporting progress at each tenth.
    let interactive = std::io::stdout().is_terminal();
    let mut next_tenth = 1;
    while pair.b.download.finished.is_none() && total > 0 {
        let threshold = total / 10 * next_tenth;
        let progress = pair.run_until(TRANSFER_BUDGET, |a, b| {
            b.download.bytes >= threshold
                || b.download.finished.is_some()
                || a.failure.is_some()
                || b.failure.is_some()
        });
        if interactive && !(pair.a.log.is_empty() && pair.b.log.is_empty()) {
            println!();
        }
        print_log(&mut pair.a, &mut pair.b, start);
        check_failures(&pair)?;
        progress.map_err(|e| format!("transfer stalled: {e}"))?;
        let got = pair.b.download.bytes;
        let line = format!(
            "transfer: {:>5.1}% {:>8.1} MiB received, {:.1} s virtual, {:.1} s wall",
            got as f64 * 100.0 / total as f64,
            got as f64 / 1048576.0,
            (pair.now() - start).as_secs_f64(),
            wall.elapsed().as_secs_f64()
        );
        if interactive {
            print!("\r{line}");
            let _ = std::io::stdout().flush();
        } else {
            println!("{line}");
        }
        next_tenth = (got * 10 / total + 1).min(10);
    }
    if interactive {
        println!();
    }
    summarise(args, &pair, total, wall)
}

/// Checks the received bytes against the sent ones and prints the figures.
fn summarise(
    args: &DemoArgs,
    pair: &Pair<Peer, Peer>,
    total: u64,
    wall: Instant,
) -> Result<(), String> {
    let upload = pair.a.upload.as_ref().ok_or("the offerer had no upload")?;
    let sent_digest = upload.digest();
    let download = &pair.b.download;
    if download.digest() != sent_digest || download.bytes != total {
        return Err(format!(
            "integrity check FAILED: received {} of {} bytes, SHA-256 {} vs sent {}",
            download.bytes,
            total,
            hex::encode(download.digest()),
            hex::encode(sent_digest)
        ));
    }
    let virtual_secs = match (upload.started, download.finished) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => 0.0,
    };
    let wall_secs = wall.elapsed().as_secs_f64();
    println!(
        "verified: {} messages, {} MiB, SHA-256 {} matches",
        download.messages,
        args.mib,
        &hex::encode(sent_digest)[..16]
    );
    println!(
        "goodput: {} in virtual time over the simulated path; {:.1} MiB/s of CPU work (wall {:.2} s)",
        rate(args.mib as f64 / virtual_secs.max(1e-9)),
        args.mib as f64 / wall_secs.max(1e-9),
        wall_secs
    );
    let net = pair.network().stats();
    let ab = pair.network().link_stats(ADDR_A.ip(), ADDR_B.ip());
    let ba = pair.network().link_stats(ADDR_B.ip(), ADDR_A.ip());
    println!(
        "network: {} datagrams sent, {} lost ({} offerer->answerer, {} answerer->offerer), \
         {} delivered; datagrams refused by the peers: {}",
        net.sent,
        net.dropped(),
        ab.dropped(),
        ba.dropped(),
        net.delivered,
        pair.a.refused + pair.b.refused
    );
    let (sa, sb) = (pair.a.rtc.stats(), pair.b.rtc.stats());
    let sctp = pair.a.rtc.sctp_stats().unwrap_or_default();
    println!(
        "engine: upload paused at {} KiB buffered and resumed at {} KiB by buffered-amount-low {} times; \
         early DTLS datagrams held {}; messages dropped {}",
        HIGH_WATER / 1024,
        LOW_WATER / 1024,
        upload.resumed,
        sa.early_datagrams_queued + sb.early_datagrams_queued,
        sa.messages_dropped + sb.messages_dropped,
    );
    println!(
        "sctp (offerer): {} DATA chunks sent, SCTP retransmissions: {}; fast retransmits {}, \
         T3 timeouts {}",
        sctp.data_chunks_sent,
        sctp.data_chunks_retransmitted,
        sctp.fast_retransmits,
        sctp.t3_expirations,
    );
    Ok(())
}

fn check_failures(pair: &Pair<Peer, Peer>) -> Result<(), String> {
    for (who, peer) in [("offerer", &pair.a), ("answerer", &pair.b)] {
        if let Some(why) = &peer.failure {
            return Err(format!("{who}: {why}"));
        }
    }
    Ok(())
}
