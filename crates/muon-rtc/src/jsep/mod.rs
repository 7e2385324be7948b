//! JSEP ([RFC 8829](https://www.rfc-editor.org/rfc/rfc8829)) for the data channel m-section:
//! the descriptions exchanged, the media sections as a list (the application one is one kind
//! among those media will add), reading remote descriptions and writing local ones.

mod local;
mod remote;

pub(crate) use local::{LocalParams, write_description};
pub(crate) use remote::{RemoteCandidate, RemoteParams, parse_candidate, read_answer, read_offer};

/// `RTCSdpType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// An offer.
    Offer,
    /// An answer (final).
    Answer,
    /// Discards the pending local or remote offer (JSEP section 4.1.10.2).
    Rollback,
}

/// `RTCSessionDescription`: a type and SDP text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionDescription {
    /// Offer, answer or rollback.
    pub kind: SdpType,
    /// The SDP text (empty for a rollback).
    pub sdp: String,
}

impl SessionDescription {
    /// An offer with this SDP.
    pub fn offer(sdp: impl Into<String>) -> Self {
        Self {
            kind: SdpType::Offer,
            sdp: sdp.into(),
        }
    }

    /// An answer with this SDP.
    pub fn answer(sdp: impl Into<String>) -> Self {
        Self {
            kind: SdpType::Answer,
            sdp: sdp.into(),
        }
    }

    /// A rollback.
    pub fn rollback() -> Self {
        Self {
            kind: SdpType::Rollback,
            sdp: String::new(),
        }
    }
}

/// One `m=` section of the negotiated session, in order. Media kinds join this list later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Section {
    /// The data channel section.
    Application {
        /// Its `a=mid`.
        mid: String,
    },
    /// A section the peer offered and we rejected (port 0): kept so later offers keep the
    /// m-line order (JSEP section 5.2.2).
    Rejected {
        mid: String,
        kind: muon_sdp::MediaKind,
        proto: muon_sdp::Proto,
        format: String,
    },
}

impl Section {
    pub(crate) fn mid(&self) -> &str {
        match self {
            Self::Application { mid } | Self::Rejected { mid, .. } => mid,
        }
    }
}
