//! What the devnet's tests share.

use std::process::Command;

/// Builds the bots, other packages' binaries, next to the devnet's (a no-op when fresh).
pub fn build_bots() -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "-p",
            "livepeer-keeper",
            "-p",
            "livepeer-reward-agent",
            "-p",
            "livepeer-redeemer",
            "--bins",
        ])
        .status()?;
    if !status.success() {
        return Err("building the bots failed".into());
    }
    Ok(())
}
