//! SCTP over DTLS for WebRTC data channels (issue 4).
