//! Bulk-transfer benchmark (filled in later).
fn main() {}
