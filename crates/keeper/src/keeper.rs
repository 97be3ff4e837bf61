//! The keeper's set-up: the RPC connection, the contracts, the signer, the metrics server, and
//! the engine ([`livepeer_chain::engine`]) running [`KeeperBot`].

use std::{sync::Arc, time::Duration};

use livepeer_chain::{
    ChainError, counter::RequestCounter, engine::Engine, protocol::Protocol, provider::connect,
    sender::TxSender, signer::load_signer,
};
use tokio_util::sync::CancellationToken;

use crate::{bot::KeeperBot, config::KeeperConfig, decide::TurnConfig, metrics::Metrics};

/// Errors that stop the keeper.
#[derive(Debug, thiserror::Error)]
pub enum KeeperError {
    /// Start-up chain failure (connection, discovery, signer).
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The metrics server could not bind.
    #[error("metrics server: {0}")]
    Metrics(#[from] std::io::Error),
}

/// A configured keeper; [`Keeper::run`] drives it.
#[derive(Debug)]
pub struct Keeper {
    config: KeeperConfig,
    metrics: Arc<Metrics>,
    counter: RequestCounter,
}

impl Keeper {
    /// A keeper for `config` (nothing is contacted until [`Keeper::run`]).
    pub fn new(config: KeeperConfig) -> Self {
        let counter = RequestCounter::new();
        let metrics = Arc::new(Metrics::new(counter.clone(), config.max_failed_reads));
        Self {
            config,
            metrics,
            counter,
        }
    }

    /// The keeper's metrics (live while it runs).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Runs until `cancel` fires. A transaction in flight at shutdown is logged with its hash
    /// and nonce; the next start sees it as pending and does not send another.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), KeeperError> {
        let Self {
            config,
            metrics,
            counter,
        } = self;
        let rpc = connect(&config.rpc, counter).await?;
        let protocol = Protocol::discover(rpc.provider.clone(), config.controller).await?;
        let signer = load_signer(&config.key)?;
        let me = signer.address();
        let sender =
            Arc::new(TxSender::new(rpc.provider.clone(), signer, config.fees.clone()).await?);
        if let Some(addr) = config.metrics_addr {
            let health_age = (config.poll_interval * 10).max(Duration::from_secs(60));
            let bound =
                livepeer_chain::server::serve(addr, metrics.clone(), health_age, cancel.clone())
                    .await?;
            tracing::info!(%bound, "metrics and health served");
        }
        let bot = KeeperBot {
            provider: rpc.provider.clone(),
            rounds_manager: protocol.addresses.rounds_manager,
            turn: TurnConfig {
                me,
                keepers: config.keepers.clone(),
                turn_delay_blocks: config.turn_delay_blocks,
                gas_ceiling: config.gas_ceiling,
            },
            replace_after_blocks: config.fees.replace_after_blocks,
            dry_run: config.dry_run,
            metrics,
        };
        Engine::new(bot, rpc, config.poll_interval)
            .with_lane(sender)
            .dry_run(config.dry_run)
            .run(&cancel)
            .await;
        tracing::info!("keeper stopped");
        Ok(())
    }
}
