//! The `muon` command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;

/// muon: WebRTC in pure Rust.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Two muon peers on a simulated lossy network: SDP offer/answer, DTLS 1.2 handshake
    /// checked against the SDP fingerprints, SCTP inside it, and a bulk transfer verified by
    /// SHA-256. `muon serve` and `muon bench` follow.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("muon: {e}");
            ExitCode::FAILURE
        }
    }
}
