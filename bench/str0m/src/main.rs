//! BENCH-PROTOCOL.md (modes `dc` and `conns`) with str0m: two sans-IO `Rtc` instances per
//! pair, each driven by its own tokio task that owns one UDP socket on 127.0.0.1 (a host
//! candidate added before signaling, so offer and answer are complete: non-trickle, in
//! memory). str0m's default settings otherwise (default crypto backend, aws-lc-rs).
//!
//! Usage: `bench-str0m [dc|conns] [--total BYTES] [--msg BYTES] [--conns N] [--current-thread]`.
//! A human summary goes to stderr; exactly one JSON line goes to stdout, last.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use str0m::channel::ChannelId;
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// The protocol's back-pressure: keep under 1 MiB buffered, resume at 512 KiB.
const HIGH_WATER: usize = MIB;
const LOW_WATER: usize = 512 * KIB;
/// Bounds every wait so a broken run ends with an error instead of hanging.
const DEADLINE: Duration = Duration::from_secs(300);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a peer task reports to the main task.
#[derive(Debug)]
enum Note {
    Open(Instant),
    FirstSend(Instant),
    Done(Instant),
    Pong,
}

/// The application logic of one peer, called from its driver loop.
enum Role {
    /// Mode dc, peer A: sends `total` bytes once told to start.
    Sender {
        total: usize,
        payload: Vec<u8>,
        sent: usize,
        channel: Option<ChannelId>,
        started: bool,
        blocked: bool,
    },
    /// Mode dc, peer B: counts bytes.
    Receiver { total: usize, received: usize },
    /// Mode conns, peer A: pings when open, reports the pong.
    Pinger,
    /// Mode conns, peer B: answers ping with pong.
    Ponger,
}

impl Role {
    fn on_event(&mut self, rtc: &mut Rtc, event: Event, notes: &mpsc::UnboundedSender<Note>) {
        match event {
            Event::ChannelOpen(id, _) => {
                let _ = notes.send(Note::Open(Instant::now()));
                match self {
                    Role::Sender { channel, .. } => {
                        *channel = Some(id);
                        if let Some(mut ch) = rtc.channel(id) {
                            ch.set_buffered_amount_low_threshold(LOW_WATER);
                        }
                    }
                    Role::Pinger => {
                        if let Some(mut ch) = rtc.channel(id) {
                            let _ = ch.write(false, b"ping");
                        }
                    }
                    _ => {}
                }
            }
            Event::ChannelData(d) => match self {
                Role::Receiver { total, received } => {
                    *received += d.data.len();
                    if *received == *total {
                        let _ = notes.send(Note::Done(Instant::now()));
                    }
                }
                Role::Pinger if d.data == b"pong" => {
                    let _ = notes.send(Note::Pong);
                }
                Role::Ponger if d.data == b"ping" => {
                    if let Some(mut ch) = rtc.channel(d.id) {
                        let _ = ch.write(false, b"pong");
                    }
                }
                _ => {}
            },
            Event::ChannelBufferedAmountLow(_) => {
                if let Role::Sender { blocked, .. } = self {
                    *blocked = false;
                }
            }
            _ => {}
        }
    }

    /// Writes as much as back-pressure allows; true if anything was written.
    fn pump(&mut self, rtc: &mut Rtc, notes: &mpsc::UnboundedSender<Note>) -> bool {
        let Role::Sender {
            total,
            payload,
            sent,
            channel: Some(id),
            started: true,
            blocked,
        } = self
        else {
            return false;
        };
        let Some(mut ch) = rtc.channel(*id) else {
            return false;
        };
        let mut wrote = false;
        while *sent < *total {
            let buffered = ch.buffered_amount();
            // Resume on the low event, or when the amount is seen below the low mark.
            if *blocked && buffered > LOW_WATER {
                break;
            }
            let n = payload.len().min(*total - *sent);
            if buffered + n > HIGH_WATER || !matches!(ch.write(true, &payload[..n]), Ok(true)) {
                *blocked = true;
                break;
            }
            *blocked = false;
            if *sent == 0 {
                let _ = notes.send(Note::FirstSend(Instant::now()));
            }
            *sent += n;
            wrote = true;
        }
        wrote
    }
}

