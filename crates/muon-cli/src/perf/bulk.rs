//! The measuring phases of `muon perf`: pings one at a time, then the bulk transfer on every
//! channel at once with back-pressure, each echoed message checked ([`super::payload`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use muon::{DataChannel, DataChannelSender};
use tokio::task::JoinSet;

use super::PerfError;
use super::payload::{Corrupt, Plan, Seen, SetDigest};

/// Round-trip times of the ping phase, sorted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pings {
    pub(crate) rtts: Vec<Duration>,
}

impl Pings {
    /// The `q`-quantile (nearest rank), `None` without samples.
    pub(crate) fn quantile(&self, q: f64) -> Option<Duration> {
        let n = self.rtts.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
        self.rtts.get(rank - 1).copied()
    }
}

/// Sends `count` small messages one at a time and times each echo.
pub(crate) async fn ping(
    ch: &mut DataChannel,
    count: usize,
    stall: Duration,
) -> Result<Pings, PerfError> {
    let mut rtts = Vec::with_capacity(count);
    for i in 0..count {
        let msg = format!("muon-perf ping {i:08}");
        let t0 = Instant::now();
        ch.send_text(&msg)
            .await
            .map_err(|_| PerfError::ChannelClosed("ping"))?;
        let echo = tokio::time::timeout(stall, ch.recv())
            .await
            .map_err(|_| PerfError::Stalled {
                phase: "ping",
                after: stall,
            })?
            .ok_or(PerfError::ChannelClosed("ping"))?;
        if echo.binary || echo.data != msg.as_bytes() {
            return Err(PerfError::PingCorrupt);
        }
        rtts.push(t0.elapsed());
    }
    rtts.sort_unstable();
    Ok(Pings { rtts })
}

/// Bulk settings shared by every channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BulkConfig {
    /// Whether the channels are reliable (no partial reliability asked).
    pub(crate) reliable: bool,
    /// Whether they deliver in order.
    pub(crate) ordered: bool,
    /// No progress for this long is a failure.
    pub(crate) stall: Duration,
    /// How long to wait for stragglers on an unreliable channel once everything is sent.
    pub(crate) drain: Duration,
}

/// Counters the progress bar reads while the transfer runs.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) sent: AtomicU64,
    pub(crate) echoed: AtomicU64,
}

/// What one channel measured.
#[derive(Debug, Clone)]
pub(crate) struct ChannelResult {
    pub(crate) sent_bytes: u64,
    pub(crate) sent_messages: u64,
    pub(crate) echoed_bytes: u64,
    pub(crate) echoed_messages: u64,
    /// When the last `send` returned, from the start.
    pub(crate) send_time: Duration,
    /// When the last echo arrived, from the start.
    pub(crate) echo_time: Duration,
    /// Whether the two SHA-256 set digests matched (reliable channels).
    pub(crate) digest_match: Option<bool>,
    pub(crate) digest: String,
}

