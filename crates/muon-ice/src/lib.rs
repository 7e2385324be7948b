//! ICE agent for muon (placeholder: issue 5).
//!
//! Will own: a sans-IO ICE agent (RFC 8445) with trickle (RFC 8838), consent freshness
//! (RFC 7675), ICE-lite, and a UDP mux that serves many agents on one port. Built on muon-stun.