/// One peer: its engine, its socket and its role, driven until the process exits.
async fn drive(
    mut rtc: Rtc,
    socket: UdpSocket,
    mut role: Role,
    notes: mpsc::UnboundedSender<Note>,
    mut start: mpsc::UnboundedReceiver<()>,
) -> Result<(), BoxError> {
    let local = socket.local_addr()?;
    let mut buf = vec![0u8; 2048];
    let mut start_open = true;
    loop {
        // str0m's rule: after every input, poll until a timeout comes out.
        let deadline = loop {
            match rtc.poll_output()? {
                Output::Timeout(t) => break t,
                Output::Transmit(t) => {
                    socket.send_to(&t.contents, t.destination).await?;
                }
                Output::Event(e) => role.on_event(&mut rtc, e, &notes),
            }
        };
        if role.pump(&mut rtc, &notes) {
            continue;
        }
        let now = Instant::now();
        if deadline <= now {
            rtc.handle_input(Input::Timeout(now))?;
            continue;
        }
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                let (n, source) = r?;
                let rx = Receive::new(Protocol::Udp, source, local, &buf[..n])?;
                rtc.handle_input(Input::Receive(Instant::now(), rx))?;
            }
            () = tokio::time::sleep_until(deadline.into()) => {
                rtc.handle_input(Input::Timeout(Instant::now()))?;
            }
            s = start.recv(), if start_open => {
                match s {
                    Some(()) => {
                        if let Role::Sender { started, .. } = &mut role {
                            *started = true;
                        }
                    }
                    None => start_open = false,
                }
                rtc.handle_input(Input::Timeout(Instant::now()))?;
            }
        }
    }
}

/// A pair's handles: the start signal for A and the notes of both peers.
struct Pair {
    start: mpsc::UnboundedSender<()>,
    notes_a: mpsc::UnboundedReceiver<Note>,
    notes_b: mpsc::UnboundedReceiver<Note>,
}

async fn peer() -> Result<(Rtc, UdpSocket), BoxError> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let mut rtc = RtcConfig::new().build(Instant::now());
    let cand = Candidate::host(socket.local_addr()?, "udp")?;
    rtc.add_local_candidate(cand)
        .ok_or("str0m refused the host candidate")?;
    Ok((rtc, socket))
}

/// Creates both peers, runs offer/answer in memory and spawns their driver tasks.
async fn spawn_pair(a_role: Role, b_role: Role) -> Result<Pair, BoxError> {
    let (mut a, sock_a) = peer().await?;
    let (mut b, sock_b) = peer().await?;
    let mut change = a.sdp_api();
    change.add_channel("bench".to_owned()); // reliable, ordered
    let (offer, pending) = change.apply().ok_or("no offer")?;
    let answer = b.sdp_api().accept_offer(offer)?;
    a.sdp_api().accept_answer(pending, answer)?;

    let (tx_a, notes_a) = mpsc::unbounded_channel();
    let (tx_b, notes_b) = mpsc::unbounded_channel();
    let (start, start_a) = mpsc::unbounded_channel();
    let (_never, start_b) = mpsc::unbounded_channel();
    tokio::spawn(report(drive(a, sock_a, a_role, tx_a, start_a)));
    tokio::spawn(report(drive(b, sock_b, b_role, tx_b, start_b)));
    Ok(Pair {
        start,
        notes_a,
        notes_b,
    })
}

