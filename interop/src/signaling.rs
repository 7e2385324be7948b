//! muon's side of the signaling contract, for the tests where muon is one of the peers:
//! [`post_offer`] when muon offers to a real peer, [`Endpoint`] when a real peer offers to
//! muon (which runs in the test's own process).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Error, Problem, Result};
use crate::http::{Response, Server, request};

/// Sessions an [`Endpoint`] keeps at once; more offers are refused with `503`.
pub const MAX_SESSIONS: usize = 256;

/// A session created by [`post_offer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The complete answer.
    pub answer: String,
    /// The session's absolute URL (`Location`, resolved against the offer URL).
    pub url: String,
}

/// POSTs a complete offer to `url` and returns the answer and session URL.
///
/// # Errors
/// [`Error::Rejected`] unless the reply is `201 Created`; [`Error::Protocol`] when it is not
/// `application/sdp` or has no usable `Location`; HTTP errors as [`request`].
pub fn post_offer(url: &str, offer: &str, timeout: Duration) -> Result<Session> {
    let r = request(
        "POST",
        url,
        Some(("application/sdp", offer.as_bytes())),
        timeout,
    )?;
    if r.status != 201 {
        return Err(Error::Rejected { status: r.status });
    }
    let is_sdp = r
        .get_header("content-type")
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/sdp"));
    if !is_sdp {
        return Err(Error::protocol("answerer", Problem::NotSdp));
    }
    let location = r
        .get_header("location")
        .ok_or(Error::protocol("answerer", Problem::NoLocation))?;
    Ok(Session {
        answer: r.text(),
        url: resolve(url, location)?,
    })
}

impl Session {
    /// `DELETE`s the session; returns the status (`200` when it existed).
    ///
    /// # Errors
    /// HTTP errors as [`request`].
    pub fn delete(&self, timeout: Duration) -> Result<u16> {
        Ok(request("DELETE", &self.url, None, timeout)?.status)
    }
}

/// Resolves a `Location` (absolute, or a path) against the URL the offer went to.
fn resolve(base: &str, location: &str) -> Result<String> {
    if location.starts_with("http://") {
        return Ok(location.to_owned());
    }
    if !location.starts_with('/') {
        return Err(Error::protocol("answerer", Problem::NoLocation));
    }
    let origin_end = base
        .strip_prefix("http://")
        .map(|rest| "http://".len() + rest.find('/').unwrap_or(rest.len()))
        .ok_or(Error::protocol("answerer", Problem::BadUrl))?;
    Ok(format!(
        "{}{location}",
        base.get(..origin_end).unwrap_or(base)
    ))
}

/// An answering endpoint of the contract served by the test itself: `POST /offer` (or
/// `/whip`) calls `answer` with the offer and replies `201` with its answer and
/// `Location: /session/<n>`; `DELETE /session/<n>` calls `end` and replies `200` (`404` for
/// an unknown session). Every response carries CORS headers and `OPTIONS` is answered `204`,
/// so the Chromium page (served from another loopback port) can post to it. Stopped on drop.
#[derive(Debug)]
pub struct Endpoint {
    server: Server,
}

