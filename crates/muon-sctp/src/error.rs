//! The one error type of this crate.

use muon_proto::Truncated;

/// Everything that can go wrong in this crate.
///
/// Peer-caused errors (a malformed or unexpected packet) are returned by
/// [`Association::handle_receive`](crate::Association::handle_receive) for the caller to count
/// and drop; the association itself stays usable. Local errors come from API calls such as
/// [`Association::send`](crate::Association::send).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SctpError {
    /// The packet or a chunk ended before a field it must contain.
    #[error("packet truncated")]
    Truncated,
    /// A chunk's length field is below its header size or runs past the packet.
    #[error("chunk length {0} is invalid")]
    ChunkLength(u16),
    /// A chunk or parameter is malformed in a way its length alone does not show.
    #[error("malformed {0:?} chunk")]
    Malformed(MalformedChunk),
    /// The CRC32c of the packet is wrong.
    #[error("bad checksum")]
    BadChecksum,
    /// The verification tag does not belong to this association.
    #[error("verification tag mismatch")]
    BadVerificationTag,
    /// The packet's ports are not the association's.
    #[error("port mismatch")]
    BadPorts,
    /// A COOKIE-ECHO's MAC does not verify.
    #[error("state cookie MAC does not verify")]
    BadCookie,
    /// A COOKIE-ECHO's cookie has outlived its lifetime.
    #[error("state cookie expired")]
    StaleCookie,
    /// A chunk that is not allowed in the current state or position (e.g. INIT bundled).
    #[error("chunk not allowed here")]
    UnexpectedChunk,
    /// The message is larger than the negotiated maximum message size; it was not queued.
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    MessageTooLarge {
        /// The refused message's size.
        size: usize,
        /// The maximum in force.
        max: usize,
    },
    /// An empty message with a PPID that has no empty variant (SCTP carries no empty DATA).
    #[error("empty message with a PPID that has no empty variant")]
    EmptyMessage,
    /// The send buffer limit ([`Config::max_send_buffer`](crate::Config)) would be exceeded.
    #[error("send buffer full")]
    SendBufferFull,
    /// The stream id is beyond the negotiated number of outbound streams.
    #[error("stream {0} is not open")]
    InvalidStream(u16),
    /// The stream is being reset; wait for the reset to complete before sending on it.
    #[error("stream {0} is being reset")]
    StreamResetting(u16),
    /// The association is closed or shutting down.
    #[error("association is closed or closing")]
    Closed,
}

/// Which kind of chunk or parameter was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedChunk {
    /// A DATA chunk (e.g. without user data).
    Data,
    /// An INIT or INIT-ACK chunk (e.g. a zero initiate tag or zero streams).
    Init,
    /// A SACK chunk.
    Sack,
    /// A RE-CONFIG chunk or one of its parameters.
    ReConfig,
    /// A FORWARD-TSN chunk.
    ForwardTsn,
    /// A parameter inside a chunk.
    Parameter,
}

impl From<Truncated> for SctpError {
    fn from(_: Truncated) -> Self {
        SctpError::Truncated
    }
}
