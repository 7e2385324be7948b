//! Cryptography: the TLS PRF and key schedule, record protection, ECDHE and signatures.
//! The primitives come from RustCrypto; how TLS puts them together is here.

pub(crate) mod aead;
pub(crate) mod kx;
pub(crate) mod prf;
pub(crate) mod sign;
pub(crate) mod suite;
