//! STUN and TURN messages (issue 2).
