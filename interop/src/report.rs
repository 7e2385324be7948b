//! What peers report: one JSON object per line (Pion's stdout) or per `POST /report` (the
//! Chromium page), each with an `event` field. The vocabulary is in interop/README.md.

use std::fmt;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::Value;

use crate::deadline::Deadline;
use crate::error::{Error, Result};

/// One report from a peer.
#[derive(Debug, Clone, PartialEq)]
pub struct Report(Value);

/// The reports of one peer as they arrive, with everything seen so far kept for inspection
/// and printed to stderr (the test output shows the whole exchange when a test fails).
#[derive(Debug)]
pub struct Reports {
    peer: &'static str,
    source: Receiver<String>,
    seen: Vec<Report>,
}

impl Report {
    /// Parses one line; a line that is not a JSON object becomes `{"event":"unparsed",...}`.
    #[must_use]
    pub fn parse(line: &str) -> Self {
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => Self(v),
            _ => Self(serde_json::json!({ "event": "unparsed", "line": line })),
        }
    }

    /// The `event` field (`check`, `done`, `hello-echo`, ...), empty when missing.
    #[must_use]
    pub fn event(&self) -> &str {
        self.str("event").unwrap_or_default()
    }

    /// A string field.
    #[must_use]
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A boolean field.
    #[must_use]
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    /// An unsigned integer field.
    #[must_use]
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.0.get(key).and_then(Value::as_u64)
    }

    /// The whole object.
    #[must_use]
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// Whether this is `event` about channel `label`.
    #[must_use]
    pub fn is(&self, event: &str, label: &str) -> bool {
        self.event() == event && self.str("label") == Some(label)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Reports {
    pub(crate) fn new(peer: &'static str, source: Receiver<String>) -> Self {
        Self {
            peer,
            source,
            seen: Vec::new(),
        }
    }

    /// Everything received so far, in order.
    #[must_use]
    pub fn seen(&self) -> &[Report] {
        &self.seen
    }

    /// Waits at most `timeout` for the next report.
    ///
    /// # Errors
    /// [`Error::Timeout`] naming `what`; [`Error::Exited`] when the peer can send no more.
    pub fn next(&mut self, timeout: Duration, what: &'static str) -> Result<Report> {
        self.receive(Deadline::after(timeout), what)
    }

    /// The first report, already seen or arriving within `timeout`, that matches `pred`.
    ///
    /// # Errors
    /// As [`Reports::next`].
    pub fn expect(
        &mut self,
        timeout: Duration,
        what: &'static str,
        pred: impl Fn(&Report) -> bool,
    ) -> Result<Report> {
        if let Some(r) = self.seen.iter().find(|r| pred(r)) {
            return Ok(r.clone());
        }
        let deadline = Deadline::after(timeout);
        loop {
            let r = self.receive(deadline, what)?;
            if pred(&r) {
                return Ok(r);
            }
        }
    }

    /// The offering role's final `done` report.
    ///
    /// # Errors
    /// As [`Reports::next`].
    pub fn done(&mut self, timeout: Duration) -> Result<Report> {
        self.expect(timeout, "the offerer's `done` report", |r| {
            r.event() == "done"
        })
    }

    fn receive(&mut self, deadline: Deadline, what: &'static str) -> Result<Report> {
        match self.source.recv_timeout(deadline.left()) {
            Ok(line) => {
                let r = Report::parse(&line);
                eprintln!("[{}] {r}", self.peer);
                self.seen.push(r.clone());
                Ok(r)
            }
            Err(RecvTimeoutError::Timeout) => Err(deadline.timeout(what)),
            Err(RecvTimeoutError::Disconnected) => Err(Error::Exited {
                program: self.peer,
                status: None,
                what: what.into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn parse_fields_and_unparsed_lines() {
        let r = Report::parse(
            r#"{"event":"check","name":"echo","ok":true,"size":262144,"label":"echo-0"}"#,
        );
        assert_eq!(r.event(), "check");
        assert_eq!(
            (r.str("name"), r.bool("ok"), r.u64("size")),
            (Some("echo"), Some(true), Some(262_144))
        );
        assert!(r.is("check", "echo-0") && !r.is("check", "echo-1"));
        for junk in ["LISTENING http://x", "[1,2]", "", "{\"event\":"] {
            let r = Report::parse(junk);
            assert_eq!((r.event(), r.str("line")), ("unparsed", Some(junk)));
        }
    }

    #[test]
    fn expect_finds_earlier_reports_and_skips_to_later_ones() {
        let (tx, rx) = mpsc::channel();
        let mut reports = Reports::new("test", rx);
        for line in [r#"{"event":"a"}"#, r#"{"event":"b"}"#, r#"{"event":"c"}"#] {
            tx.send(line.to_owned()).unwrap();
        }
        let t = Duration::from_secs(1);
        assert_eq!(
            reports
                .expect(t, "b", |r| r.event() == "b")
                .unwrap()
                .event(),
            "b"
        );
        assert_eq!(
            reports
                .expect(t, "a", |r| r.event() == "a")
                .unwrap()
                .event(),
            "a"
        );
        assert_eq!(reports.next(t, "next").unwrap().event(), "c");
        let err = reports
            .expect(Duration::from_millis(50), "d", |r| r.event() == "d")
            .unwrap_err();
        assert!(
            matches!(err, Error::Timeout { ref what, .. } if what == "d"),
            "{err}"
        );
        drop(tx);
        assert!(matches!(reports.next(t, "more"), Err(Error::Exited { .. })));
        assert_eq!(reports.seen().len(), 3);
    }
}
