//! Media packetizers for muon (placeholder: lands with the media issue).
//!
//! Will own: packetizers and depacketizers for Opus, VP8, VP9, H.264 and AV1, a jitter buffer,
//! and IVF/Ogg readers and writers.
