//! `livepeer-soak`: see `livepeer_devnet::soak` and `--help`.

use std::process::ExitCode;

use clap::Parser as _;
use livepeer_devnet::soak::{SoakArgs, run};

#[tokio::main]
async fn main() -> ExitCode {
    match run(SoakArgs::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("soak: a goal was missed (rewards, tickets or duplicates)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("soak: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
