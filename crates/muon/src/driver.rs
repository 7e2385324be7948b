//! The task that owns a peer's sockets and drives its engine: datagrams in, timers,
//! datagrams out, events routed to the API handles.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use muon_proto::Receive;
use muon_rtc::{ChannelState, RtcEvent};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::channel::Message;
use crate::peer::{Core, Inner, PeerEvent, mark_closed};

/// Largest datagram read.
const RECV_BUFFER: usize = 65_536;

/// A message that did not fit its channel's queue: the driver waits for room before taking
/// anything more from the engine (whose SCTP window then closes).
type Stalled = (mpsc::Sender<Message>, Message);

pub(crate) async fn run(
    inner: Arc<Inner>,
    sockets: Vec<UdpSocket>,
    events: mpsc::Sender<PeerEvent>,
) {
    let addrs: Vec<Option<SocketAddr>> = sockets.iter().map(|s| s.local_addr().ok()).collect();
    let mut buf = vec![0u8; RECV_BUFFER];
    let mut stalled: Option<Stalled> = None;
    loop {
        let (transmits, timeout, closed) = {
            let Ok(mut core) = inner.lock() else {
                return;
            };
            let mut out = Vec::new();
            while let Some(t) = core.rtc.poll_transmit() {
                out.push(t);
            }
            if stalled.is_none() {
                while let Some(ev) = core.rtc.poll_event() {
                    if let Some(s) = route(&inner, &mut core, ev, &events) {
                        stalled = Some(s);
                        break;
                    }
                }
            }
            if stalled.is_some() {
                wake_senders_with_room(&mut core, inner.config.send_high_water);
            }
            (out, core.rtc.poll_timeout(), core.closed)
        };
        for t in transmits {
            let socket = addrs
                .iter()
                .position(|a| *a == Some(t.source))
                .and_then(|i| sockets.get(i));
            if let Some(socket) = socket
                && let Err(e) = socket.send_to(&t.contents, t.destination).await
            {
                tracing::debug!(error = %e, "send failed");
            }
        }
        if closed {
            if let Ok(mut core) = inner.lock() {
                for (_, r) in core.routes.drain() {
                    mark_closed(&r.shared);
                }
            }
            return;
        }
        let sleep = async {
            match timeout {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending().await,
            }
        };
        let room = async {
            match &stalled {
                Some((tx, _)) => tx.clone().reserve_owned().await.ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = inner.wake.notified() => {}
            () = sleep => {
                if let Ok(mut core) = inner.lock() {
                    core.rtc.handle_timeout(Instant::now());
                }
            }
            received = recv_any(&sockets, &mut buf) => {
                if let Some((i, n, source)) = received
                    && let (Some(Some(destination)), Some(contents)) = (addrs.get(i), buf.get(..n))
                    && let Ok(mut core) = inner.lock()
                {
                    let rx = Receive { source, destination: *destination, contents };
                    // Refused datagrams are counted in the engine's stats.
                    let _ = core.rtc.handle_receive(Instant::now(), rx);
                }
            }
            permit = room => {
                if let (Some(permit), Some((_, msg))) = (permit, stalled.take()) {
                    permit.send(msg);
                } else {
                    // The receiver is gone: the message has nowhere to go.
                    stalled = None;
                }
            }
        }
    }
}

/// Waits for a datagram on any socket: (socket index, length, source).
async fn recv_any(sockets: &[UdpSocket], buf: &mut [u8]) -> Option<(usize, usize, SocketAddr)> {
    poll_fn(|cx| {
        for (i, s) in sockets.iter().enumerate() {
            let mut rb = ReadBuf::new(buf);
            match s.poll_recv_from(cx, &mut rb) {
                Poll::Ready(Ok(from)) => return Poll::Ready(Some((i, rb.filled().len(), from))),
                // ICMP errors (port unreachable) surface here on some systems: skip them.
                Poll::Ready(Err(_)) => {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Pending => {}
            }
        }
        Poll::Pending
    })
    .await
}

/// While a message waits for room, engine events (the buffered-amount-low wake-ups among
/// them) stay queued behind it. A sender waiting for room must not depend on them: an echo
/// that reads, then sends, would wait on itself. Room is a level, not an edge, so check it.
fn wake_senders_with_room(core: &mut Core, high_water: usize) {
    let Core { rtc, routes, .. } = core;
    for (id, route) in routes.iter() {
        if rtc
            .channel(*id)
            .is_some_and(|ch| ch.buffered_amount() <= high_water)
        {
            route.shared.low.notify_waiters();
        }
    }
}

/// Routes one engine event; returns a message that must wait for room.
fn route(
    inner: &Arc<Inner>,
    core: &mut Core,
    ev: RtcEvent,
    events: &mpsc::Sender<PeerEvent>,
) -> Option<Stalled> {
    let forward = |core: &mut Core, ev: PeerEvent| {
        if events.try_send(ev).is_err() {
            core.dropped_events += 1;
        }
    };
    match ev {
        RtcEvent::ChannelMessage { id, binary, data } => {
            let route = core.routes.get(&id)?;
            match route.tx.try_send(Message { binary, data }) {
                Err(mpsc::error::TrySendError::Full(m)) => return Some((route.tx.clone(), m)),
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        RtcEvent::DataChannel(id) => {
            if let Some(ch) = inner.register(core, id) {
                forward(core, PeerEvent::DataChannel(ch));
            }
        }
        RtcEvent::ChannelOpen(id) => {
            if let Some(r) = core.routes.get(&id) {
                r.shared.state.send_replace(ChannelState::Open);
            }
        }
        RtcEvent::ChannelClosed(id) => {
            if let Some(r) = core.routes.remove(&id) {
                mark_closed(&r.shared);
            }
        }
        RtcEvent::ChannelBufferedAmountLow(id) => {
            if let Some(r) = core.routes.get(&id) {
                r.shared.low.notify_waiters();
            }
        }
        RtcEvent::IceGatheringComplete => {
            inner.gathered.notify_waiters();
            forward(core, PeerEvent::IceGatheringComplete);
        }
        RtcEvent::IceCandidate { candidate, mid } => {
            forward(core, PeerEvent::IceCandidate { candidate, mid });
        }
        RtcEvent::IceConnectionState(s) => forward(core, PeerEvent::IceConnectionState(s)),
        RtcEvent::DtlsState(s) => forward(core, PeerEvent::DtlsState(s)),
        RtcEvent::PeerConnectionState(s) => forward(core, PeerEvent::ConnectionState(s)),
        RtcEvent::SignalingState(s) => forward(core, PeerEvent::SignalingState(s)),
        RtcEvent::Failed(r) => forward(core, PeerEvent::Failed(r)),
        _ => {}
    }
    None
}
