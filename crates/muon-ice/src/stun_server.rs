//! A minimal STUN Binding responder ([RFC 8489 section 6.3](https://www.rfc-editor.org/rfc/rfc8489#section-6.3)),
//! sans-IO: enough to test server-reflexive gathering, and a building block for servers.

use std::collections::VecDeque;
use std::time::Instant;

use muon_proto::{Receive, Transmit};
use muon_stun::{Class, Message, Method, is_stun};

use crate::error::IceError;
use crate::wire;

/// Most answers queued before new requests are dropped.
pub const STUN_SERVER_MAX_QUEUED: usize = 1024;

/// Answers every well-formed Binding request with its source as XOR-MAPPED-ADDRESS, from the
/// address the request arrived at. Holds no per-client state.
#[derive(Debug, Default)]
pub struct StunServer {
    queue: VecDeque<Transmit>,
    answered: u64,
    dropped: u64,
}

impl StunServer {
    /// A new responder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one datagram: a Binding request is answered; anything else is dropped (and an
    /// error returned for the caller to count).
    pub fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) -> Result<(), IceError> {
        let result = Self::answer(rx);
        match result {
            Ok(bytes) if self.queue.len() < STUN_SERVER_MAX_QUEUED => {
                self.answered += 1;
                self.queue.push_back(Transmit {
                    source: rx.destination,
                    destination: rx.source,
                    contents: bytes,
                });
                Ok(())
            }
            Ok(_) => {
                self.dropped += 1;
                Ok(())
            }
            Err(e) => {
                self.dropped += 1;
                Err(e)
            }
        }
    }

    fn answer(rx: Receive<'_>) -> Result<Vec<u8>, IceError> {
        if !is_stun(rx.contents) {
            return Err(IceError::Unexpected);
        }
        let msg = Message::decode(rx.contents)?;
        if msg.method() != Method::BINDING || msg.class() != Class::Request {
            return Err(IceError::Unexpected);
        }
        Ok(wire::success(msg.transaction_id(), rx.source, None)?)
    }

    /// The next answer to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.queue.pop_front()
    }

    /// Requests answered.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    /// Datagrams dropped (not a Binding request, malformed, or queue full).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use muon_proto::Rng;
    use muon_stun::TransactionId;

    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)] // a test needs some instant; the responder ignores it
    fn answers_binding_requests_with_the_source_address() {
        let mut server = StunServer::new();
        let now = Instant::now();
        let txid = TransactionId::random(&mut Rng::from_seed([1; 32]));
        let req = wire::server_request(txid).unwrap();
        let client = "203.0.113.9:40000".parse().unwrap();
        let me = "198.51.100.1:3478".parse().unwrap();
        fn rx<'a>(
            c: &'a [u8],
            client: std::net::SocketAddr,
            me: std::net::SocketAddr,
        ) -> Receive<'a> {
            Receive {
                source: client,
                destination: me,
                contents: c,
            }
        }
        server.handle_receive(now, rx(&req, client, me)).unwrap();
        let t = server.poll_transmit().unwrap();
        assert_eq!((t.source, t.destination), (me, client));
        let m = Message::decode(&t.contents).unwrap();
        assert_eq!(m.transaction_id(), txid);
        assert_eq!(m.xor_mapped_address(), Some(client));
        assert!(
            server
                .handle_receive(now, rx(b"garbage", client, me))
                .is_err()
        );
        assert!(
            server
                .handle_receive(now, rx(&t.contents, client, me))
                .is_err()
        );
        assert_eq!((server.answered(), server.dropped()), (1, 2));
    }
}
