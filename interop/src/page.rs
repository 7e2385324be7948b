//! The harness's side of interop/chromium/peer.html: serves the page, collects its reports
//! and, for its answering role, relays signaling to it (the page cannot listen on HTTP).
//!
//! ```text
//!  remote offerer --POST /offer--> harness --GET /signal/next (long-poll)--> page
//!                 <--201 answer--          <--POST /signal/answer/<id>------
//!                 --DELETE /session/<id>-> --{"type":"delete"} ------------>
//!                                          <--POST /signal/deleted/<id>-----
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::deadline::Deadline;
use crate::error::Result;
use crate::http::{Request, Response, Server};
use crate::plan::OfferPlan;
use crate::report::Reports;

/// The page, compiled in so the harness needs no file layout at run time.
const PAGE: &str = include_str!("../chromium/peer.html");

/// Signals (offers, deletions) queued for the page at most; more are refused with `503`.
pub const MAX_PENDING: usize = 16;
/// How long `GET /signal/next` holds a request open before answering `204`.
pub const LONG_POLL: Duration = Duration::from_secs(10);
/// How long a relayed offer or deletion waits for the page's reply before `504`.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(20);

/// The harness's HTTP server for one Chromium page, stopped on drop.
#[derive(Debug)]
pub struct Page {
    shared: Arc<Shared>,
    reports: Reports,
    // Last: dropped after `shared` is marked closing (see Drop).
    server: Server,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Signal>,
    answers: HashMap<String, Result<String, String>>,
    deleted: HashMap<String, u16>,
    next_id: u64,
    closing: bool,
}

#[derive(Debug)]
enum Signal {
    Offer { id: String, sdp: String },
    Delete { id: String },
}

impl Page {
    /// Starts the server on `127.0.0.1:0`.
    ///
    /// # Errors
    /// When the listening socket cannot be opened.
    pub fn start() -> Result<Self> {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = mpsc::channel();
        let server = {
            let shared = Arc::clone(&shared);
            Server::start(move |req| handle(&shared, &tx, req))?
        };
        Ok(Self {
            shared,
            reports: Reports::new("chromium", rx),
            server,
        })
    }

    /// The page URL for the answering role.
    #[must_use]
    pub fn answerer_page(&self) -> String {
        self.server.url("/peer.html?role=answer")
    }

    /// Where a remote offerer POSTs its offer to reach the page's answering role.
    #[must_use]
    pub fn offer_url(&self) -> String {
        self.server.url("/offer")
    }

    /// The page URL for the offering role: offer to `signaling_url`, run `plan`.
    #[must_use]
    pub fn offerer_page(&self, signaling_url: &str, plan: &OfferPlan) -> String {
        self.server.url(&format!(
            "/peer.html?role=offer&url={}&{}",
            percent_encode(signaling_url),
            plan.page_query()
        ))
    }

