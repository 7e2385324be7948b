//! Connection states as the W3C WebRTC specification names them.

pub use muon_ice::IceConnectionState;

/// `RTCSignalingState` ([JSEP, RFC 8829 section 3.2](https://www.rfc-editor.org/rfc/rfc8829#section-3.2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalingState {
    /// No offer/answer exchange in progress.
    Stable,
    /// A local offer was applied; waiting for the answer.
    HaveLocalOffer,
    /// A remote offer was applied; an answer is due.
    HaveRemoteOffer,
    /// The connection is closed.
    Closed,
}

/// `RTCDtlsTransportState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsTransportState {
    /// Not started.
    New,
    /// Handshaking.
    Connecting,
    /// Handshake done, peer certificate matched the SDP fingerprint.
    Connected,
    /// Closed by either side (close_notify).
    Closed,
    /// Failed: a handshake error or a certificate that does not match the fingerprint.
    Failed,
}

/// `RTCPeerConnectionState`: the aggregate of the ICE and DTLS states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerConnectionState {
    /// Nothing started.
    New,
    /// ICE checking or DTLS handshaking.
    Connecting,
    /// ICE and DTLS connected.
    Connected,
    /// ICE lost connectivity (consent not refreshed); may recover.
    Disconnected,
    /// ICE or DTLS failed (including consent expiry, RFC 7675).
    Failed,
    /// Closed, locally or by the peer.
    Closed,
}

impl PeerConnectionState {
    /// The W3C aggregation rule, for one ICE transport and one DTLS transport.
    pub(crate) fn aggregate(
        closed: bool,
        ice: IceConnectionState,
        dtls: DtlsTransportState,
    ) -> Self {
        use IceConnectionState as I;
        if closed || dtls == DtlsTransportState::Closed {
            return Self::Closed;
        }
        if ice == I::Failed || dtls == DtlsTransportState::Failed {
            return Self::Failed;
        }
        if ice == I::Disconnected {
            return Self::Disconnected;
        }
        if matches!(ice, I::Connected | I::Completed) && dtls == DtlsTransportState::Connected {
            return Self::Connected;
        }
        if ice == I::New && dtls == DtlsTransportState::New {
            return Self::New;
        }
        Self::Connecting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DtlsTransportState as D;
    use IceConnectionState as I;

    #[test]
    fn aggregation_follows_the_w3c_table() {
        let agg = |i, d| PeerConnectionState::aggregate(false, i, d);
        assert_eq!(agg(I::New, D::New), PeerConnectionState::New);
        assert_eq!(agg(I::Checking, D::New), PeerConnectionState::Connecting);
        assert_eq!(
            agg(I::Connected, D::Connecting),
            PeerConnectionState::Connecting
        );
        assert_eq!(
            agg(I::Connected, D::Connected),
            PeerConnectionState::Connected
        );
        assert_eq!(
            agg(I::Completed, D::Connected),
            PeerConnectionState::Connected
        );
        assert_eq!(
            agg(I::Disconnected, D::Connected),
            PeerConnectionState::Disconnected
        );
        assert_eq!(agg(I::Failed, D::Connected), PeerConnectionState::Failed);
        assert_eq!(agg(I::Connected, D::Failed), PeerConnectionState::Failed);
        assert_eq!(agg(I::Connected, D::Closed), PeerConnectionState::Closed);
        assert_eq!(
            PeerConnectionState::aggregate(true, I::Connected, D::Connected),
            PeerConnectionState::Closed
        );
    }
}