async fn report(f: impl std::future::Future<Output = Result<(), BoxError>>) {
    if let Err(e) = f.await {
        eprintln!("bench-str0m: peer task ended: {e}");
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Note>, what: &str) -> Result<Note, BoxError> {
    match tokio::time::timeout(DEADLINE, rx.recv()).await {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(format!("peer task ended while waiting for {what}").into()),
        Err(_) => Err(format!("timed out waiting for {what}").into()),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn run_dc(total: usize, msg: usize) -> Result<(), BoxError> {
    if msg == 0 || total == 0 {
        return Err("--total and --msg must be positive".into());
    }
    let t0 = Instant::now();
    let sender = Role::Sender {
        total,
        payload: vec![0u8; msg],
        sent: 0,
        channel: None,
        started: false,
        blocked: false,
    };
    let receiver = Role::Receiver { total, received: 0 };
    let mut pair = spawn_pair(sender, receiver).await?;
    let Note::Open(open_a) = next(&mut pair.notes_a, "open (A)").await? else {
        return Err("unexpected note".into());
    };
    let Note::Open(open_b) = next(&mut pair.notes_b, "open (B)").await? else {
        return Err("unexpected note".into());
    };
    let setup = open_a.max(open_b) - t0;
    pair.start.send(())?;
    let Note::FirstSend(t_first) = next(&mut pair.notes_a, "first send").await? else {
        return Err("unexpected note".into());
    };
    let Note::Done(t_done) = next(&mut pair.notes_b, "the last byte").await? else {
        return Err("unexpected note".into());
    };
    let secs = (t_done - t_first).as_secs_f64();
    let total_mib = total as f64 / MIB as f64;
    let rate = total_mib / secs;
    let peak = status_mib("VmHWM:");
    eprintln!(
        "str0m dc: setup {:.1} ms, {total_mib:.1} MiB in {secs:.3} s = {rate:.1} MiB/s (msg {msg} B), peak RSS {peak:.1} MiB",
        ms(setup)
    );
    println!(
        "{{\"impl\":\"str0m\",\"mode\":\"dc\",\"setup_ms\":{:.2},\"mib_per_s\":{rate:.2},\"total_mib\":{total_mib:.2},\"msg\":{msg},\"peak_rss_mib\":{peak:.2}}}",
        ms(setup)
    );
    Ok(())
}

async fn run_conns(n: usize) -> Result<(), BoxError> {
    if n == 0 {
        return Err("--conns must be positive".into());
    }
    let baseline = status_mib("VmRSS:");
    let t0 = Instant::now();
    let mut waits = Vec::with_capacity(n);
    for _ in 0..n {
        waits.push(tokio::spawn(async {
            let mut pair = spawn_pair(Role::Pinger, Role::Ponger).await?;
            loop {
                if let Note::Pong = next(&mut pair.notes_a, "pong").await? {
                    // Keep the pair's handles alive until the process reads its RSS.
                    return Ok::<Pair, BoxError>(pair);
                }
            }
        }));
    }
    let mut pairs = Vec::with_capacity(n);
    for w in waits {
        pairs.push(w.await??);
    }
    let all_open = t0.elapsed();
    let peak = status_mib("VmHWM:");
    let per_conn = (peak - baseline) * 1024.0 / n as f64;
    eprintln!(
        "str0m conns: {n} pairs open with a ping/pong each in {:.1} ms, peak RSS {peak:.1} MiB (baseline {baseline:.1}), {per_conn:.0} KiB per pair",
        ms(all_open)
    );
    println!(
        "{{\"impl\":\"str0m\",\"mode\":\"conns\",\"conns\":{n},\"all_open_ms\":{:.2},\"peak_rss_mib\":{peak:.2},\"rss_per_conn_kib\":{per_conn:.1}}}",
        ms(all_open)
    );
    drop(pairs);
    Ok(())
}

/// A kB field of /proc/self/status in MiB (0 if unavailable).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// "1234", "64K", "256M" or "1G" (binary units).
fn parse_size(s: &str) -> Result<usize, BoxError> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'K') => (&s[..s.len() - 1], KIB),
        Some(b'M') => (&s[..s.len() - 1], MIB),
        Some(b'G') => (&s[..s.len() - 1], 1024 * MIB),
        _ => (s, 1),
    };
    Ok(num
        .parse::<usize>()
        .map_err(|_| format!("bad size {s:?}"))?
        * mult)
}

struct Args {
    mode: String,
    total: usize,
    msg: usize,
    conns: usize,
    /// All peers on one thread (tokio current-thread runtime) instead of one worker per core.
    current_thread: bool,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args {
        mode: "dc".to_owned(),
        total: 256 * MIB,
        msg: 16384,
        conns: 100,
        current_thread: false,
    };
    let mut it = std::env::args().skip(1).peekable();
    if let Some(m) = it.next_if(|a| !a.starts_with('-')) {
        args.mode = m;
    }
    while let Some(flag) = it.next() {
        if flag == "--current-thread" {
            args.current_thread = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--total" => args.total = parse_size(&value)?,
            "--msg" => args.msg = parse_size(&value)?,
            "--conns" => args.conns = value.parse()?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| {
        let mut builder = if args.current_thread {
            tokio::runtime::Builder::new_current_thread()
        } else {
            tokio::runtime::Builder::new_multi_thread()
        };
        let rt = builder.enable_all().build()?;
        rt.block_on(async {
            match args.mode.as_str() {
                "dc" => run_dc(args.total, args.msg).await,
                "conns" => run_conns(args.conns).await,
                m => Err(format!("unknown mode {m:?} (dc or conns)").into()),
            }
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-str0m: {e}");
            ExitCode::FAILURE
        }
    }
}
