//! The handshake state machine (RFC 5246 section 7.3 flights as DTLS sends them, RFC 6347
//! section 4.2.4). One state per point of the exchange; each consumes itself into the next.
//!
//! ```text
//!   Client                                   Server
//!   ClientHello               -------->                      (flight 1)
//!                             <--------   HelloVerifyRequest (flight 2, stateless)
//!   ClientHello + cookie      -------->                      (flight 3)
//!                                         ServerHello        (flight 4)
//!                                         Certificate
//!                                         ServerKeyExchange
//!                                         CertificateRequest
//!                             <--------   ServerHelloDone
//!   Certificate                                              (flight 5)
//!   ClientKeyExchange
//!   CertificateVerify
//!   [ChangeCipherSpec]
//!   Finished                  -------->
//!                                         [ChangeCipherSpec] (flight 6)
//!                             <--------   Finished
//! ```
//!
//! Without the cookie exchange ([`Config::cookie_exchange`](crate::Config) off, RFC 6347
//! section 4.2.1) flights 2 and 3 are skipped: the server answers the first ClientHello with
//! flight 4, whose ServerHello then has message_seq 0.

pub(crate) mod client;
pub(crate) mod server;
#[cfg(test)]
mod tests;

use crate::auth::PeerAuthenticated;
use crate::error::{DtlsError, Misbehavior};
use crate::session::Session;
use crate::srtp::SrtpProfile;
use crate::wire::extensions::Extensions;
use crate::wire::handshake::HandshakeType;

/// One message of an outgoing flight, kept for retransmission. Records are rebuilt (with
/// fresh sequence numbers and fragmentation) at each transmission.
#[derive(Debug, Clone)]
pub(crate) enum OutMessage {
    ChangeCipherSpec,
    Handshake {
        epoch: u16,
        msg_type: HandshakeType,
        seq: u16,
        body: Vec<u8>,
    },
}

/// Where the handshake is.
#[derive(Debug)]
pub(crate) enum State {
    ClientHelloSent(client::HelloSent),
    ClientServerFlight(client::ServerFlight),
    ClientWaitFinished(client::WaitFinished),
    /// A server before any ClientHello it accepts (one with a valid cookie, or any one
    /// without the cookie exchange): holds nothing but its secret.
    ServerListen,
    ServerClientFlight(server::ClientFlight),
    Established(Established),
    Closed,
}

/// The connection after the handshake. Holding the proof token is what makes SRTP keys and
/// the exporter reachable.
#[derive(Debug)]
pub(crate) struct Established {
    pub(crate) session: Session,
    pub(crate) auth: PeerAuthenticated,
    pub(crate) srtp: Option<SrtpProfile>,
}

/// The extension rules both hellos of an initial handshake must follow: extended master
/// secret is required (RFC 7627 section 5.2, and our policy), and renegotiation_info, when
/// present, is empty (RFC 5746 section 3.4 and 3.6).
fn check_initial_hello_extensions(ext: &Extensions) -> Result<(), DtlsError> {
    if !ext.extended_master_secret {
        return Err(DtlsError::PeerMisbehaved(
            Misbehavior::MissingExtendedMasterSecret,
        ));
    }
    if ext
        .renegotiation_info
        .as_ref()
        .is_some_and(|i| !i.is_empty())
    {
        return Err(DtlsError::PeerMisbehaved(
            Misbehavior::MissingRenegotiationInfo,
        ));
    }
    Ok(())
}