/// Runs the bulk transfer on every channel at once.
pub(crate) async fn bulk(
    channels: Vec<(DataChannel, Plan)>,
    config: BulkConfig,
    progress: Arc<Progress>,
) -> Result<Vec<ChannelResult>, PerfError> {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for (i, (ch, plan)) in channels.into_iter().enumerate() {
        let progress = Arc::clone(&progress);
        set.spawn(async move { (i, one_channel(ch, plan, config, start, progress).await) });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (i, r) = joined.map_err(|_| PerfError::Internal("a bulk task panicked"))?;
        match r {
            Ok(r) => results.push((i, r)),
            Err(e) => {
                set.abort_all();
                return Err(e);
            }
        }
    }
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

async fn one_channel(
    mut ch: DataChannel,
    plan: Plan,
    config: BulkConfig,
    start: Instant,
    progress: Arc<Progress>,
) -> Result<ChannelResult, PerfError> {
    let tx = ch.sender();
    let mut sender = Box::pin(send_all(tx, plan, config.stall, Arc::clone(&progress)));
    let mut sent: Option<(SetDigest, Duration)> = None;
    let mut seen = Seen::new(plan.count());
    let mut scratch = Vec::new();
    let mut digest = SetDigest::default();
    let (mut echoed_bytes, mut echoed_messages, mut next) = (0u64, 0u64, 0u64);
    let mut echo_time = Duration::ZERO;
    loop {
        if echoed_messages == plan.count() && sent.is_some() {
            break;
        }
        // Waiting for echoes: a stall on a reliable channel is a failure; on an unreliable
        // one, silence after everything was sent means the rest was lost.
        let wait = match (&sent, config.reliable) {
            (Some(_), false) => config.drain,
            _ => config.stall,
        };
        tokio::select! {
            done = &mut sender, if sent.is_none() => sent = Some(done?),
            m = tokio::time::timeout(wait, ch.recv()) => {
                let m = match m {
                    Ok(Some(m)) => m,
                    Ok(None) => return Err(PerfError::ChannelClosed("bulk")),
                    Err(_) if sent.is_some() && !config.reliable => break,
                    Err(_) => return Err(PerfError::Stalled { phase: "bulk", after: wait }),
                };
                if !m.binary {
                    return Err(PerfError::Integrity(Corrupt::Header));
                }
                let seq = plan.check(&m.data, &mut scratch).map_err(PerfError::Integrity)?;
                if !seen.insert(seq) {
                    return Err(PerfError::Integrity(Corrupt::Duplicate { seq }));
                }
                if config.ordered && seq < next {
                    return Err(PerfError::Integrity(Corrupt::Order { seq }));
                }
                next = seq + 1;
                digest.add(&m.data);
                echoed_bytes += m.data.len() as u64;
                echoed_messages += 1;
                echo_time = start.elapsed();
                progress.echoed.fetch_add(m.data.len() as u64, Ordering::Relaxed);
            }
        }
    }
    let Some((sent_digest, send_time)) = sent else {
        return Err(PerfError::Internal("bulk receiver ended before its sender"));
    };
    let digest_match = config.reliable.then_some(sent_digest == digest);
    if digest_match == Some(false) {
        return Err(PerfError::DigestMismatch);
    }
    Ok(ChannelResult {
        sent_bytes: (0..plan.count())
            .filter_map(|s| plan.len_of(s))
            .sum::<usize>() as u64,
        sent_messages: plan.count(),
        echoed_bytes,
        echoed_messages,
        send_time,
        echo_time,
        digest_match,
        digest: digest.hex(),
    })
}

/// Sends every message of `plan`, waiting whenever the channel's buffer is full.
async fn send_all(
    tx: DataChannelSender,
    plan: Plan,
    stall: Duration,
    progress: Arc<Progress>,
) -> Result<(SetDigest, Duration), PerfError> {
    let start = Instant::now();
    let mut digest = SetDigest::default();
    for seq in 0..plan.count() {
        let mut msg = Vec::with_capacity(plan.msg);
        plan.fill(seq, &mut msg);
        digest.add(&msg);
        let len = msg.len() as u64;
        let msg = muon::Message {
            binary: true,
            data: msg.into(),
        };
        tokio::time::timeout(stall, crate::serve::send_back(&tx, msg))
            .await
            .map_err(|_| PerfError::Stalled {
                phase: "bulk send",
                after: stall,
            })?
            .map_err(|e| match e {
                muon::Error::ChannelClosed | muon::Error::Closed => {
                    PerfError::ChannelClosed("bulk")
                }
                e => PerfError::Send(e.to_string()),
            })?;
        progress.sent.fetch_add(len, Ordering::Relaxed);
    }
    Ok((digest, start.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let p = Pings {
            rtts: (1..=100).map(Duration::from_millis).collect(),
        };
        assert_eq!(p.quantile(0.0), Some(Duration::from_millis(1)));
        assert_eq!(p.quantile(0.5), Some(Duration::from_millis(50)));
        assert_eq!(p.quantile(0.99), Some(Duration::from_millis(99)));
        assert_eq!(p.quantile(1.0), Some(Duration::from_millis(100)));
        assert_eq!(Pings::default().quantile(0.5), None);
    }
}
