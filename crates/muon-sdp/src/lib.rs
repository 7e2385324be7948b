//! SDP for WebRTC (issue 2).
