//! The `muon` command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod demo;
mod perf;
mod serve;

/// muon: WebRTC in pure Rust.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Two muon engines on a simulated lossy network, in virtual time: SDP offer/answer, ICE,
    /// DTLS 1.2 checked against the SDP fingerprints, a data channel over SCTP, and a bulk
    /// transfer verified by SHA-256. Same --seed, same run.
    Demo(demo::DemoArgs),
    /// A WHIP-style echo server with a browser page: POST an application/sdp offer to
    /// /offer (or /whip), get the answer; every data-channel message comes back unchanged.
    Serve(serve::ServeArgs),
    /// An iperf for WebRTC data channels: offer to a WHIP-style echo endpoint (such as
    /// `muon serve`), then measure round-trip times and a bulk transfer checked byte by byte.
    Perf(perf::PerfArgs),
    /// The performance yardstick of BENCH-PROTOCOL.md (bench/README.md): `muon bench dc`
    /// (one pair, bulk data channel) or `muon bench conns --conns N` (many pairs at once).
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Perf(args) => perf::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("muon: {e}");
            ExitCode::FAILURE
        }
    }
}
