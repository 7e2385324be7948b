//! Harness for testing muon against real peers: [Pion](https://github.com/pion/webrtc) v4 and
//! v3, and headless Chromium.
//!
//! Every peer speaks one signaling contract, WHIP-shaped ([RFC 9725]) and non-trickle:
//! `POST /offer` (or `/whip`) with `Content-Type: application/sdp` and a complete offer is
//! answered `201 Created` with `Location: /session/<id>` and the complete answer; `DELETE
//! /session/<id>` ends the session. The answering peer echoes every message on channels the
//! remote opened; a `control` channel takes `open:<n>:<prefix>` and `close-pc`; a channel
//! labelled `close-after-first` is closed after its first echo. The offering role runs an
//! [`OfferPlan`] and reports each check. interop/README.md has the full contract.
//!
//! What the crate gives a test:
//! - [`reexec_in_private_netns`]: run the test in network and PID namespaces holding only
//!   loopback, so Chromium sees no other interface and nothing outlives the test;
//! - [`PionPeer`]: `pion-peer` (interop/pion, built once per run with `go build`) as
//!   answerer or offerer, on Pion v4 or, from the same source, Debian's Pion v3
//!   ([`PionVersion`]);
//! - [`Chromium`] and [`Page`]: headless Chromium on interop/chromium/peer.html, whose
//!   reports and answering-role signaling go through the harness's own HTTP server;
//! - [`Reports`]: what a peer reported, with bounded waits;
//! - [`post_offer`] and [`Endpoint`]: muon's side of the signaling, offering or answering;
//! - [`MuonPeer`]: muon itself (in the test's process) in either role, with the same echo
//!   behaviour, offering plan and reports as the other peers;
//! - [`http`]: the small HTTP/1.1 server and client underneath.
//!
//! Every wait is bounded and names what it waited for; children are ended when their guard
//! drops. The peers are installed by scripts/install-interop.sh.
//!
//! The HTTP pieces run anywhere:
//! ```
//! use std::time::Duration;
//! use muon_interop::http::{request, Response, Server};
//!
//! let server = Server::start(|req| {
//!     Response::new(201).header("Location", "/session/1").body("application/sdp", req.body)
//! })?;
//! let r = request("POST", &server.url("/offer"), Some(("application/sdp", b"v=0\r\n")), Duration::from_secs(5))?;
//! assert_eq!((r.status, r.get_header("location"), r.text().as_str()), (201, Some("/session/1"), "v=0\r\n"));
//! # Ok::<(), muon_interop::Error>(())
//! ```
//!
//! A test against real peers (needs root for the namespace, Go and Chromium):
//! ```no_run
//! use std::time::Duration;
//! use muon_interop::{reexec_in_private_netns, Chromium, OfferPlan, Page, PionPeer};
//!
//! #[test]
//! fn chromium_offers_to_pion() {
//!     reexec_in_private_netns("chromium_offers_to_pion", || {
//!         let (url, mut pion) = PionPeer::answerer().unwrap();
//!         let plan = OfferPlan::default();
//!         let mut page = Page::start().unwrap();
//!         let _browser = Chromium::launch(&page.offerer_page(&url, &plan)).unwrap();
//!         page.reports().done(Duration::from_secs(90)).unwrap();
//!         assert_eq!(plan.failures(page.reports().seen()), Vec::<String>::new());
//!         plan.expect_answerer_side(pion.reports(), Duration::from_secs(10)).unwrap();
//!     });
//! }
//! ```
//!
//! [RFC 9725]: https://www.rfc-editor.org/rfc/rfc9725

mod chromium;
mod deadline;
mod error;
pub mod http;
mod muon_peer;
mod netns;
mod page;
mod pion;
mod plan;
mod process;
mod report;
mod signaling;

pub use chromium::{Chromium, FLAGS as CHROMIUM_FLAGS, VERBOSE_ENV as CHROMIUM_LOG_ENV};
pub use error::{Error, Problem, Result};
pub use muon_peer::{ANSWER_TIMEOUT, MuonPeer, muon_config};
pub use netns::{NETNS_ENV, TEST_TIMEOUT, reexec_in_private_netns};
pub use page::{LONG_POLL, MAX_PENDING, Page, RELAY_TIMEOUT};
pub use pion::{
    BUILD_TIMEOUT, DEBIAN_GOPATH, LISTEN_TIMEOUT, PionPeer, PionVersion, pion_binary,
    pion_v3_binary,
};
pub use plan::{OfferPlan, Reliability};
pub use report::{Report, Reports};
pub use signaling::{Endpoint, MAX_SESSIONS, Session, post_offer};
