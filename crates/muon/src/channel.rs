//! [`DataChannel`]: async send with back-pressure, `recv`, and a `Stream` of messages.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use muon_rtc::{ChannelId, ChannelState, Limit, RtcError};
use tokio::sync::{Notify, mpsc, watch};

use crate::error::Error;
use crate::peer::Inner;

/// A message received on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Binary (`true`) or text (`false`).
    pub binary: bool,
    /// The bytes.
    pub data: Bytes,
}

impl Message {
    /// The text of a text message (`None` for binary messages or invalid UTF-8).
    pub fn text(&self) -> Option<&str> {
        if self.binary {
            None
        } else {
            std::str::from_utf8(&self.data).ok()
        }
    }
}

/// What the driver and a [`DataChannel`] share.
#[derive(Debug)]
pub(crate) struct ChannelShared {
    pub(crate) id: ChannelId,
    pub(crate) label: String,
    pub(crate) protocol: String,
    pub(crate) ordered: bool,
    pub(crate) max_retransmits: Option<u16>,
    pub(crate) max_packet_lifetime: Option<Duration>,
    pub(crate) state: watch::Sender<ChannelState>,
    /// Woken when the buffered amount falls low, and when the channel closes.
    pub(crate) low: Notify,
}

/// One data channel of a [`crate::PeerConnection`] (`RTCDataChannel`).
///
/// `send` waits while more than [`crate::Config::send_high_water`] bytes are queued: a
/// producer faster than the network is slowed down instead of filling memory. Messages come
/// from [`recv`](Self::recv) or the `Stream` implementation; `None` once the channel closed.
///
/// Each channel buffers [`crate::Config::channel_queue`] received messages. When that fills,
/// the driver stops taking messages from the connection until the application reads: the
/// peer's sender is slowed down through SCTP's window, and the other channels of the
/// connection wait too (one association carries them all). Read every channel you keep.
pub struct DataChannel {
    pub(crate) inner: Arc<Inner>,
    pub(crate) shared: Arc<ChannelShared>,
    pub(crate) rx: mpsc::Receiver<Message>,
}

impl fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataChannel")
            .field("id", &self.shared.id)
            .field("label", &self.shared.label)
            .field("state", &self.state())
            .finish()
    }
}

impl DataChannel {
    /// The engine's id of this channel.
    pub fn id(&self) -> ChannelId {
        self.shared.id
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.shared.label
    }

    /// The sub-protocol.
    pub fn protocol(&self) -> &str {
        &self.shared.protocol
    }

    /// Whether delivery is in order.
    pub fn ordered(&self) -> bool {
        self.shared.ordered
    }

    /// `maxRetransmits`, when the channel is partially reliable by retransmission count.
    pub fn max_retransmits(&self) -> Option<u16> {
        self.shared.max_retransmits
    }

    /// `maxPacketLifeTime`, when the channel is partially reliable by message age.
    pub fn max_packet_lifetime(&self) -> Option<Duration> {
        self.shared.max_packet_lifetime
    }

    /// The current state.
    pub fn state(&self) -> ChannelState {
        *self.shared.state.borrow()
    }

    /// Waits until the channel is open; fails if it closes first.
    pub async fn opened(&self) -> Result<(), Error> {
        let mut state = self.shared.state.subscribe();
        let s = state
            .wait_for(|s| *s != ChannelState::Connecting)
            .await
            .map_err(|_| Error::ChannelClosed)?;
        if *s == ChannelState::Open {
            Ok(())
        } else {
            Err(Error::ChannelClosed)
        }
    }

    /// Sends a binary message, waiting first for the channel to open and for room below the
    /// high-water mark.
    pub async fn send(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        self.sender().send(data).await
    }

    /// Sends a text message.
    pub async fn send_text(&self, text: &str) -> Result<(), Error> {
        self.sender().send_text(text).await
    }

    /// A cloneable handle that sends on this channel, for a task of its own while this one
    /// receives.
    pub fn sender(&self) -> DataChannelSender {
        DataChannelSender {
            inner: Arc::clone(&self.inner),
            shared: Arc::clone(&self.shared),
        }
    }

    /// The next message; `None` once the channel is closed and drained.
    pub async fn recv(&mut self) -> Option<Message> {
        self.rx.recv().await
    }

    /// Bytes queued and not yet sent.
    pub fn buffered_amount(&self) -> usize {
        self.inner.lock().map_or(0, |mut core| {
            core.rtc
                .channel(self.shared.id)
                .map_or(0, |c| c.buffered_amount())
        })
    }

    /// Closes the channel (both directions of its stream are reset; queued messages go first).
    pub fn close(&self) {
        if let Ok(mut core) = self.inner.lock()
            && let Some(mut ch) = core.rtc.channel(self.shared.id)
        {
            ch.close();
        }
        self.inner.wake.notify_one();
    }

    /// Waits until the channel is closed.
    pub async fn closed(&self) {
        let mut state = self.shared.state.subscribe();
        let _ = state.wait_for(|s| *s == ChannelState::Closed).await;
    }
}

/// The sending half of a [`DataChannel`], from [`DataChannel::sender`].
#[derive(Clone)]
pub struct DataChannelSender {
    inner: Arc<Inner>,
    shared: Arc<ChannelShared>,
}

impl fmt::Debug for DataChannelSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataChannelSender")
            .field("id", &self.shared.id)
            .finish()
    }
}

impl DataChannelSender {
    async fn opened(&self) -> Result<(), Error> {
        let mut state = self.shared.state.subscribe();
        let s = state
            .wait_for(|s| *s != ChannelState::Connecting)
            .await
            .map_err(|_| Error::ChannelClosed)?;
        if *s == ChannelState::Open {
            Ok(())
        } else {
            Err(Error::ChannelClosed)
        }
    }

    /// Sends a binary message, waiting first for the channel to open and for room below the
    /// high-water mark.
    pub async fn send(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        self.send_message(true, data.into()).await
    }

    /// Sends a text message.
    pub async fn send_text(&self, text: &str) -> Result<(), Error> {
        self.send_message(false, Bytes::copy_from_slice(text.as_bytes()))
            .await
    }

    async fn send_message(&self, binary: bool, data: Bytes) -> Result<(), Error> {
        self.opened().await?;
        let high_water = self.inner.config.send_high_water;
        loop {
            let low = self.shared.low.notified();
            let room = self.inner.room.notified();
            tokio::pin!(low, room);
            low.as_mut().enable();
            room.as_mut().enable();
            {
                let mut core = self.inner.lock()?;
                let mut ch = core
                    .rtc
                    .channel(self.shared.id)
                    .ok_or(Error::ChannelClosed)?;
                if ch.state() != ChannelState::Open {
                    return Err(Error::ChannelClosed);
                }
                if ch.buffered_amount() <= high_water {
                    let sent = if binary {
                        ch.send(data.clone())
                    } else {
                        ch.send_text(std::str::from_utf8(&data).unwrap_or_default())
                    };
                    match sent {
                        // The association's send buffer (all channels, in flight included)
                        // is full: wait for acknowledgements instead of failing.
                        Err(RtcError::Limit(Limit::ChannelBuffer)) => core.wants_room = true,
                        sent => {
                            drop(core);
                            self.inner.wake.notify_one();
                            return sent.map_err(|e| match e {
                                RtcError::ChannelNotOpen => Error::ChannelClosed,
                                e => Error::Rtc(e),
                            });
                        }
                    }
                }
            }
            tokio::select! {
                () = low => {}
                () = room => {}
            }
        }
    }
}

impl futures_core::Stream for DataChannel {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.rx.poll_recv(cx)
    }
}
