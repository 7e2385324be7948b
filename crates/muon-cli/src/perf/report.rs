//! What `muon perf` prints: a plain summary, or one JSON object with every figure.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::bulk::{BulkConfig, ChannelResult, Pings};

/// Bulk options as run: bytes, message size, channels, config, max retransmits, lifetime.
pub(crate) type BulkOptions = (u64, usize, u16, BulkConfig, Option<u16>, Option<u64>);

/// Everything measured, filled in as the run goes.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) url: String,
    /// From POSTing the offer to every channel open.
    pub(crate) connect: Option<Duration>,
    pub(crate) pings: Option<Pings>,
    pub(crate) bulk_config: Option<BulkOptions>,
    pub(crate) bulk: Option<Vec<ChannelResult>>,
    pub(crate) delete_status: Option<u16>,
    pub(crate) delete_error: Option<String>,
    pub(crate) error: Option<String>,
}

const MIB: f64 = 1024.0 * 1024.0;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rate(bytes: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 { bytes as f64 / MIB / s } else { 0.0 }
}

/// Totals over the channels: sent bytes and messages, echoed bytes and messages, the
/// slowest channel's send and echo times, whether every digest matched.
struct Totals {
    sent_bytes: u64,
    sent_messages: u64,
    echoed_bytes: u64,
    echoed_messages: u64,
    send_time: Duration,
    echo_time: Duration,
    digests: Option<bool>,
}

fn totals(results: &[ChannelResult]) -> Totals {
    Totals {
        sent_bytes: results.iter().map(|r| r.sent_bytes).sum(),
        sent_messages: results.iter().map(|r| r.sent_messages).sum(),
        echoed_bytes: results.iter().map(|r| r.echoed_bytes).sum(),
        echoed_messages: results.iter().map(|r| r.echoed_messages).sum(),
        send_time: results
            .iter()
            .map(|r| r.send_time)
            .max()
            .unwrap_or_default(),
        echo_time: results
            .iter()
            .map(|r| r.echo_time)
            .max()
            .unwrap_or_default(),
        digests: results
            .iter()
            .map(|r| r.digest_match)
            .try_fold(true, |all, m| m.map(|m| all && m)),
    }
}

impl Report {
    pub(crate) fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            ..Self::default()
        }
    }

    fn mode(&self) -> String {
        let Some((_, _, _, c, rtx, life)) = &self.bulk_config else {
            return String::new();
        };
        let order = if c.ordered { "ordered" } else { "unordered" };
        match (rtx, life) {
            (Some(n), _) => format!("{order}, max {n} retransmits"),
            (_, Some(ms)) => format!("{order}, max lifetime {ms} ms"),
            _ => format!("{order}, reliable"),
        }
    }

    /// The human summary.
    pub(crate) fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "muon perf {}", self.url);
        if let Some(c) = self.connect {
            let _ = writeln!(
                s,
                "connected in {:.1} ms (offer posted to channels open)",
                ms(c)
            );
        }
        if let Some(p) = &self.pings
            && let (Some(min), Some(med), Some(p99)) =
                (p.quantile(0.0), p.quantile(0.5), p.quantile(0.99))
        {
            let _ = writeln!(
                s,
                "ping: {} round trips, min {:.3} ms, median {:.3} ms, p99 {:.3} ms",
                p.rtts.len(),
                ms(min),
                ms(med),
                ms(p99)
            );
        }
        if let (Some(results), Some((_, msg, channels, c, _, _))) = (&self.bulk, &self.bulk_config)
        {
            let t = totals(results);
            let _ = writeln!(
                s,
                "bulk: {:.1} MiB on {channels} channel(s), {}, {msg}-byte messages",
                t.sent_bytes as f64 / MIB,
                self.mode()
            );
            let _ = writeln!(
                s,
                "  sent   {:.1} MiB in {:.2} s: {:.1} MiB/s",
                t.sent_bytes as f64 / MIB,
                t.send_time.as_secs_f64(),
                rate(t.sent_bytes, t.send_time)
            );
            let _ = writeln!(
                s,
                "  echoed {:.1} MiB in {:.2} s: {:.1} MiB/s, every byte checked",
                t.echoed_bytes as f64 / MIB,
                t.echo_time.as_secs_f64(),
                rate(t.echoed_bytes, t.echo_time)
            );
            if c.reliable {
                let _ = writeln!(s, "  SHA-256 of sent and echoed messages match");
            } else {
                let lost = t.sent_messages.saturating_sub(t.echoed_messages);
                let _ = writeln!(
                    s,
                    "  lost {lost} of {} messages ({:.2}%), either way",
                    t.sent_messages,
                    100.0 * lost as f64 / t.sent_messages.max(1) as f64
                );
            }
        }
        match (self.delete_status, &self.delete_error) {
            (Some(status), _) => {
                let _ = writeln!(s, "session ended: DELETE answered {status}");
            }
            (None, Some(e)) => {
                let _ = writeln!(s, "session not ended: {e}");
            }
            (None, None) => {}
        }
        s
    }

    /// One JSON object with every figure (`null` for what was not reached).
    pub(crate) fn json(&self) -> Value {
        let ping = self.pings.as_ref().map(|p| {
            json!({
                "count": p.rtts.len(),
                "min_ms": p.quantile(0.0).map(ms),
                "median_ms": p.quantile(0.5).map(ms),
                "p99_ms": p.quantile(0.99).map(ms),
            })
        });
        let bulk = match (&self.bulk, &self.bulk_config) {
            (Some(results), Some((bytes, msg, channels, c, rtx, life))) => {
                let t = totals(results);
                json!({
                    "bytes": bytes,
                    "msg": msg,
                    "channels": channels,
                    "ordered": c.ordered,
                    "reliable": c.reliable,
                    "max_retransmits": rtx,
                    "max_lifetime_ms": life,
                    "sent_bytes": t.sent_bytes,
                    "sent_messages": t.sent_messages,
                    "echoed_bytes": t.echoed_bytes,
                    "echoed_messages": t.echoed_messages,
                    "lost_messages": t.sent_messages.saturating_sub(t.echoed_messages),
                    "send_seconds": t.send_time.as_secs_f64(),
                    "echo_seconds": t.echo_time.as_secs_f64(),
                    "send_mib_per_s": rate(t.sent_bytes, t.send_time),
                    "echo_mib_per_s": rate(t.echoed_bytes, t.echo_time),
                    "sha256_match": t.digests,
                    "per_channel": results.iter().map(|r| json!({
                        "sent_bytes": r.sent_bytes,
                        "echoed_bytes": r.echoed_bytes,
                        "echoed_messages": r.echoed_messages,
                        "echo_mib_per_s": rate(r.echoed_bytes, r.echo_time),
                        "sha256_set_digest": r.digest,
                    })).collect::<Vec<_>>(),
                })
            }
            _ => Value::Null,
        };
        json!({
            "url": self.url,
            "ok": self.error.is_none(),
            "error": self.error,
            "connect_ms": self.connect.map(ms),
            "ping": ping,
            "bulk": bulk,
            "delete_status": self.delete_status,
            "delete_error": self.delete_error,
        })
    }
}
