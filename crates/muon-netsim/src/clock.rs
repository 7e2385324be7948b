//! Virtual time.

use std::time::{Duration, Instant};

/// A virtual clock: it starts at an epoch and moves only when told to.
///
/// `std` offers no way to make an [`Instant`] out of nothing, so [`Clock::new`] reads the real
/// clock exactly once to get the epoch. Everything the simulator does depends only on offsets
/// from that epoch, so two runs with the same seed behave identically even though their epochs
/// differ. Use [`Clock::elapsed`] (not the raw `Instant`) in logs you want to compare.
///
/// ```
/// use std::time::Duration;
/// use muon_netsim::Clock;
///
/// let mut clock = Clock::new();
/// assert_eq!(clock.now(), clock.epoch());
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(clock.elapsed(), Duration::from_millis(250));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    epoch: Instant,
    now: Instant,
}

impl Clock {
    /// A clock whose epoch (and current time) is the moment of the call.
    pub fn new() -> Self {
        // The one real clock read of the simulator: std has no other way to obtain an Instant.
        // Nothing depends on its value, only on offsets from it.
        #[allow(clippy::disallowed_methods)]
        let epoch = Instant::now();
        Self::starting_at(epoch)
    }

    /// A clock whose epoch is `epoch`, for callers that already hold an `Instant`.
    pub fn starting_at(epoch: Instant) -> Self {
        Self { epoch, now: epoch }
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The instant the clock started at.
    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Virtual time elapsed since the epoch.
    pub fn elapsed(&self) -> Duration {
        self.now.saturating_duration_since(self.epoch)
    }

    /// Moves the clock forward by `by`.
    ///
    /// # Panics
    ///
    /// If the new time cannot be represented (a test asking for centuries of virtual time).
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Moves the clock to `to`; an instant in the past leaves it unchanged (time never runs
    /// backwards).
    pub fn advance_to(&mut self, to: Instant) {
        if to > self.now {
            self.now = to;
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_and_never_goes_back() {
        let mut c = Clock::new();
        let e = c.epoch();
        c.advance(Duration::from_secs(2));
        assert_eq!(c.now(), e + Duration::from_secs(2));
        c.advance_to(e + Duration::from_secs(1));
        assert_eq!(c.elapsed(), Duration::from_secs(2));
        c.advance_to(e + Duration::from_secs(5));
        assert_eq!(c.elapsed(), Duration::from_secs(5));
    }

    #[test]
    fn starting_at_uses_the_given_epoch() {
        let base = Clock::new().epoch() + Duration::from_secs(9);
        let c = Clock::starting_at(base);
        assert_eq!(c.now(), base);
        assert_eq!(c.elapsed(), Duration::ZERO);
    }
}
