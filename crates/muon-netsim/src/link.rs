//! One direction of a link: configuration and the per-packet impairment model.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use muon_proto::Rng;

use crate::stats::Stats;

/// Default one-way delay of [`LinkConfig::default`]: small but non-zero, so that two chatty
/// machines cannot ping-pong forever at a single virtual instant and round-trip estimates
/// are never zero. Use [`LinkConfig::with_delay`]`(Duration::ZERO)` for an instantaneous link.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(1);

/// Default [`LinkConfig::mtu`]: the largest UDP payload IPv4 can carry, i.e. no limit in
/// practice.
pub const DEFAULT_MTU: usize = 65_507;

/// Default [`LinkConfig::queue_bytes`]: the bottleneck buffer when a rate limit is set.
pub const DEFAULT_QUEUE_BYTES: usize = 64 * 1024;

/// Default [`LinkConfig::reorder_delay`]: the extra delay of a packet chosen for reordering.
pub const DEFAULT_REORDER_DELAY: Duration = Duration::from_millis(10);

/// How packets are lost on a link.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Loss {
    /// No random loss.
    #[default]
    None,
    /// Each packet is lost independently with this probability (clamped to `[0, 1]`; NaN
    /// counts as 0).
    Random(f64),
    /// The Gilbert-Elliott two-state model, for bursty loss. Before each packet the channel
    /// may change state (good to bad with `p_good_to_bad`, bad to good with `p_bad_to_good`);
    /// the packet is then lost with the loss probability of the state it is in.
    ///
    /// In the classic "Gilbert" setting (`loss_good = 0`, `loss_bad = 1`), bursts of loss last
    /// `1 / p_bad_to_good` packets on average and the long-run loss rate is
    /// `p_good_to_bad / (p_good_to_bad + p_bad_to_good)`.
    GilbertElliott {
        /// Probability of moving from the good to the bad state, per packet.
        p_good_to_bad: f64,
        /// Probability of moving from the bad to the good state, per packet.
        p_bad_to_good: f64,
        /// Loss probability in the good state.
        loss_good: f64,
        /// Loss probability in the bad state.
        loss_bad: f64,
    },
}

impl Loss {
    /// Classic Gilbert loss (lossless good state, always-lossy bad state) with the given
    /// long-run loss `rate` and mean burst length `mean_burst` (in datagrams, at least 1):
    /// `p_bad_to_good = 1 / mean_burst`, `p_good_to_bad = rate * p_bad_to_good / (1 - rate)`.
    /// A `rate` of 1 or more loses everything.
    pub fn gilbert(rate: f64, mean_burst: f64) -> Self {
        if rate.is_nan() || rate <= 0.0 {
            return Self::None;
        }
        if rate >= 1.0 {
            return Self::Random(1.0);
        }
        let p_bad_to_good = 1.0 / mean_burst.max(1.0);
        Self::GilbertElliott {
            p_good_to_bad: (rate * p_bad_to_good / (1.0 - rate)).min(1.0),
            p_bad_to_good,
            loss_good: 0.0,
            loss_bad: 1.0,
        }
    }
}

/// The shape of the per-packet extra delay drawn from `[0, jitter]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JitterDistribution {
    /// Uniform over `[0, jitter]`.
    #[default]
    Uniform,
    /// Normal with mean `jitter / 2` and standard deviation `jitter / 6`, clamped to
    /// `[0, jitter]` (the clamp touches about 0.3 % of draws).
    Normal,
}

