//! A bounded wait: every blocking call in the harness takes one.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use crate::error::Error;

/// A point in time a wait must not pass, remembering the budget it was made from so that a
/// timeout can say how long it waited.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub(crate) fn after(budget: Duration) -> Self {
        Self {
            at: Instant::now() + budget,
            budget,
        }
    }

    /// Time left, zero once passed.
    pub(crate) fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// [`Error::Timeout`] naming `what`.
    pub(crate) fn timeout(&self, what: impl Into<Cow<'static, str>>) -> Error {
        Error::timeout(what, self.budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_shrinks_to_zero_and_timeout_names_the_budget() {
        let d = Deadline::after(Duration::from_millis(30));
        assert!(d.left() <= Duration::from_millis(30) && d.left() > Duration::ZERO);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(d.left(), Duration::ZERO);
        let e = d.timeout("the thing");
        assert_eq!(e.to_string(), "timed out after 30ms waiting for the thing");
    }
}
