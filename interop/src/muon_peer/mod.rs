//! muon as one of the peers: the contract's echo behaviour and offering plan
//! (interop/README.md) on muon's `PeerConnection` and `DataChannel`, reporting in the same
//! vocabulary as the Pion peer and the Chromium page, so [`OfferPlan::failures`] and
//! [`OfferPlan::expect_answerer_side`] judge muon exactly as they judge the others.
//!
//! muon runs in the test's own process, on a tokio runtime driven by a thread of its own
//! ([`MuonPeer`] owns it): the harness's blocking code (the test thread, the HTTP server
//! threads of [`Endpoint`]) hands it work and waits with a bound. Host candidates are
//! gathered on 127.0.0.1 only.

mod echo;
mod offer;

use std::collections::HashMap;
use std::future::Future;
use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use muon::{Config, InterfaceFilter, PeerConnection, SessionDescription, UdpMux};
use serde_json::{Value, json};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::plan::OfferPlan;
use crate::report::Reports;
use crate::signaling::Endpoint;

use echo::{Command, Session};

/// Bound on answering one offer (applying it, gathering, creating the answer).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// muon in one of the contract's roles, with its reports; everything it started (peer
/// connections, tasks, the runtime's thread and, answering, the [`Endpoint`]) ends on drop.
#[derive(Debug)]
pub struct MuonPeer {
    // First: stops taking offers before the runtime goes.
    endpoint: Option<Endpoint>,
    reports: Reports,
    runtime: Runtime,
}

impl MuonPeer {
    /// Starts muon's offering role: it opens the plan's channels, POSTs its complete offer
    /// to `url`, applies the answer and runs `plan`'s checks; its reports end with `done`.
    ///
    /// # Errors
    /// When the runtime's thread cannot be started.
    pub fn offerer(url: &str, plan: &OfferPlan) -> Result<Self> {
        let (reporter, reports) = reporter();
        let runtime = Runtime::start()?;
        runtime
            .handle
            .spawn(offer::run(url.to_owned(), plan.clone(), reporter));
        Ok(Self {
            endpoint: None,
            reports,
            runtime,
        })
    }

    /// Starts muon's answering role behind an [`Endpoint`] on `127.0.0.1:0`
    /// ([`offer_url`](Self::offer_url)): each offer gets a new `PeerConnection` that echoes
    /// as the contract says; `DELETE /session/<id>` closes it.
    ///
    /// # Errors
    /// When the runtime's thread or the endpoint cannot be started.
    pub fn answerer() -> Result<Self> {
        Self::answering(false)
    }

    /// Like [`answerer`](Self::answerer), with every session on one shared UDP port (a
    /// [`muon::UdpMux`] on 127.0.0.1).
    ///
    /// # Errors
    /// When the runtime's thread, the mux or the endpoint cannot be started.
    pub fn answerer_on_one_port() -> Result<Self> {
        Self::answering(true)
    }

    fn answering(one_port: bool) -> Result<Self> {
        let (reporter, reports) = reporter();
        let runtime = Runtime::start()?;
        let mut config = muon_config();
        if one_port {
            let bind =
                async { UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0).await };
            let mux = run_bounded(&runtime.handle, ANSWER_TIMEOUT, bind)
                .ok_or(Error::Timeout {
                    what: "binding the UDP mux".into(),
                    after: ANSWER_TIMEOUT,
                })?
                .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
            config = config.with_mux(mux);
        }
        let sessions: Arc<Mutex<HashMap<String, mpsc::Sender<Command>>>> = Arc::default();
        let (handle, rep, open) = (runtime.handle.clone(), reporter.clone(), sessions.clone());
        let answer = move |id: &str, offer: &str| {
            let accepted = run_bounded(
                &handle,
                ANSWER_TIMEOUT,
                accept(config.clone(), offer.to_owned(), rep.clone()),
            );
            match accepted {
                Some(Ok((sdp, commands))) => {
                    lock(&open).insert(id.to_owned(), commands);
                    rep.report("session", json!({ "id": id }));
                    Some(sdp)
                }
                Some(Err(e)) => {
                    rep.report("error", json!({ "detail": e.to_string() }));
                    None
                }
                None => {
                    rep.report("error", json!({ "detail": "answering timed out" }));
                    None
                }
            }
        };
        let rep = reporter;
        let end = move |id: &str| {
            if let Some(commands) = lock(&sessions).remove(id) {
                // Fails only when the session already ended, or when COMMAND_QUEUE commands
                // are still waiting (its task takes them as they come): then the connection
                // closes when the runtime stops.
                let _ = commands.try_send(Command::Close);
            }
            rep.report("session-deleted", json!({ "id": id }));
        };
        let endpoint = Endpoint::start(answer, end)?;
        Ok(Self {
            endpoint: Some(endpoint),
            reports,
            runtime,
        })
    }

    /// Where offers to the answering role go (`None` when offering).
    #[must_use]
    pub fn offer_url(&self) -> Option<String> {
        self.endpoint.as_ref().map(Endpoint::offer_url)
    }

    /// muon's reports.
    pub fn reports(&mut self) -> &mut Reports {
        &mut self.reports
    }
}

