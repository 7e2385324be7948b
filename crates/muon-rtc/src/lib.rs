//! The sans-IO PeerConnection engine of muon (placeholder: issue 6).
//!
//! Will own: RFC 7983 demultiplexing of STUN/DTLS/SRTP on one 5-tuple, JSEP offer/answer
//! (RFC 8829), data channels and DCEP (RFC 8831/8832), transceivers, RTCP feedback and stats.
