//! `livepeer-reward-agent`: see the crate docs of `livepeer_reward_agent` and the README.

use anyhow::Context;
use livepeer_reward_agent::{Agent, config::Cli, init_tracing};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_args()
        .merge_file()
        .context("invalid configuration")?;
    init_tracing(cli.common.log_json);
    let config = cli.resolve().context("invalid configuration")?;
    let cancel = livepeer_chain::shutdown::on_signal().context("installing the signal handlers")?;
    Agent::new(config)
        .run(cancel)
        .await
        .context("reward agent failed")
}
