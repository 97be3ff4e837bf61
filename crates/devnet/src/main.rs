//! `livepeer-devnet`: see the library ([`livepeer_devnet`]) and `--help`.

use std::process::ExitCode;

use clap::Parser as _;
use livepeer_devnet::{Args, run};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("devnet: consistency check FAILED");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("devnet: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
