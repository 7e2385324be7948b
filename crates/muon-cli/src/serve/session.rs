//! The sessions of `muon serve`: one task per peer connection that echoes every data channel
//! the remote opens, and the table that finds a session by its id for `DELETE`.
//!
//! A session ends when it is deleted, when its connection fails or closes (the remote closed
//! it, or consent expired: RFC 7675), or when it has not connected within the connect
//! timeout. Whichever way, its task drops the peer connection and removes the table entry.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use muon::{DataChannel, PeerConnection, PeerConnectionState, PeerEvent};
use tokio::sync::Notify;
use tracing::Instrument;

/// An unguessable session id: 128 random bits, written as 32 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SessionId([u8; 16]);

impl SessionId {
    /// A fresh random id.
    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// Parses the hex form; `None` for anything else.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(s, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The live sessions, each with the signal that ends it.
#[derive(Debug)]
pub(crate) struct Sessions {
    table: Mutex<HashMap<SessionId, Arc<Notify>>>,
    /// Most sessions at once; further offers get `503`.
    max: usize,
    /// How long a session may take to connect before it is dropped.
    connect_timeout: Duration,
}

/// Why a session could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

impl Sessions {
    /// An empty table.
    pub(crate) fn new(max: usize, connect_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            table: Mutex::new(HashMap::new()),
            max,
            connect_timeout,
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, Arc<Notify>>> {
        // The table holds no invariant a panicking holder could break half-way.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Number of live sessions.
    pub(crate) fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether session `id` is live.
    pub(crate) fn contains(&self, id: SessionId) -> bool {
        self.table().contains_key(&id)
    }

    /// Whether one more session fits.
    pub(crate) fn has_room(&self) -> bool {
        self.len() < self.max
    }

    /// Registers `pc` under `id` and spawns its task.
    pub(crate) fn start(self: &Arc<Self>, id: SessionId, pc: PeerConnection) -> Result<(), Full> {
        let stop = Arc::new(Notify::new());
        {
            let mut table = self.table();
            if table.len() >= self.max {
                return Err(Full);
            }
            table.insert(id, Arc::clone(&stop));
        }
        let span = tracing::info_span!("session", %id);
        let guard = Remove {
            sessions: Arc::clone(self),
            id,
        };
        tokio::spawn(run(pc, stop, self.connect_timeout, guard).instrument(span));
        Ok(())
    }

    /// Ends the session `id`; `false` when there is none.
    pub(crate) fn stop(&self, id: SessionId) -> bool {
        match self.table().remove(&id) {
            Some(stop) => {
                stop.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Removes a session's entry when its task ends, however it ends.
struct Remove {
    sessions: Arc<Sessions>,
    id: SessionId,
}

impl Drop for Remove {
    fn drop(&mut self) {
        self.sessions.table().remove(&self.id);
    }
}

/// One session: routes events until the session ends, echoing every remote channel.
async fn run(mut pc: PeerConnection, stop: Arc<Notify>, connect_timeout: Duration, _g: Remove) {
    tracing::info!("session started");
    let deadline = tokio::time::sleep(connect_timeout);
    tokio::pin!(deadline);
    let mut connected = false;
    let why = loop {
        tokio::select! {
            () = stop.notified() => break "deleted",
            () = &mut deadline, if !connected => break "not connected in time",
            ev = pc.next_event() => match ev {
                None => break "connection gone",
                Some(PeerEvent::DataChannel(ch)) => {
                    tracing::info!(label = ch.label(), ordered = ch.ordered(), "channel opened");
                    tokio::spawn(echo(ch).in_current_span());
                }
                Some(PeerEvent::ConnectionState(state)) => {
                    tracing::debug!(?state, "connection state");
                    match state {
                        PeerConnectionState::Connected => connected = true,
                        PeerConnectionState::Failed => break "connection failed",
                        PeerConnectionState::Closed => break "closed by the peer",
                        _ => {}
                    }
                }
                Some(PeerEvent::Failed(reason)) => {
                    tracing::info!(?reason, "transport failed");
                    break "transport failed";
                }
                Some(_) => {}
            },
        }
    };
    pc.close().await;
    tracing::info!(why, "session ended");
}

/// Sends every message back unchanged on its channel (text as text, binary as binary) until
/// the channel closes.
async fn echo(mut ch: DataChannel) {
    let tx = ch.sender();
    while let Some(m) = ch.recv().await {
        if send_back(&tx, m).await.is_err() {
            break;
        }
    }
    tracing::debug!(label = ch.label(), "channel ended");
}

/// Sends `m` back as it came: text as text, binary as binary, waiting for room.
pub(crate) async fn send_back(
    tx: &muon::DataChannelSender,
    m: muon::Message,
) -> Result<(), muon::Error> {
    if m.binary {
        tx.send(m.data).await
    } else {
        tx.send_text(&String::from_utf8_lossy(&m.data)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_hex_and_differ() {
        let a = SessionId::random().unwrap();
        let b = SessionId::random().unwrap();
        assert_ne!(a, b);
        let text = a.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(SessionId::parse(&text), Some(a));
        assert_eq!(SessionId::parse("xyz"), None);
        assert_eq!(SessionId::parse(&text[..30]), None);
    }
}
