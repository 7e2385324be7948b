//! SRTP and SRTCP for muon (placeholder: lands with the media issue).
//!
//! Will own: SRTP/SRTCP contexts (RFC 3711) with AES-CM-HMAC-SHA1 and AES-GCM (RFC 7714)
//! profiles, key derivation from the DTLS exporter, rollover counters and replay windows.
