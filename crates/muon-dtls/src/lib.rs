//! DTLS 1.2 for WebRTC (issue 3).
