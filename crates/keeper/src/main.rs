//! `livepeer-keeper`: see the crate docs of `livepeer_keeper` and the README.

use anyhow::Context;
use livepeer_keeper::{Keeper, config::Cli, init_tracing};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_args()
        .merge_file()
        .context("invalid configuration")?;
    init_tracing(cli.common.log_json);
    let config = cli.resolve().context("invalid configuration")?;
    let cancel = livepeer_chain::shutdown::on_signal().context("installing the signal handlers")?;
    Keeper::new(config)
        .run(cancel)
        .await
        .context("keeper failed")
}
