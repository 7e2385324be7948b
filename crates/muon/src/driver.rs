//! The task that owns a peer's sockets and drives its engine: datagrams in, timers,
//! datagrams out, events routed to the API handles.

use std::sync::Arc;
use std::time::Instant;

use muon_rtc::{ChannelState, RtcEvent};
use tokio::sync::mpsc;

use crate::channel::Message;
use crate::io::PeerIo;
use crate::peer::{Core, Inner, PeerEvent, mark_closed};

/// A message that did not fit its channel's queue: the driver waits for room before taking
/// anything more from the engine (whose SCTP window then closes).
type Stalled = (mpsc::Sender<Message>, Message);

pub(crate) async fn run(inner: Arc<Inner>, mut io: PeerIo, events: mpsc::Sender<PeerEvent>) {
    let mut out = Vec::new();
    let mut stalled: Option<Stalled> = None;
    loop {
        let (timeout, closed) = {
            let Ok(mut core) = inner.lock() else {
                return;
            };
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
            (core.rtc.poll_timeout(), core.closed)
        };
        io.send_all(&mut out).await;
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
            () = io.recv() => {
                if let Ok(mut core) = inner.lock() {
                    let now = Instant::now();
                    // Refused datagrams are counted in the engine's stats.
                    io.for_each_received(|rx| {
                        let _ = core.rtc.handle_receive(now, rx);
                    });
                    // Acknowledgements may have freed the association's send buffer.
                    if std::mem::take(&mut core.wants_room) {
                        inner.room.notify_waiters();
                    }
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