/// The impairments of one direction of a link.
///
/// [`LinkConfig::default`] is a perfect link: [`DEFAULT_DELAY`] one-way delay, no jitter, no
/// loss, no duplication, no reordering, no rate limit, [`DEFAULT_MTU`]. Build others with the
/// `with_*` helpers:
///
/// ```
/// use std::time::Duration;
/// use muon_netsim::{LinkConfig, Loss};
///
/// let cfg = LinkConfig::lossy(0.05)
///     .with_delay(Duration::from_millis(40))
///     .with_jitter(Duration::from_millis(5))
///     .with_rate(2_000_000, 32 * 1024)
///     .with_mtu(1200);
/// assert_eq!(cfg.loss, Loss::Random(0.05));
/// ```
///
/// The path of a datagram through a link, in order: MTU check (oversize is dropped), the
/// rate-limited bottleneck queue (drop-tail when full), random loss, then propagation
/// `delay` plus jitter, reordering and duplication. Lost packets did use the bottleneck, as on
/// a real path where loss happens after the queue.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LinkConfig {
    /// One-way propagation delay. (A delay so large that the arrival time cannot be
    /// represented as an `Instant` counts as loss.)
    pub delay: Duration,
    /// Upper bound of the extra per-packet delay; drawn per packet from
    /// [`jitter_distribution`](LinkConfig::jitter_distribution). Jitter never reorders: a packet
    /// is held back so it arrives no earlier than its predecessor on the link (unless that
    /// predecessor was picked for reordering), so arrivals always lie within
    /// `[departure + delay, departure + delay + jitter]`.
    pub jitter: Duration,
    /// The distribution of the jitter.
    pub jitter_distribution: JitterDistribution,
    /// The loss model.
    pub loss: Loss,
    /// Probability that a delivered datagram arrives twice (the copy arrives right after it).
    pub duplicate: f64,
    /// Probability that a datagram is held back by an extra
    /// [`reorder_delay`](LinkConfig::reorder_delay), letting later ones overtake it.
    pub reorder: f64,
    /// The extra delay of a datagram picked for reordering.
    pub reorder_delay: Duration,
    /// Bottleneck rate in bits per second (payload bytes times 8); `None` for unlimited.
    /// `Some(0)` is treated as 1 bit/s.
    pub rate_bps: Option<u64>,
    /// Bottleneck buffer in bytes, counting the datagram being serialized. A datagram that
    /// would make it overflow is dropped (drop-tail). Only used with a rate limit. Zero-length
    /// datagrams count as one byte.
    pub queue_bytes: usize,
    /// Largest datagram payload the link carries; longer ones are dropped.
    pub mtu: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            delay: DEFAULT_DELAY,
            jitter: Duration::ZERO,
            jitter_distribution: JitterDistribution::Uniform,
            loss: Loss::None,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: DEFAULT_REORDER_DELAY,
            rate_bps: None,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            mtu: DEFAULT_MTU,
        }
    }
}

impl LinkConfig {
    /// A perfect link ([`LinkConfig::default`]).
    pub fn perfect() -> Self {
        Self::default()
    }

    /// A perfect link that loses each datagram independently with probability `p`.
    pub fn lossy(p: f64) -> Self {
        Self::default().with_loss(Loss::Random(p))
    }

    /// A link that delivers nothing (a cut cable, a partition).
    pub fn down() -> Self {
        Self::lossy(1.0)
    }

    /// Sets the one-way delay.
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets the jitter bound (uniformly distributed unless changed).
    #[must_use]
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the jitter distribution.
    #[must_use]
    pub fn with_jitter_distribution(mut self, distribution: JitterDistribution) -> Self {
        self.jitter_distribution = distribution;
        self
    }

    /// Sets the loss model.
    #[must_use]
    pub fn with_loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Sets the duplication probability.
    #[must_use]
    pub fn with_duplicate(mut self, p: f64) -> Self {
        self.duplicate = p;
        self
    }

    /// Sets the reordering probability and the extra delay of reordered datagrams.
    #[must_use]
    pub fn with_reorder(mut self, p: f64, extra_delay: Duration) -> Self {
        self.reorder = p;
        self.reorder_delay = extra_delay;
        self
    }

    /// Sets a bottleneck rate (bits per second) and its buffer size in bytes.
    #[must_use]
    pub fn with_rate(mut self, rate_bps: u64, queue_bytes: usize) -> Self {
        self.rate_bps = Some(rate_bps);
        self.queue_bytes = queue_bytes;
        self
    }

    /// Sets the MTU (largest datagram payload in bytes).
    #[must_use]
    pub fn with_mtu(mut self, mtu: usize) -> Self {
        self.mtu = mtu;
        self
    }
}

/// Why a link dropped a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkDrop {
    Mtu,
    Queue,
    Loss,
}

/// Where and when a datagram that survived the link arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrival {
    pub(crate) at: Instant,
    /// A second copy arrives at `at` too (right after the first).
    pub(crate) duplicate: bool,
    pub(crate) reordered: bool,
}

/// The mutable state of one direction of a link.
#[derive(Debug)]
pub(crate) struct LinkState {
    rng: Rng,
    /// Gilbert-Elliott: currently in the bad state.
    bad: bool,
    /// Datagrams in the bottleneck: (time their serialization ends, bytes).
    backlog: VecDeque<(Instant, usize)>,
    backlog_bytes: usize,
    /// When the bottleneck finishes its last accepted datagram.
    busy_until: Option<Instant>,
    /// Arrival time of the last in-order datagram, for keeping FIFO under jitter.
    last_arrival: Option<Instant>,
    pub(crate) stats: Stats,
}

