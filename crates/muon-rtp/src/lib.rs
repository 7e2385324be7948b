//! RTP and RTCP packets for muon (placeholder: lands with the media issue).
//!
//! Will own: RTP header and extensions (RFC 3550, RFC 8285), RTCP SR/RR/SDES/BYE,
//! generic NACK and PLI/FIR (RFC 4585, RFC 5104), REMB and transport-wide congestion control
//! feedback, one RTCP packet type per file. Parse and write only; no state.
