//! `livepeer-reward-agent`: see the crate docs of `livepeer_reward_agent` and the README.

use anyhow::Context;
use clap::Parser;
use livepeer_reward_agent::{Agent, config::Cli, init_tracing};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    let config = cli.resolve().context("invalid configuration")?;
    let cancel = livepeer_chain::shutdown::on_signal().context("installing the signal handlers")?;
    Agent::new(config)
        .run(cancel)
        .await
        .context("reward agent failed")
}
