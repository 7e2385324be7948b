//! Counters: what was sent, received, retransmitted, and what was dropped and why.

/// Counters of an association, from [`Association::stats`](crate::Association::stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Packets handed out by `poll_transmit`.
    pub packets_sent: u64,
    /// Packets given to `handle_receive` that passed checksum and tag checks.
    pub packets_received: u64,
    /// DATA chunks sent for the first time.
    pub data_chunks_sent: u64,
    /// DATA chunks sent again (fast retransmit, T3-rtx, or with a COOKIE-ECHO that T1
    /// sent again).
    pub data_chunks_retransmitted: u64,
    /// DATA chunks (first sends and repeats) bundled with a COOKIE-ECHO (RFC 9260 section
    /// 5.1 D), a round trip before the handshake completes.
    pub data_chunks_with_cookie_echo: u64,
    /// SACK chunks sent.
    pub sacks_sent: u64,
    /// Fast retransmit decisions (three miss indications).
    pub fast_retransmits: u64,
    /// T3-rtx expirations.
    pub t3_expirations: u64,
    /// Messages handed to `send`.
    pub messages_sent: u64,
    /// Messages delivered with `poll_event`.
    pub messages_received: u64,
    /// Messages abandoned under partial reliability.
    pub messages_abandoned: u64,
    /// Dropped: checksum wrong.
    pub dropped_bad_checksum: u64,
    /// Dropped: verification tag or ports wrong.
    pub dropped_bad_tag: u64,
    /// Dropped: malformed packet or chunk.
    pub dropped_malformed: u64,
    /// Dropped: a state cookie whose MAC failed or that expired.
    pub dropped_bad_cookie: u64,
    /// Dropped: chunk not valid in the current state (e.g. DATA before the handshake).
    pub dropped_unexpected: u64,
    /// Dropped: chunk types we do not implement.
    pub dropped_unknown_chunks: u64,
    /// Received DATA chunks that were duplicates.
    pub duplicate_tsns_received: u64,
    /// Dropped: DATA or FORWARD-TSN too far ahead of the cumulative TSN.
    pub dropped_out_of_window: u64,
    /// Dropped: DATA that did not fit the receive buffer.
    pub dropped_receive_buffer_full: u64,
    /// Dropped: a reassembled message larger than `max_message_size` (or inconsistent
    /// fragments).
    pub dropped_bad_message: u64,
}
