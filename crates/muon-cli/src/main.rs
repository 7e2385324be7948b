//! The `muon` command-line tool.

fn main() {
    println!(
        "muon {}: commands arrive with issue 7 (`muon serve`, `muon bench`).",
        env!("CARGO_PKG_VERSION")
    );
}
