//! What the offering role of a peer checks, and how to judge its reports.

use std::time::Duration;

use crate::error::Result;
use crate::report::{Report, Reports};

/// What an offering peer does after its offer is answered (interop/README.md, "Offering
/// role"): open `control` and [`channels`](Self::channels) echo channels `echo-<i>`, send one
/// text and one binary message of every size on each and check the echo, check that
/// `close-after-first` is closed by the remote after one echo, ask the remote to open
/// [`open`](Self::open) channels `peer-<i>` and check their `hello <i>`, close its echo
/// channels, ask the remote to close the connection, then `DELETE` the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferPlan {
    /// Echo channels besides `control`.
    pub channels: u16,
    /// Message sizes in bytes (each at least 1), each sent as text and as binary.
    pub sizes: Vec<usize>,
    /// Channels the remote is asked to open with `open:<n>:peer`.
    pub open: u16,
    /// Whether to test a `close-after-first` channel.
    pub close_after_first: bool,
    /// Whether to finish with `close-pc`.
    pub close_pc: bool,
    /// How the echo channels are configured.
    pub echo_channels: Reliability,
    /// Bytes to send on a `bulk` channel with back-pressure, checked by SHA-256 (0: none).
    pub bulk: usize,
    /// Size of the bulk transfer's messages (at least 1; the last may be shorter).
    pub bulk_message: usize,
    /// Bound on the whole run, enforced by the peer itself.
    pub timeout: Duration,
}

/// The configuration of a plan's echo channels (RFC 8831 section 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Reliability {
    /// Ordered and reliable (the default channel).
    #[default]
    Reliable,
    /// Unordered, reliable.
    Unordered,
    /// Unordered, no retransmissions (`maxRetransmits: 0`).
    Unreliable,
}

impl Reliability {
    /// The name used by the peers' flags and query.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Reliable => "reliable",
            Self::Unordered => "unordered",
            Self::Unreliable => "unreliable",
        }
    }

    /// `(ordered, maxRetransmits)` as the answering side should see the channel.
    #[must_use]
    pub fn announced(self) -> (bool, Option<u64>) {
        match self {
            Self::Reliable => (true, None),
            Self::Unordered => (false, None),
            Self::Unreliable => (false, Some(0)),
        }
    }
}

impl Default for OfferPlan {
    /// Two echo channels, 1 B to 256 KiB, three remote-opened channels, both close cases.
    fn default() -> Self {
        Self {
            channels: 2,
            sizes: vec![1, 1024, 65_536, 262_144],
            open: 3,
            close_after_first: true,
            close_pc: true,
            echo_channels: Reliability::Reliable,
            bulk: 0,
            bulk_message: 64 << 10,
            timeout: Duration::from_secs(60),
        }
    }
}

impl OfferPlan {
    /// `pion-peer offer` flags for this plan (without `--url`).
    #[must_use]
    pub fn pion_args(&self) -> Vec<String> {
        vec![
            format!("--channels={}", self.channels),
            format!("--sizes={}", self.sizes_list()),
            format!("--open={}", self.open),
            format!("--close-after-first={}", self.close_after_first),
            format!("--close-pc={}", self.close_pc),
            format!("--echo-channels={}", self.echo_channels.name()),
            format!("--bulk={}", self.bulk),
            format!("--bulk-message={}", self.bulk_message),
            format!("--timeout={}ms", self.timeout.as_millis()),
        ]
    }

    /// Query parameters of interop/chromium/peer.html's offering role (without `url`).
    #[must_use]
    pub fn page_query(&self) -> String {
        format!(
            "channels={}&sizes={}&open={}&close_after_first={}&close_pc={}&echo_channels={}&bulk={}&bulk_message={}&timeout_ms={}",
            self.channels,
            self.sizes_list(),
            self.open,
            u8::from(self.close_after_first),
            u8::from(self.close_pc),
            self.echo_channels.name(),
            self.bulk,
            self.bulk_message,
            self.timeout.as_millis()
        )
    }