impl Drop for MuonPeer {
    fn drop(&mut self) {
        self.endpoint = None;
        self.runtime.stop();
    }
}

/// The configuration every muon peer of the harness uses: host candidates on 127.0.0.1.
#[must_use]
pub fn muon_config() -> Config {
    Config::default().with_interfaces(InterfaceFilter::loopback_only())
}

/// Applies `offer` to a new peer connection, answers it (complete, after gathering) and
/// hands the connection to a session task; returns the answer and the session's commands.
async fn accept(
    config: Config,
    offer: String,
    rep: Reporter,
) -> std::result::Result<(String, mpsc::Sender<Command>), muon::Error> {
    let pc = PeerConnection::new(config).await?;
    pc.set_remote_description(&SessionDescription::offer(offer))
        .await?;
    let answer = pc.create_answer().await?;
    pc.set_local_description(&answer).await?;
    pc.gathering_complete().await?;
    let sdp = pc.local_description().ok_or(muon::Error::Closed)?.sdp;
    rep.report("local-sdp", json!({ "type": "answer", "sdp": sdp }));
    let commands = Session::spawn(pc, rep, None);
    Ok((sdp, commands))
}

/// Sends reports, as JSON lines, to the [`Reports`] of a [`MuonPeer`].
#[derive(Debug, Clone)]
pub(crate) struct Reporter(std_mpsc::Sender<String>);

impl Reporter {
    /// Reports `event` with the fields of `fields` (a JSON object).
    pub(crate) fn report(&self, event: &str, fields: Value) {
        let mut line = json!({ "event": event });
        if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
            line.extend(fields);
        }
        // A dropped receiver means the test is over.
        let _ = self.0.send(line.to_string());
    }
}

fn reporter() -> (Reporter, Reports) {
    let (tx, rx) = std_mpsc::channel();
    (Reporter(tx), Reports::new("muon", rx))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `fut` on the runtime and waits at most `timeout` for its output from a thread
/// outside it.
fn run_bounded<T: Send + 'static>(
    handle: &Handle,
    timeout: Duration,
    fut: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std_mpsc::channel();
    let task = handle.spawn(async move {
        let _ = tx.send(fut.await);
    });
    match rx.recv_timeout(timeout) {
        Ok(v) => Some(v),
        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
            task.abort();
            None
        }
    }
}

/// A current-thread tokio runtime driven by a thread of its own until stopped.
#[derive(Debug)]
struct Runtime {
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Runtime {
    fn start() -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = rt.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("muon-runtime".into())
            .spawn(move || {
                rt.block_on(async {
                    let _ = stopped.await;
                });
                // Dropping the runtime drops every task: peer connections close.
            })
            .map_err(Error::Io)?;
        Ok(Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporter_merges_fields_into_one_line() {
        let (rep, mut reports) = reporter();
        rep.report(
            "channel-open",
            json!({ "label": "echo-0", "ordered": false }),
        );
        rep.report("ready", json!({}));
        let t = Duration::from_secs(1);
        let r = reports.next(t, "channel-open").unwrap();
        assert!(r.is("channel-open", "echo-0"));
        assert_eq!(r.bool("ordered"), Some(false));
        assert_eq!(reports.next(t, "ready").unwrap().event(), "ready");
    }

    #[test]
    fn run_bounded_returns_output_or_gives_up() {
        let mut rt = Runtime::start().unwrap();
        let t = Duration::from_secs(5);
        assert_eq!(run_bounded(&rt.handle, t, async { 7 }), Some(7));
        let never = run_bounded(
            &rt.handle,
            Duration::from_millis(50),
            std::future::pending::<()>(),
        );
        assert_eq!(never, None);
        rt.stop();
    }
}