impl LinkState {
    pub(crate) fn new(rng: Rng) -> Self {
        Self {
            rng,
            bad: false,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            busy_until: None,
            last_arrival: None,
            stats: Stats::default(),
        }
    }

    /// Runs a datagram of `len` bytes, sent at `now`, through the link.
    pub(crate) fn transmit(
        &mut self,
        cfg: &LinkConfig,
        now: Instant,
        len: usize,
    ) -> Result<Arrival, LinkDrop> {
        if len > cfg.mtu {
            return Err(LinkDrop::Mtu);
        }
        let departure = self.serialize(cfg, now, len)?;
        if self.lose(&cfg.loss) {
            return Err(LinkDrop::Loss);
        }
        let jitter = self.jitter(cfg);
        let reordered = chance(&mut self.rng, cfg.reorder);
        let extra = if reordered {
            cfg.reorder_delay
        } else {
            Duration::ZERO
        };
        // A delay beyond what `Instant` can represent means the datagram never arrives.
        let mut at = departure
            .checked_add(cfg.delay)
            .and_then(|t| t.checked_add(jitter))
            .and_then(|t| t.checked_add(extra))
            .ok_or(LinkDrop::Loss)?;
        if !reordered {
            // Held back by its predecessor: jitter alone never reorders. (A reordered datagram
            // is exempt from this, so later datagrams may overtake it.)
            if let Some(last) = self.last_arrival {
                at = at.max(last);
            }
            self.last_arrival = Some(at);
        }
        let duplicate = chance(&mut self.rng, cfg.duplicate);
        Ok(Arrival {
            at,
            duplicate,
            reordered,
        })
    }

    /// The bottleneck: returns when the datagram has been fully serialized, or drops it if the
    /// buffer is full.
    fn serialize(
        &mut self,
        cfg: &LinkConfig,
        now: Instant,
        len: usize,
    ) -> Result<Instant, LinkDrop> {
        let Some(rate) = cfg.rate_bps else {
            self.backlog.clear();
            self.backlog_bytes = 0;
            self.busy_until = None;
            return Ok(now);
        };
        while let Some(&(done, bytes)) = self.backlog.front() {
            if done > now {
                break;
            }
            self.backlog.pop_front();
            self.backlog_bytes -= bytes;
        }
        let cost = len.max(1);
        if self.backlog_bytes.saturating_add(cost) > cfg.queue_bytes {
            return Err(LinkDrop::Queue);
        }
        let start = self.busy_until.map_or(now, |b| b.max(now));
        let done = start
            .checked_add(serialization_time(len, rate))
            .ok_or(LinkDrop::Queue)?;
        self.busy_until = Some(done);
        self.backlog.push_back((done, cost));
        self.backlog_bytes += cost;
        Ok(done)
    }

    fn lose(&mut self, loss: &Loss) -> bool {
        match *loss {
            Loss::None => false,
            Loss::Random(p) => chance(&mut self.rng, p),
            Loss::GilbertElliott {
                p_good_to_bad,
                p_bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let flip = if self.bad {
                    p_bad_to_good
                } else {
                    p_good_to_bad
                };
                if chance(&mut self.rng, flip) {
                    self.bad = !self.bad;
                }
                chance(&mut self.rng, if self.bad { loss_bad } else { loss_good })
            }
        }
    }

    fn jitter(&mut self, cfg: &LinkConfig) -> Duration {
        if cfg.jitter.is_zero() {
            return Duration::ZERO;
        }
        let max = cfg.jitter.as_secs_f64();
        let x = match cfg.jitter_distribution {
            JitterDistribution::Uniform => self.rng.unit_f64() * max,
            JitterDistribution::Normal => max / 2.0 + standard_normal(&mut self.rng) * max / 6.0,
        };
        Duration::from_secs_f64(x.clamp(0.0, max)).min(cfg.jitter)
    }
}

/// True with probability `p` (clamped to `[0, 1]`, NaN counts as 0). Draws nothing for 0.
fn chance(rng: &mut Rng, p: f64) -> bool {
    if p.is_nan() || p <= 0.0 {
        return false;
    }
    rng.unit_f64() < p
}