    fn sizes_list(&self) -> String {
        self.sizes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// How many `check` reports a complete run yields.
    #[must_use]
    pub fn expected_checks(&self) -> usize {
        let channels = usize::from(self.channels);
        let bulk = usize::from(self.bulk > 0);
        let opened = 1 + channels + usize::from(self.close_after_first) + bulk;
        let echoes = channels * self.sizes.len() * 2;
        let close_after_first = 2 * usize::from(self.close_after_first);
        opened
            + echoes
            + close_after_first
            + usize::from(self.open)
            + channels
            + usize::from(self.close_pc)
            + bulk
            + 1 // delete
    }

    /// What is wrong with an offering run, judged from the reports seen up to and including
    /// its `done`: empty when every check passed and none is missing.
    #[must_use]
    pub fn failures(&self, reports: &[Report]) -> Vec<String> {
        let mut problems = Vec::new();
        let checks: Vec<&Report> = reports.iter().filter(|r| r.event() == "check").collect();
        for c in checks.iter().filter(|c| c.bool("ok") != Some(true)) {
            problems.push(format!("failed check: {c}"));
        }
        if checks.len() != self.expected_checks() {
            problems.push(format!(
                "{} checks reported, plan has {}",
                checks.len(),
                self.expected_checks()
            ));
        }
        match reports.iter().find(|r| r.event() == "done") {
            None => problems.push("no `done` report".to_owned()),
            Some(done) => {
                if done.bool("ok") != Some(true) {
                    problems.push(format!("done not ok: {done}"));
                }
                let counted = done.u64("checks").and_then(|n| usize::try_from(n).ok());
                if counted != Some(checks.len()) {
                    problems.push(format!(
                        "done counts {counted:?} checks, {} were reported",
                        checks.len()
                    ));
                }
            }
        }
        problems
    }

    /// The bulk transfer's rate in MB/s from an offerer's `bulk` check, if it passed.
    #[must_use]
    pub fn bulk_rate(reports: &[Report]) -> Option<f64> {
        let check = reports
            .iter()
            .find(|r| r.event() == "check" && r.str("name") == Some("bulk"))?;
        check.bool("ok").filter(|ok| *ok)?;
        check.value().get("mbytes_per_s")?.as_f64()
    }

    /// Waits (each at most `timeout`) for what the answering peer must have reported after a
    /// complete run: `hello-echo` ok on every `peer-<i>`, `channel-closed` for every
    /// `echo-<i>` (closed by the offerer) and `session-deleted`.
    ///
    /// # Errors
    /// [`crate::Error::Timeout`] naming the first report that did not come.
    ///
    /// With [`bulk`](Self::bulk), also its `bulk` report of the byte count; every echo
    /// channel's `channel-open` must carry [`echo_channels`](Self::echo_channels).
    ///
    /// # Panics
    /// When a report contradicts the plan (a wrong hello echo, channel configuration or bulk
    /// count): these are test assertions.
    pub fn expect_answerer_side(&self, answerer: &mut Reports, timeout: Duration) -> Result<()> {
        for i in 0..self.open {
            let label = format!("peer-{i}");
            let r = answerer.expect(timeout, "the answerer's hello-echo", |r| {
                r.is("hello-echo", &label)
            })?;
            assert_eq!(
                r.bool("ok"),
                Some(true),
                "answerer got a wrong echo of its hello: {r}"
            );
        }
        for i in 0..self.channels {
            let label = format!("echo-{i}");
            let open =
                answerer.expect(timeout, "the answerer to see an echo channel open", |r| {
                    r.is("channel-open", &label)
                })?;
            let seen = (open.bool("ordered"), open.u64("max_retransmits"));
            let (ordered, max_retransmits) = self.echo_channels.announced();
            assert_eq!(
                seen,
                (Some(ordered), max_retransmits),
                "answerer saw {label} as {open}"
            );
            answerer.expect(timeout, "the answerer to see an echo channel closed", |r| {
                r.is("channel-closed", &label)
            })?;
        }
        if self.bulk > 0 {
            let r = answerer.expect(timeout, "the answerer's bulk report", |r| {
                r.event() == "bulk"
            })?;
            assert_eq!(
                r.u64("bytes"),
                u64::try_from(self.bulk).ok(),
                "answerer counted {r}"
            );
        }
        answerer.expect(timeout, "the answerer's session-deleted", |r| {
            r.event() == "session-deleted"
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ok: bool) -> Report {
        Report::parse(&format!(r#"{{"event":"check","name":"echo","ok":{ok}}}"#))
    }

    fn done(ok: bool, checks: usize) -> Report {
        Report::parse(&format!(
            r#"{{"event":"done","ok":{ok},"checks":{checks}}}"#
        ))
    }

    #[test]
    fn default_plan_counts_29_checks_as_pion_does() {
        // 4 opens, 2 channels x 4 sizes x 2 kinds, 2 close-after-first, 3 remote opens,
        // 2 local closes, close-pc, delete.
        assert_eq!(
            OfferPlan::default().expected_checks(),
            4 + 16 + 2 + 3 + 2 + 1 + 1
        );
        let bare = OfferPlan {
            channels: 0,
            sizes: vec![],
            open: 0,
            close_after_first: false,
            close_pc: false,
            ..OfferPlan::default()
        };
        assert_eq!(bare.expected_checks(), 2, "open control, delete");
    }

    #[test]
    fn failures_catch_failed_missing_and_miscounted_checks() {
        let plan = OfferPlan {
            channels: 0,
            sizes: vec![],
            open: 0,
            close_after_first: false,
            close_pc: false,
            ..OfferPlan::default()
        };
        assert!(
            plan.failures(&[check(true), check(true), done(true, 2)])
                .is_empty()
        );
        assert_eq!(
            plan.failures(&[check(true), check(false), done(false, 2)])
                .len(),
            2
        );
        assert_eq!(
            plan.failures(&[check(true), done(true, 1)]).len(),
            1,
            "a missing check"
        );
        assert_eq!(
            plan.failures(&[check(true), check(true)]).len(),
            1,
            "no done"
        );
        assert_eq!(
            plan.failures(&[check(true), check(true), done(true, 3)])
                .len(),
            1,
            "done miscounts"
        );
    }

    #[test]
    fn flags_and_query_carry_the_plan() {
        let plan = OfferPlan {
            sizes: vec![1, 5],
            timeout: Duration::from_secs(2),
            close_pc: false,
            echo_channels: Reliability::Unreliable,
            ..OfferPlan::default()
        };
        let with_bulk = OfferPlan {
            bulk: 1 << 20,
            ..plan.clone()
        };
        assert_eq!(
            with_bulk.expected_checks(),
            plan.expected_checks() + 2,
            "open + bulk"
        );
        assert_eq!(
            plan.pion_args(),
            [
                "--channels=2",
                "--sizes=1,5",
                "--open=3",
                "--close-after-first=true",
                "--close-pc=false",
                "--echo-channels=unreliable",
                "--bulk=0",
                "--bulk-message=65536",
                "--timeout=2000ms"
            ]
        );
        assert_eq!(
            plan.page_query(),
            "channels=2&sizes=1,5&open=3&close_after_first=1&close_pc=0&echo_channels=unreliable&bulk=0&bulk_message=65536&timeout_ms=2000"
        );
    }
}
