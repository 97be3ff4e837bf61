//! `livepeer-soak`: see `livepeer_devnet::soak` and `--help`.

use std::process::ExitCode;

use clap::Parser as _;
use livepeer_devnet::soak::{SoakArgs, run};
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() -> ExitCode {
    let args = SoakArgs::parse();
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        eprintln!("soak: error: cannot listen for SIGTERM");
        return ExitCode::from(2);
    };
    // On Ctrl-C or SIGTERM the run is dropped, and with it anvil and the bots' processes.
    tokio::select! {
        outcome = run(args) => match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                eprintln!("soak: a goal was missed (rewards, tickets or duplicates)");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("soak: error: {e:#}");
                ExitCode::from(2)
            }
        },
        _ = tokio::signal::ctrl_c() => interrupted(),
        _ = terminate.recv() => interrupted(),
    }
}

fn interrupted() -> ExitCode {
    eprintln!("soak: interrupted; anvil and the bots were stopped");
    ExitCode::from(130)
}
