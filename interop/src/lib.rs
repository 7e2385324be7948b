//! Harness for testing muon against real peers (Pion, headless Chromium): builds and spawns
//! them, runs tests in a private network namespace, and speaks the WHIP-shaped signaling
//! contract described in interop/README.md.