    /// The page's reports.
    pub fn reports(&mut self) -> &mut Reports {
        &mut self.reports
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // Long-polls answer 410 (the page stops polling) and relays give up at once.
        self.shared.lock().closing = true;
        self.shared.changed.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `ready` gives a value, the page closes, or `budget` passes.
    fn wait_for<T>(
        &self,
        budget: Duration,
        mut ready: impl FnMut(&mut State) -> Option<T>,
    ) -> Option<T> {
        let deadline = Deadline::after(budget);
        let mut state = self.lock();
        loop {
            if let Some(v) = ready(&mut state) {
                return Some(v);
            }
            if state.closing || deadline.left().is_zero() {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, deadline.left())
                .map(|(s, _)| s)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    fn push(&self, signal: Signal) -> bool {
        let mut state = self.lock();
        if state.queue.len() >= MAX_PENDING || state.closing {
            return false;
        }
        state.queue.push_back(signal);
        drop(state);
        self.changed.notify_all();
        true
    }
}

fn handle(shared: &Shared, reports: &Sender<String>, req: Request) -> Response {
    let path = req.path().to_owned();
    match (req.method.as_str(), path.as_str()) {
        ("GET", "/peer.html") => Response::new(200).body("text/html; charset=utf-8", PAGE),
        ("POST", "/report") => {
            // A closed receiver means the test is over; the page needs no error.
            let _ = reports.send(String::from_utf8_lossy(&req.body).into_owned());
            Response::new(204)
        }
        ("POST", "/offer" | "/whip") => relay_offer(shared, &req),
        ("GET", "/signal/next") => next_signal(shared),
        ("DELETE", p) if p.starts_with("/session/") => {
            relay_delete(shared, p.trim_start_matches("/session/"))
        }
        ("POST", p) => page_reply(shared, p, &req.body),
        _ => Response::new(404),
    }
}

fn relay_offer(shared: &Shared, req: &Request) -> Response {
    if !req.has_content_type("application/sdp") {
        return Response::new(415);
    }
    let id = {
        let mut state = shared.lock();
        state.next_id += 1;
        format!("s{}", state.next_id)
    };
    let sdp = String::from_utf8_lossy(&req.body).into_owned();
    if !shared.push(Signal::Offer {
        id: id.clone(),
        sdp,
    }) {
        return Response::new(503);
    }
    match shared.wait_for(RELAY_TIMEOUT, |s| s.answers.remove(&id)) {
        Some(Ok(answer)) => Response::new(201)
            .header("Location", &format!("/session/{id}"))
            .body("application/sdp", answer),
        Some(Err(why)) => Response::new(400).body("text/plain", why),
        None => Response::new(504),
    }
}

fn relay_delete(shared: &Shared, id: &str) -> Response {
    if !shared.push(Signal::Delete { id: id.to_owned() }) {
        return Response::new(503);
    }
    match shared.wait_for(RELAY_TIMEOUT, |s| s.deleted.remove(id)) {
        Some(status) => Response::new(status),
        None => Response::new(504),
    }
}

fn next_signal(shared: &Shared) -> Response {
    let mut closing = false;
    let signal = shared.wait_for(LONG_POLL, |s| {
        closing = s.closing;
        s.queue.pop_front()
    });
    let json = match signal {
        Some(Signal::Offer { id, sdp }) => {
            serde_json::json!({ "type": "offer", "id": id, "sdp": sdp })
        }
        Some(Signal::Delete { id }) => serde_json::json!({ "type": "delete", "id": id }),
        None if closing || shared.lock().closing => return Response::new(410),
        None => return Response::new(204),
    };
    Response::new(200).body("application/json", json.to_string())
}

/// `POST /signal/{answer,error,deleted}/<id>` from the page.
fn page_reply(shared: &Shared, path: &str, body: &[u8]) -> Response {
    let Some((kind, id)) = path
        .strip_prefix("/signal/")
        .and_then(|p| p.split_once('/'))
    else {
        return Response::new(404);
    };
    let text = String::from_utf8_lossy(body).into_owned();
    let mut state = shared.lock();
    // Replies only to ids the harness issued, so the maps stay bounded by the relays waiting.
    let issued = id
        .strip_prefix('s')
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n <= state.next_id);
    // Replies nobody waits for any more (their relay timed out) are bounded too.
    if state.answers.len() + state.deleted.len() >= 2 * MAX_PENDING {
        return Response::new(503);
    }
    match kind {
        "answer" if issued => {
            state.answers.insert(id.to_owned(), Ok(text));
        }
        "error" if issued => {
            state.answers.insert(id.to_owned(), Err(text));
        }
        "deleted" => {
            state
                .deleted
                .insert(id.to_owned(), text.trim().parse().unwrap_or(500));
        }
        _ => return Response::new(404),
    }
    drop(state);
    shared.changed.notify_all();
    Response::new(204)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;
    use crate::http::request;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn serves_the_page_and_collects_reports() {
        let mut page = Page::start().unwrap();
        let html = request("GET", &page.answerer_page(), None, T).unwrap();
        assert_eq!(html.status, 200);
        assert!(html.text().contains("function answerRole"));
        let report = page.server.url("/report");
        assert_eq!(
            request(
                "POST",
                &report,
                Some(("text/plain", br#"{"event":"ready"}"#)),
                T
            )
            .unwrap()
            .status,
            204
        );
        assert_eq!(page.reports().next(T, "ready").unwrap().event(), "ready");
    }

    /// Plays the page's part of the relay by hand: an offer comes out of the long-poll, the
    /// answer goes back to the offerer with 201 and a Location; DELETE goes the same way.
    #[test]
    fn relays_offer_and_delete_through_the_long_poll() {
        let page = Page::start().unwrap();
        let offer_url = page.offer_url();
        let offerer = thread::spawn(move || {
            let created = request(
                "POST",
                &offer_url,
                Some(("application/sdp", b"v=0 offer")),
                T,
            )
            .unwrap();
            let location = created.get_header("location").unwrap().to_owned();
            let base = offer_url.trim_end_matches("/offer");
            let deleted = request("DELETE", &format!("{base}{location}"), None, T).unwrap();
            (created, deleted.status)
        });
        let next = request("GET", &page.server.url("/signal/next"), None, T).unwrap();
        let signal: serde_json::Value = serde_json::from_slice(&next.body).unwrap();
        assert_eq!(
            (signal["type"].as_str(), signal["sdp"].as_str()),
            (Some("offer"), Some("v=0 offer"))
        );
        let id = signal["id"].as_str().unwrap().to_owned();
        let answer_url = page.server.url(&format!("/signal/answer/{id}"));
        assert_eq!(
            request(
                "POST",
                &answer_url,
                Some(("application/sdp", b"v=0 answer")),
                T
            )
            .unwrap()
            .status,
            204
        );

        let next = request("GET", &page.server.url("/signal/next"), None, T).unwrap();
        let signal: serde_json::Value = serde_json::from_slice(&next.body).unwrap();
        assert_eq!(
            (signal["type"].as_str(), signal["id"].as_str()),
            (Some("delete"), Some(id.as_str()))
        );
        let deleted_url = page.server.url(&format!("/signal/deleted/{id}"));
        assert_eq!(
            request("POST", &deleted_url, Some(("text/plain", b"200")), T)
                .unwrap()
                .status,
            204
        );

        let (created, deleted) = offerer.join().unwrap();
        assert_eq!(created.status, 201);
        assert_eq!(created.get_header("content-type"), Some("application/sdp"));
        assert_eq!(
            created.get_header("location"),
            Some(format!("/session/{id}").as_str())
        );
        assert_eq!(created.text(), "v=0 answer");
        assert_eq!(deleted, 200);
    }

    #[test]
    fn refuses_wrong_content_type_and_unissued_ids_and_ends_long_polls_on_drop() {
        let page = Page::start().unwrap();
        let r = request("POST", &page.offer_url(), Some(("text/plain", b"v=0")), T).unwrap();
        assert_eq!(r.status, 415);
        let r = request(
            "POST",
            &page.server.url("/signal/answer/s99"),
            Some(("a/b", b"x")),
            T,
        )
        .unwrap();
        assert_eq!(r.status, 404);
        let poll = page.server.url("/signal/next");
        let poller = thread::spawn(move || request("GET", &poll, None, T).map(|r| r.status));
        thread::sleep(Duration::from_millis(100));
        drop(page);
        assert_eq!(poller.join().unwrap().unwrap(), 410);
    }

    #[test]
    fn percent_encoding_keeps_unreserved_only() {
        assert_eq!(
            percent_encode("http://127.0.0.1:80/offer?a=b"),
            "http%3A%2F%2F127.0.0.1%3A80%2Foffer%3Fa%3Db"
        );
    }
}
