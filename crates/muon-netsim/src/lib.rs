//! Virtual clock and seeded network emulator (issue 2).
