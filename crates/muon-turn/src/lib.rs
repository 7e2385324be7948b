//! TURN for muon (placeholder).
//!
//! Will own: a sans-IO TURN client (allocations, permissions, channels; RFC 8656) and the core
//! of a TURN server. Built on muon-stun.
