//! The HTTP side of `muon serve`: WHIP-style signaling ([RFC 9725] shapes, non-trickle) and
//! the browser page.
//!
//! - `POST /offer` or `/whip`, `Content-Type: application/sdp`, a complete offer: `201
//!   Created`, `Content-Type: application/sdp`, `Location: /session/<id>`, the complete
//!   answer (every local candidate in it). Problems are a `4xx` with a plain-text reason:
//!   `415` wrong content type, `400` empty, not UTF-8, malformed or unacceptable offer, `413`
//!   larger than [`MAX_OFFER_BYTES`], `503` at the session limit.
//! - `DELETE /session/<id>`: `200`, or `404` when there is no such session (RFC 9725 section
//!   4.2 ends a session this way).
//! - `GET /session/<id>`: `200` while the session lives, else `404`.
//! - `GET /`: the test page.
//!
//! Every response allows any origin (CORS), and `OPTIONS` preflights are answered `204`, so a
//! page served from elsewhere can use the server as its WHIP endpoint (RFC 9725 section 4.7
//! expects WHIP endpoints to be usable from browsers this way).
//!
//! [RFC 9725]: https://www.rfc-editor.org/rfc/rfc9725

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use muon::{Config, PeerConnection, SessionDescription};

use super::session::{SessionId, Sessions};

/// Largest offer accepted; browsers' offers are a few KiB.
pub(crate) const MAX_OFFER_BYTES: usize = 64 * 1024;
/// How long gathering may take before the offer is answered with `503`.
const GATHER_TIMEOUT: Duration = Duration::from_secs(10);
/// The browser page, built into the binary.
const PAGE: &str = include_str!("../../assets/index.html");

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) config: Config,
}

/// The routes.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/offer", post(offer))
        .route("/whip", post(offer))
        .route("/session/{id}", delete(end_session).get(session_status))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_OFFER_BYTES))
        .layer(axum::middleware::map_response(cors))
        .with_state(app)
}

/// Adds the CORS headers; turns a preflight (`OPTIONS`, unrouted) into `204`.
async fn cors(method: Method, mut r: Response) -> Response {
    if method == Method::OPTIONS {
        r = StatusCode::NO_CONTENT.into_response();
    }
    let h = r.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "GET, POST, DELETE, OPTIONS"),
        ("access-control-allow-headers", "Content-Type"),
        ("access-control-expose-headers", "Location"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    r
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "not found: try GET /, POST /offer or DELETE /session/<id>",
    )
}

/// A plain-text response saying why.
fn plain(status: StatusCode, why: impl Into<String>) -> Response {
    let mut text = why.into();
    text.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Whether the request's media type is `application/sdp` (parameters and case ignored).
fn is_sdp(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/sdp"))
}

async fn offer(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if !is_sdp(&headers) {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the offer must be sent with Content-Type: application/sdp",
        );
    }
    let Ok(sdp) = std::str::from_utf8(&body) else {
        return plain(StatusCode::BAD_REQUEST, "the offer is not UTF-8 text");
    };
    if sdp.trim().is_empty() {
        return plain(StatusCode::BAD_REQUEST, "the offer is empty");
    }
    if !app.sessions.has_room() {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many sessions, try later",
        );
    }
    match answer(&app, sdp).await {
        Ok((id, answer)) => {
            let location = format!("/session/{id}");
            let mut r = (StatusCode::CREATED, answer).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/sdp"),
            );
            if let Ok(v) = HeaderValue::from_str(&location) {
                h.insert(header::LOCATION, v);
            }
            r
        }
        Err(r) => r,
    }
}

/// Applies the offer to a new peer connection and starts its session.
async fn answer(app: &App, sdp: &str) -> Result<(SessionId, String), Response> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "{what}");
        plain(StatusCode::INTERNAL_SERVER_ERROR, format!("{what}: {e}"))
    };
    let pc = PeerConnection::new(app.config.clone())
        .await
        .map_err(|e| internal("cannot create a peer connection", &e))?;
    if let Err(e) = pc
        .set_remote_description(&SessionDescription::offer(sdp))
        .await
    {
        tracing::info!(error = %e, "offer refused");
        return Err(plain(
            StatusCode::BAD_REQUEST,
            format!("offer refused: {e}"),
        ));
    }
    let local = pc
        .create_answer()
        .await
        .map_err(|e| internal("cannot create the answer", &e))?;
    pc.set_local_description(&local)
        .await
        .map_err(|e| internal("cannot apply the answer", &e))?;
    match tokio::time::timeout(GATHER_TIMEOUT, pc.gathering_complete()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(internal("gathering failed", &e)),
        Err(_) => {
            return Err(plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "candidate gathering did not complete in time",
            ));
        }
    }
    let answer = pc
        .local_description()
        .ok_or_else(|| plain(StatusCode::INTERNAL_SERVER_ERROR, "no local description"))?
        .sdp;
    let id = SessionId::random().map_err(|e| internal("no OS randomness", &e))?;
    app.sessions.start(id, pc).map_err(|_| {
        plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many sessions, try later",
        )
    })?;
    Ok((id, answer))
}

async fn session_status(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match SessionId::parse(&id) {
        Some(id) if app.sessions.contains(id) => plain(StatusCode::OK, "session active"),
        _ => plain(StatusCode::NOT_FOUND, "no such session"),
    }
}

async fn end_session(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match SessionId::parse(&id) {
        Some(id) if app.sessions.stop(id) => plain(StatusCode::OK, "session ended"),
        _ => plain(StatusCode::NOT_FOUND, "no such session"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_parameters_and_case_are_ignored() {
        let mut h = HeaderMap::new();
        assert!(!is_sdp(&h));
        for (v, ok) in [
            ("application/sdp", true),
            ("Application/SDP; charset=utf-8", true),
            ("text/plain", false),
            ("application/sdpx", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            assert_eq!(is_sdp(&h), ok, "{v}");
        }
    }
}
