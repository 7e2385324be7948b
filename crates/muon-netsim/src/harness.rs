//! The step loop shared by [`Pair`](crate::Pair) and [`Mesh`](crate::Mesh).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use muon_proto::Receive;

use crate::{Clock, Machine, Network, RunError};

/// Default limit on the steps a harness takes at one virtual instant before it reports
/// [`RunError::Livelock`].
pub const DEFAULT_MAX_STEPS_PER_INSTANT: usize = 10_000;

/// Most datagrams taken from one machine per step; the rest wait for the next step, so a
/// machine that never stops transmitting ends in [`RunError::Livelock`] instead of a hang.
pub const MAX_TRANSMITS_PER_STEP: usize = 100_000;

/// A set of machines the engine can step, by index.
pub(crate) trait Nodes {
    fn count(&self) -> usize;
    fn node(&mut self, i: usize) -> Option<&mut dyn Machine>;
    fn node_ref(&self, i: usize) -> Option<&dyn Machine>;
}

/// Clock, network and address table: everything of a harness but its machines.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) clock: Clock,
    pub(crate) network: Network,
    routes: BTreeMap<SocketAddr, usize>,
    pub(crate) undeliverable: u64,
    pub(crate) max_steps_per_instant: usize,
}

impl Engine {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            clock: Clock::new(),
            network: Network::new(seed),
            routes: BTreeMap::new(),
            undeliverable: 0,
            max_steps_per_instant: DEFAULT_MAX_STEPS_PER_INSTANT,
        }
    }

    pub(crate) fn bind(&mut self, addr: SocketAddr, node: usize) {
        self.routes.insert(addr, node);
    }

    /// One step at the current instant: transmits into the network, due datagrams into the
    /// machines, due timeouts fired. Returns whether anything happened.
    pub(crate) fn step(&mut self, nodes: &mut dyn Nodes) -> bool {
        let now = self.clock.now();
        let mut did = false;
        for i in 0..nodes.count() {
            let Some(m) = nodes.node(i) else { continue };
            for _ in 0..MAX_TRANSMITS_PER_STEP {
                let Some(t) = m.poll_transmit() else { break };
                self.network.send(now, t);
                did = true;
            }
        }
        while let Some(t) = self.network.poll_deliver(now) {
            did = true;
            let target = self.routes.get(&t.destination).copied();
            match target.and_then(|i| nodes.node(i)) {
                Some(m) => m.handle_receive(
                    now,
                    Receive {
                        source: t.source,
                        destination: t.destination,
                        contents: &t.contents,
                    },
                ),
                None => self.undeliverable += 1,
            }
        }
        for i in 0..nodes.count() {
            let Some(m) = nodes.node(i) else { continue };
            if m.poll_timeout().is_some_and(|t| t <= now) {
                m.handle_timeout(now);
                did = true;
            }
        }
        did
    }

    /// The earliest future event: a delivery or a machine's timeout.
    fn next_event(&self, nodes: &dyn Nodes) -> Option<Instant> {
        let timeouts = (0..nodes.count()).filter_map(|i| nodes.node_ref(i)?.poll_timeout());
        timeouts.chain(self.network.next_delivery()).min()
    }

    fn livelock(&self, nodes: &dyn Nodes) -> RunError {
        let now = self.clock.now();
        let node = (0..nodes.count()).find(|&i| {
            nodes
                .node_ref(i)
                .and_then(|m| m.poll_timeout())
                .is_some_and(|t| t <= now)
        });
        RunError::Livelock {
            elapsed: self.clock.elapsed(),
            node,
        }
    }
}

/// What [`drive`] needs from a harness: its engine and machines, borrowed together.
pub(crate) trait Harness {
    fn with_parts<R>(&mut self, f: impl FnOnce(&mut Engine, &mut dyn Nodes) -> R) -> R;
    fn clock(&self) -> &Clock;
}

/// What to do when the deadline comes with the condition still false, or nothing is left.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// `run_until`: report `TimedOut` / `Stalled`.
    Condition,
    /// `run_for`: simply stop at the deadline.
    Deadline,
}

/// What one round of the loop decided.
enum Round {
    /// Keep going.
    Continue,
    /// Nothing left to happen.
    Stalled,
    /// Clock moved to the deadline with nothing due before it.
    Deadline,
    /// Too many steps at one instant.
    Livelock(RunError),
}

/// The step loop: step while anything happens; when idle, jump the clock to the next event
/// (or the deadline). Checks `cond` before every step.
pub(crate) fn drive<H: Harness>(
    h: &mut H,
    max: Duration,
    mode: Until,
    mut cond: impl FnMut(&mut H) -> bool,
) -> Result<Instant, RunError> {
    // A `max` too large to represent is no deadline at all.
    let deadline = h.clock().now().checked_add(max);
    let mut steps_here = 0usize;
    loop {
        if mode == Until::Condition && cond(h) {
            return Ok(h.clock().now());
        }
        let round = h.with_parts(|engine, nodes| {
            if engine.step(nodes) {
                steps_here += 1;
                if steps_here > engine.max_steps_per_instant {
                    return Round::Livelock(engine.livelock(nodes));
                }
                return Round::Continue;
            }
            steps_here = 0;
            match (engine.next_event(nodes), deadline) {
                (Some(t), None) => {
                    engine.clock.advance_to(t);
                    Round::Continue
                }
                (Some(t), Some(d)) if t <= d => {
                    engine.clock.advance_to(t);
                    Round::Continue
                }
                (None, _) if mode == Until::Condition => Round::Stalled,
                (_, Some(d)) => {
                    engine.clock.advance_to(d);
                    Round::Deadline
                }
                // run_for without a representable deadline and nothing left: stop here.
                (None, None) => Round::Deadline,
            }
        });
        match round {
            Round::Continue => {}
            Round::Livelock(e) => return Err(e),
            Round::Stalled => {
                return Err(RunError::Stalled {
                    elapsed: h.clock().elapsed(),
                });
            }
            Round::Deadline => {
                if mode == Until::Deadline || cond(h) {
                    return Ok(h.clock().now());
                }
                return Err(RunError::TimedOut {
                    elapsed: h.clock().elapsed(),
                });
            }
        }
    }
}