impl Endpoint {
    /// Starts the endpoint on `127.0.0.1:0`. `answer` returns the complete answer, or `None`
    /// to refuse the offer (`400`); both callbacks get the session id.
    ///
    /// # Errors
    /// When the listening socket cannot be opened.
    pub fn start(
        answer: impl Fn(&str, &str) -> Option<String> + Send + Sync + 'static,
        end: impl Fn(&str) + Send + Sync + 'static,
    ) -> Result<Self> {
        let sessions = Arc::new(Mutex::new((0u64, HashSet::<String>::new())));
        let server = Server::start(move |req| {
            let allow = |r: Response| {
                r.header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
                    .header("Access-Control-Allow-Headers", "Content-Type")
                    .header("Access-Control-Expose-Headers", "Location")
            };
            if req.method == "OPTIONS" {
                return allow(Response::new(204));
            }
            let lock = || {
                sessions
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            let respond = || match (req.method.as_str(), req.path()) {
                ("POST", "/offer" | "/whip") => {
                    if !req.has_content_type("application/sdp") {
                        return Response::new(415);
                    }
                    let id = {
                        let mut s = lock();
                        if s.1.len() >= MAX_SESSIONS {
                            return Response::new(503);
                        }
                        s.0 += 1;
                        s.0.to_string()
                    };
                    match answer(&id, &String::from_utf8_lossy(&req.body)) {
                        Some(sdp) => {
                            lock().1.insert(id.clone());
                            Response::new(201)
                                .header("Location", &format!("/session/{id}"))
                                .body("application/sdp", sdp)
                        }
                        None => Response::new(400),
                    }
                }
                ("DELETE", path) => {
                    let id = path.strip_prefix("/session/").unwrap_or_default();
                    if lock().1.remove(id) {
                        end(id);
                        Response::new(200)
                    } else {
                        Response::new(404)
                    }
                }
                _ => Response::new(404),
            };
            allow(respond())
        })?;
        Ok(Self { server })
    }

    /// Where offers go: `http://127.0.0.1:PORT/offer`.
    #[must_use]
    pub fn offer_url(&self) -> String {
        self.server.url("/offer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn endpoint_and_post_offer_speak_the_contract() {
        let ended = Arc::new(Mutex::new(Vec::new()));
        let ended_in = Arc::clone(&ended);
        let endpoint = Endpoint::start(
            |id, offer| (offer.starts_with("v=0")).then(|| format!("answer {id} to {offer}")),
            move |id| ended_in.lock().unwrap().push(id.to_owned()),
        )
        .unwrap();
        let session = post_offer(&endpoint.offer_url(), "v=0 offer", T).unwrap();
        assert_eq!(session.answer, "answer 1 to v=0 offer");
        assert_eq!(
            session.url,
            endpoint.offer_url().replace("/offer", "/session/1")
        );
        assert_eq!(session.delete(T).unwrap(), 200);
        assert_eq!(session.delete(T).unwrap(), 404);
        assert_eq!(*ended.lock().unwrap(), ["1"]);
        let refused = post_offer(&endpoint.offer_url(), "garbage", T).unwrap_err();
        assert!(
            matches!(refused, Error::Rejected { status: 400 }),
            "{refused}"
        );
        let wrong_type = request(
            "POST",
            &endpoint.offer_url(),
            Some(("text/plain", b"v=0")),
            T,
        )
        .unwrap();
        assert_eq!(wrong_type.status, 415);
        let preflight = request("OPTIONS", &endpoint.offer_url(), None, T).unwrap();
        assert_eq!(preflight.status, 204);
        assert_eq!(
            preflight.get_header("access-control-allow-headers"),
            Some("Content-Type")
        );
        assert_eq!(
            wrong_type.get_header("access-control-expose-headers"),
            Some("Location")
        );
    }

    #[test]
    fn post_offer_insists_on_sdp_and_location() {
        for (content_type, location, problem) in [
            ("text/plain", Some("/session/1"), Problem::NotSdp),
            ("application/sdp", None, Problem::NoLocation),
            ("application/sdp", Some("session/1"), Problem::NoLocation),
        ] {
            let server = Server::start(move |_| {
                let r = Response::new(201).body(content_type, "v=0");
                match location {
                    Some(l) => r.header("Location", l),
                    None => r,
                }
            })
            .unwrap();
            let err = post_offer(&server.url("/offer"), "v=0", T).unwrap_err();
            assert!(
                matches!(err, Error::Protocol { problem: p, .. } if p == problem),
                "{err}"
            );
        }
    }

    #[test]
    fn locations_resolve_against_the_offer_url() {
        assert_eq!(
            resolve("http://127.0.0.1:9/whip/x", "/session/7").unwrap(),
            "http://127.0.0.1:9/session/7"
        );
        assert_eq!(
            resolve("http://127.0.0.1:9", "/s").unwrap(),
            "http://127.0.0.1:9/s"
        );
        assert_eq!(
            resolve("http://a:1/o", "http://b:2/s").unwrap(),
            "http://b:2/s"
        );
    }
}
