//! `livepeer-reward-agent`: see the crate docs of `livepeer_reward_agent` and the README.

use anyhow::Context;
use clap::Parser;
use livepeer_reward_agent::{Agent, config::Cli, init_tracing};
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    let config = cli.resolve().context("invalid configuration")?;
    let cancel = CancellationToken::new();
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: shutting down"),
            _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        }
        on_signal.cancel();
    });
    Agent::new(config)
        .run(cancel)
        .await
        .context("reward agent failed")
}
