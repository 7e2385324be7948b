//! `muon demo`: two muon peers on a simulated network exchange an SDP offer and answer,
//! run a DTLS 1.2 handshake checked against the SDP fingerprints, open an SCTP association
//! inside it (both sides initiating, as browsers do), and move a bulk transfer through it,
//! verified by SHA-256. The network is `muon-netsim`: virtual time, seeded loss, delay and
//! jitter, so a run replays exactly from its seed, and it runs as fast as the CPU allows.

mod peer;
mod sdp;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use muon_dtls::{Certificate, Config as DtlsConfig, Dtls, HashAlg, Role};
use muon_netsim::{Addressed, LinkConfig, Loss, Pair};
use muon_proto::Rng;
use muon_sctp::{Association, Config as SctpConfig};
use muon_sdp::Setup;

use peer::{Failure, Peer, Upload};
use sdp::LocalDescription;

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
    /// Seed of the whole run: certificates, SDP, loss pattern. Same seed, same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the offer and answer SDP in full.
    #[arg(long)]
    show_sdp: bool,
}

/// Runs the demo and prints what happened; an error says what failed.
pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    if !(0.0..100.0).contains(&args.loss) {
        return Err(format!("--loss must be in [0, 100), got {}", args.loss));
    }
    if args.msg == 0 || args.msg > 256 * 1024 {
        return Err(format!("--msg must be 1..=262144 bytes, got {}", args.msg));
    }
    let total = args.mib.checked_mul(1 << 20).ok_or("--mib is too large")?;
    let wall = Instant::now();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&args.seed.to_be_bytes());
    let mut rng = Rng::from_seed(seed);

    // 1. Certificates and the offer/answer exchange, as two browsers would do it.
    let offerer_cert = Certificate::generate(&mut rng);
    let answerer_cert = Certificate::generate(&mut rng);
    let offerer_fp = offerer_cert.fingerprint(HashAlg::Sha256);
    let answerer_fp = answerer_cert.fingerprint(HashAlg::Sha256);
    let offer = sdp::write(
        &LocalDescription {
            fingerprint: &offerer_fp,
            setup: Setup::Actpass,
            max_message_size: 262_144,
        },
        &mut rng,
    );
    let seen_by_answerer = sdp::read(&offer).map_err(|e| format!("offer: {e}"))?;
    // RFC 8842: an answer to actpass picks active, making the answerer the DTLS client.
    let answer = sdp::write(
        &LocalDescription {
            fingerprint: &answerer_fp,
            setup: Setup::Active,
            max_message_size: 262_144,
        },
        &mut rng,
    );
    let seen_by_offerer = sdp::read(&answer).map_err(|e| format!("answer: {e}"))?;
    if seen_by_offerer.setup != Setup::Active {
        return Err("answer did not take the DTLS client role".into());
    }
    let max_message = seen_by_answerer
        .max_message_size
        .min(seen_by_offerer.max_message_size);
    if max_message != 0 && args.msg as u64 > max_message {
        return Err(format!(
            "--msg exceeds the negotiated max-message-size {max_message}"
        ));
    }
    println!(
        "offer/answer: data-channel m-section, BUNDLE, sctp-port {}, max-message-size {}",
        seen_by_answerer.sctp_port, max_message
    );
    println!("  offerer  fingerprint {}", colon_hex(offerer_fp.digest()));
    println!("  answerer fingerprint {}", colon_hex(answerer_fp.digest()));
    if args.show_sdp {
        println!(
            "--- offer ---\n{}--- answer ---\n{}",
            offer.replace('\r', ""),
            answer.replace('\r', "")
        );
    }

    // 2. The two peers, each checking the other's certificate against the SDP fingerprint.
    // One virtual clock for the whole run: machines are built at its epoch and the harness
    // runs on it, so every instant is an exact offset and the run replays from its seed.
    let clock = muon_netsim::Clock::new();
    let start = clock.now();
    let offerer_dtls = Dtls::new(
        Role::Server,
        DtlsConfig::new(offerer_cert, seen_by_offerer.fingerprints),
        rng.fork(),
        start,
    )
    .map_err(|e| format!("DTLS server setup: {e}"))?;
    let answerer_dtls = Dtls::new(
        Role::Client,
        DtlsConfig::new(answerer_cert, seen_by_answerer.fingerprints),
        rng.fork(),
        start,
    )
    .map_err(|e| format!("DTLS client setup: {e}"))?;
    let mut offerer = Peer::new(
        offerer_dtls,
        Association::server(SctpConfig::default(), rng.fork()),
        true,
        start,
    );
    let answerer = Peer::new(
        answerer_dtls,
        Association::server(SctpConfig::default(), rng.fork()),
        true,
        start,
    );
    offerer.upload = Some(Upload::new(total, args.msg, 1 << 20));

    let mut link = LinkConfig::perfect()
        .with_delay(Duration::from_millis(args.delay_ms))
        .with_jitter(Duration::from_millis(args.jitter_ms))
        .with_loss(if args.loss > 0.0 {
            Loss::Random(args.loss / 100.0)
        } else {
            Loss::None
        });
    if args.rate_mbit > 0 {
        let bps = args.rate_mbit * 1_000_000;
        // Queue of ~100 ms at the bottleneck rate.
        link = link.with_rate(bps, (bps / 80) as usize);
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
    let mut pair =
        Pair::datagram(args.seed, offerer, answerer, link.clone(), link).with_clock(clock);
    let a_expected = total;
    pair.b.inner_mut().download.expected = a_expected;

    // 3. Run: handshake, then the transfer, reporting progress at each tenth.
    let budget = Duration::from_secs(3600);
    let handshake = pair
        .run_until(Duration::from_secs(60), |a, b| {
            a.inner().sctp.is_established() && b.inner().sctp.is_established()
                || a.inner().failure.is_some()
                || b.inner().failure.is_some()
        })
        .map_err(|e| format!("handshake did not complete in 60 virtual seconds: {e:?}"))?;
    check_failures(&pair)?;
    let dtls_ms = ms(pair.b.inner().dtls_connected, start);
    println!(
        "connected: DTLS 1.2 ({:?}) in {dtls_ms} ms, SCTP in {} ms (virtual time)",
        pair.b.inner().cipher_suite,
        ms(Some(handshake), start)
    );

    let interactive = std::io::stdout().is_terminal();
    let mut next_tenth = 1;
    while pair.b.inner().download.finished.is_none() {
        let threshold = total / 10 * next_tenth;
        pair.run_until(budget, |a, b| {
            b.inner().download.bytes >= threshold
                || b.inner().download.finished.is_some()
                || a.inner().failure.is_some()
                || b.inner().failure.is_some()
        })
        .map_err(|e| format!("transfer stalled: {e:?}"))?;
        check_failures(&pair)?;
        let got = pair.b.inner().download.bytes;
        let line = format!(
            "transfer: {:>5.1}% {:>8.1} MiB received, {:.1} s virtual, {:.1} s wall",
            got as f64 * 100.0 / total.max(1) as f64,
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
        next_tenth = (got * 10 / total.max(1) + 1).min(10);
    }
    if interactive {
        println!();
    }

    // 4. Verify and summarise.
    let sent = pair
        .a
        .inner()
        .upload
        .as_ref()
        .map(|u| (u.digest(), u.started));
    let (sent_digest, first_send) = sent.ok_or("the offerer had no upload")?;
    let download = &pair.b.inner().download;
    if download.digest() != sent_digest || download.bytes != total {
        return Err(format!(
            "integrity check FAILED: received {} of {} bytes, SHA-256 {} vs sent {}",
            download.bytes,
            total,
            hex::encode(download.digest()),
            hex::encode(sent_digest)
        ));
    }
    let virtual_secs = match (first_send, download.finished) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => 0.0,
    };
    let net = pair.network().stats();
    let sctp = pair.a.inner().sctp.stats();
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
    println!(
        "network: {} datagrams sent, {} lost, {} delivered; SCTP retransmissions: {}; \
         datagrams refused by the peers: {}",
        net.sent,
        net.dropped_loss,
        net.delivered,
        sctp.data_chunks_retransmitted,
        pair.a.inner().dropped_datagrams() + pair.b.inner().dropped_datagrams()
    );
    Ok(())
}

fn check_failures(pair: &Pair<Addressed<Peer>, Addressed<Peer>>) -> Result<(), String> {
    for (who, peer) in [("offerer", pair.a.inner()), ("answerer", pair.b.inner())] {
        if let Some(f) = &peer.failure {
            return Err(match f {
                Failure::Dtls(r) => format!("{who}: DTLS closed: {r}"),
                Failure::Sctp(r) => format!("{who}: SCTP closed: {r}"),
            });
        }
    }
    Ok(())
}

fn ms(t: Option<Instant>, start: Instant) -> u128 {
    t.map(|t| (t - start).as_millis()).unwrap_or(0)
}

fn rate(mib_per_s: f64) -> String {
    if mib_per_s >= 1.0 {
        format!("{mib_per_s:.1} MiB/s")
    } else {
        format!("{:.1} KiB/s", mib_per_s * 1024.0)
    }
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