/// A standard normal draw (Box-Muller).
fn standard_normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - rng.unit_f64(); // (0, 1], so ln is finite
    let u2 = rng.unit_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// How long `len` bytes take at `rate_bps`, rounded up to the nanosecond.
pub(crate) fn serialization_time(len: usize, rate_bps: u64) -> Duration {
    let bits = (len as u128) * 8 * 1_000_000_000;
    let rate = u128::from(rate_bps.max(1));
    let nanos = bits.div_ceil(rate);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;

    fn rng() -> Rng {
        Rng::from_seed([9; 32])
    }

    #[test]
    fn serialization_time_is_exact() {
        assert_eq!(serialization_time(125, 1_000_000), Duration::from_millis(1));
        assert_eq!(
            serialization_time(1, 3),
            Duration::from_nanos(2_666_666_667)
        );
        assert_eq!(serialization_time(0, 1000), Duration::ZERO);
    }

    #[test]
    fn gilbert_parameters_follow_from_rate_and_burst() {
        let Loss::GilbertElliott {
            p_good_to_bad,
            p_bad_to_good,
            ..
        } = Loss::gilbert(0.2, 4.0)
        else {
            panic!("not GE");
        };
        assert!((p_bad_to_good - 0.25).abs() < 1e-12);
        // Stationary loss p_gb / (p_gb + p_bg) is the requested rate.
        assert!((p_good_to_bad / (p_good_to_bad + p_bad_to_good) - 0.2).abs() < 1e-12);
        assert_eq!(Loss::gilbert(0.0, 3.0), Loss::None);
        assert_eq!(Loss::gilbert(1.0, 3.0), Loss::Random(1.0));
    }

    #[test]
    fn chance_extremes() {
        let mut r = rng();
        for _ in 0..100 {
            assert!(!chance(&mut r, 0.0));
            assert!(!chance(&mut r, f64::NAN));
            assert!(chance(&mut r, 1.0));
            assert!(chance(&mut r, 7.0));
        }
    }

    #[test]
    fn bottleneck_spaces_departures_and_drops_tail() {
        let now = Clock::new().now();
        let cfg = LinkConfig::default()
            .with_delay(Duration::ZERO)
            .with_rate(8_000, 300); // 1 byte per ms
        let mut link = LinkState::new(rng());
        let a = link.transmit(&cfg, now, 100).unwrap();
        let b = link.transmit(&cfg, now, 100).unwrap();
        let c = link.transmit(&cfg, now, 100).unwrap();
        assert_eq!(a.at, now + Duration::from_millis(100));
        assert_eq!(b.at, now + Duration::from_millis(200));
        assert_eq!(c.at, now + Duration::from_millis(300));
        assert_eq!(link.transmit(&cfg, now, 1), Err(LinkDrop::Queue));
        // Once the first has left the buffer, there is room again.
        let later = now + Duration::from_millis(100);
        assert_eq!(
            link.transmit(&cfg, later, 100).unwrap().at,
            now + Duration::from_millis(400)
        );
    }

    #[test]
    fn unrepresentable_delays_are_loss_not_panics() {
        let now = Clock::new().now();
        let mut link = LinkState::new(rng());
        let forever = LinkConfig::default().with_delay(Duration::MAX);
        assert_eq!(link.transmit(&forever, now, 10), Err(LinkDrop::Loss));
        let reorder = LinkConfig::default().with_reorder(1.0, Duration::MAX);
        assert_eq!(link.transmit(&reorder, now, 10), Err(LinkDrop::Loss));
        let slow = LinkConfig::default().with_rate(0, usize::MAX);
        assert!(link.transmit(&slow, now, 65_000).is_ok()); // 6 days at 1 bit/s
    }

    #[test]
    fn normal_jitter_stays_in_bounds_and_centres() {
        let now = Clock::new().now();
        let j = Duration::from_millis(30);
        let cfg = LinkConfig::default()
            .with_delay(Duration::ZERO)
            .with_jitter(j)
            .with_jitter_distribution(JitterDistribution::Normal);
        let mut link = LinkState::new(rng());
        let mut sum = 0.0;
        let n = 5000;
        for _ in 0..n {
            let d = link.jitter(&cfg);
            assert!(d <= j);
            sum += d.as_secs_f64();
        }
        let mean = sum / f64::from(n);
        assert!((mean - 0.015).abs() < 0.0005, "mean {mean}");
        let _ = now;
    }
}
