//! `muon bench`: the project's performance yardstick, following `BENCH-PROTOCOL.md` (kept in
//! bench/README.md) exactly so that its figures compare side by side with the Pion and str0m
//! programs in bench/. Two muon peers in one process on 127.0.0.1, host candidates only,
//! offer/answer exchanged in memory (non-trickle: each side waits for gathering to complete),
//! default [`muon::Config`] otherwise. A human summary goes to stderr; exactly one JSON line
//! goes to stdout, last.
//!
//! - `muon bench dc`: one pair, a reliable ordered channel "bench", `--total` bytes sent as
//!   `--msg`-byte binary messages; reports setup time and throughput.
//! - `muon bench conns --conns N`: N pairs established concurrently, one ping/pong each;
//!   reports the time until all have answered and the resident memory per pair.

mod conns;
mod dc;

use std::time::Duration;

use clap::{Args, ValueEnum};

/// 1 MiB, the protocol's unit of rates and memory.
const MIB: u64 = 1024 * 1024;
/// Bounds every wait so that a broken run ends with an error instead of hanging.
const DEADLINE: Duration = Duration::from_secs(300);

/// Options of `muon bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// What to measure.
    #[arg(value_enum, default_value_t = Mode::Dc)]
    mode: Mode,
    /// Mode dc: bytes to send (suffix K, M or G for binary units).
    #[arg(long, default_value = "256M", value_parser = parse_size)]
    total: u64,
    /// Mode dc: size of each binary message in bytes.
    #[arg(long, default_value = "16384", value_parser = parse_size)]
    msg: u64,
    /// Mode conns: connection pairs established at once.
    #[arg(long, default_value_t = 100)]
    conns: usize,
    /// Runs every peer on one thread (tokio's current-thread runtime) instead of one worker
    /// per core; the str0m program has the same switch.
    #[arg(long)]
    current_thread: bool,
}

/// The protocol's modes (media follows once muon carries media).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// One pair, bulk transfer on one data channel.
    Dc,
    /// Many pairs at once, one ping/pong each.
    Conns,
}

/// Runs the benchmark on a multi-threaded tokio runtime (one worker per core, as Pion's
/// goroutines and the str0m program get), or on one thread with `--current-thread`.
pub(crate) fn run(args: &BenchArgs) -> Result<(), String> {
    let mut builder = if args.current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let rt = builder
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    rt.block_on(async {
        match args.mode {
            Mode::Dc => dc::run(args.total, args.msg).await,
            Mode::Conns => conns::run(args.conns).await,
        }
    })
}

/// Reads "1234", "64K", "256M" or "1G" (binary units); zero is refused.
fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'K') => (s.trim_end_matches('K'), 1024),
        Some(b'M') => (s.trim_end_matches('M'), MIB),
        Some(b'G') => (s.trim_end_matches('G'), 1024 * MIB),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("bad size {s:?} (a positive number, optional K, M or G)"))
}

/// A kB field of /proc/self/status (`VmHWM:` peak resident set, `VmRSS:` current) in MiB;
/// 0 where /proc is unavailable.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Milliseconds of a duration, as the protocol reports times.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Awaits `f` for at most [`DEADLINE`], naming what was awaited on timeout.
async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(DEADLINE, f)
        .await
        .map_err(|_| format!("timed out waiting for {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("16384"), Ok(16384));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("256M"), Ok(256 * MIB));
        assert_eq!(parse_size("1G"), Ok(1024 * MIB));
        assert!(parse_size("0").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }

    #[test]
    fn own_peak_rss_is_read() {
        // Linux only, where the protocol runs: the test process has a resident set.
        let rss = status_mib("VmRSS:");
        assert!(rss > 0.0);
        // Read after: the peak is at least any resident size seen before.
        assert!(status_mib("VmHWM:") >= rss);
        assert!(status_mib("NoSuchField:").abs() < f64::EPSILON);
    }
}
