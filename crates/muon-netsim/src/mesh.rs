//! Any number of machines on a network.

use std::net::SocketAddr;
use std::ops::{Index, IndexMut};
use std::time::{Duration, Instant};

use crate::harness::{Engine, Harness, Nodes, Until, drive};
use crate::{Clock, Machine, Network, RunError};

/// A machine's place in a [`Mesh`], returned by [`Mesh::add`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(usize);

impl NodeId {
    /// The index of the node (the order it was added in, from 0).
    pub fn index(self) -> usize {
        self.0
    }
}

/// Any number of machines on a [`Network`] under a virtual [`Clock`]; the same step loop as
/// [`Pair`](crate::Pair).
///
/// `M` is one machine type; use the default, `Box<dyn Machine>`, to mix types, or an enum to
/// keep typed access. Index the mesh with a [`NodeId`] to reach a machine.
///
/// ```
/// use std::time::Duration;
/// use muon_netsim::{Machine, Mesh, LinkConfig};
/// # use std::time::Instant;
/// # use muon_proto::{Receive, Transmit};
/// # struct Quiet;
/// # impl Machine for Quiet {
/// #     fn handle_receive(&mut self, _: Instant, _: Receive<'_>) {}
/// #     fn handle_timeout(&mut self, _: Instant) {}
/// #     fn poll_transmit(&mut self) -> Option<Transmit> { None }
/// #     fn poll_timeout(&self) -> Option<Instant> { None }
/// # }
///
/// let mut mesh: Mesh = Mesh::new(1);
/// let a = mesh.add(Box::new(Quiet), "192.0.2.1:1000".parse().unwrap());
/// let _b = mesh.add(Box::new(Quiet), "192.0.2.2:1000".parse().unwrap());
/// mesh.network_mut().set_default_link(LinkConfig::lossy(0.01));
/// mesh.run_for(Duration::from_secs(1)).unwrap();
/// assert_eq!(mesh.clock().elapsed(), Duration::from_secs(1));
/// assert_eq!(a.index(), 0);
/// ```
#[derive(Debug)]
pub struct Mesh<M: Machine = Box<dyn Machine>> {
    nodes: Vec<M>,
    engine: Engine,
}

impl<M: Machine> Mesh<M> {
    /// An empty mesh on a fresh network seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            nodes: Vec::new(),
            engine: Engine::new(seed),
        }
    }

    /// Runs on `clock` instead of a fresh one (see [`Pair::with_clock`](crate::Pair::with_clock)).
    pub fn with_clock(mut self, clock: crate::Clock) -> Self {
        self.engine.clock = clock;
        self
    }

    /// Adds a machine reachable at `addr`.
    pub fn add(&mut self, machine: M, addr: SocketAddr) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(machine);
        self.engine.bind(addr, id.0);
        id
    }

    /// Also delivers datagrams addressed to `addr` to `node`. Binding an address already bound
    /// moves it.
    pub fn bind(&mut self, node: NodeId, addr: SocketAddr) {
        self.engine.bind(addr, node.0);
    }

    /// The machine `node`.
    pub fn node(&self, node: NodeId) -> Option<&M> {
        self.nodes.get(node.0)
    }

    /// The machine `node`, mutably.
    pub fn node_mut(&mut self, node: NodeId) -> Option<&mut M> {
        self.nodes.get_mut(node.0)
    }

    /// All machines, in the order added.
    pub fn nodes(&self) -> &[M] {
        &self.nodes
    }

    /// All machines, mutably.
    pub fn nodes_mut(&mut self) -> &mut [M] {
        &mut self.nodes
    }

    /// The virtual clock.
    pub fn clock(&self) -> &Clock {
        &self.engine.clock
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.engine.clock.now()
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.engine.network
    }

    /// The network, to configure links and NATs.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.engine.network
    }

    /// Datagrams delivered to an address no machine is bound to.
    pub fn undeliverable(&self) -> u64 {
        self.engine.undeliverable
    }

    /// Sets the livelock limit (default
    /// [`DEFAULT_MAX_STEPS_PER_INSTANT`](crate::DEFAULT_MAX_STEPS_PER_INSTANT)).
    pub fn set_max_steps_per_instant(&mut self, max: usize) {
        self.engine.max_steps_per_instant = max;
    }

    /// One step at the current instant. Returns whether anything happened.
    pub fn step(&mut self) -> bool {
        self.engine.step(&mut self.nodes)
    }

    /// Runs until `cond(mesh)` holds (checked before every step); see
    /// [`Pair::run_until`](crate::Pair::run_until).
    pub fn run_until(
        &mut self,
        max: Duration,
        cond: impl FnMut(&mut Self) -> bool,
    ) -> Result<Instant, RunError> {
        drive(self, max, Until::Condition, cond)
    }

    /// Runs for `duration` of virtual time. Fails only on a livelock.
    pub fn run_for(&mut self, duration: Duration) -> Result<Instant, RunError> {
        drive(self, duration, Until::Deadline, |_| false)
    }
}

/// `mesh[id]` is the machine `id`.
///
/// # Panics
///
/// If `id` came from another mesh with more nodes; [`Mesh::node`] returns `None` instead.
impl<M: Machine> Index<NodeId> for Mesh<M> {
    type Output = M;
    fn index(&self, node: NodeId) -> &M {
        // A NodeId only comes from `add` on this mesh type, and nodes are never removed.
        &self.nodes[node.0]
    }
}

impl<M: Machine> IndexMut<NodeId> for Mesh<M> {
    fn index_mut(&mut self, node: NodeId) -> &mut M {
        &mut self.nodes[node.0]
    }
}

impl<M: Machine> Nodes for Vec<M> {
    fn count(&self) -> usize {
        self.len()
    }
    fn node(&mut self, i: usize) -> Option<&mut dyn Machine> {
        self.get_mut(i).map(|m| m as &mut dyn Machine)
    }
    fn node_ref(&self, i: usize) -> Option<&dyn Machine> {
        self.get(i).map(|m| m as &dyn Machine)
    }
}

impl<M: Machine> Harness for Mesh<M> {
    fn with_parts<R>(&mut self, f: impl FnOnce(&mut Engine, &mut dyn Nodes) -> R) -> R {
        f(&mut self.engine, &mut self.nodes)
    }

    fn clock(&self) -> &Clock {
        &self.engine.clock
    }
}
