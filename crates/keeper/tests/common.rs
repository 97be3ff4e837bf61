//! Shared harness: a devnet with the protocol, keepers run in-process, manual mining.

#![allow(dead_code)]

use std::{sync::Arc, time::Duration};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail};
use livepeer_bindings::{IRoundsManager, contract_id, names};
use livepeer_chain::{
    provider::RpcConfig,
    sender::{FeePolicy, poll_until},
    signer::KeySource,
    testchain::{DEV_KEYS, Flavor, TestChain},
};
use livepeer_keeper::{Keeper, config::KeeperConfig, metrics::Metrics};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const ROUND_LENGTH: u64 = 20;

#[derive(Debug)]
pub struct Net {
    pub devnet: TestChain,
    pub provider: DynProvider,
    pub rounds_manager: Address,
    pub keys_dir: tempfile::TempDir,
}

#[derive(Debug)]
pub struct RunningKeeper {
    pub address: Address,
    pub metrics: Arc<Metrics>,
    pub cancel: CancellationToken,
    pub handle: JoinHandle<Result<(), livepeer_keeper::KeeperError>>,
}

impl RunningKeeper {
    pub async fn stop(self) -> Result<()> {
        self.cancel.cancel();
        self.handle.await??;
        Ok(())
    }
}

pub fn address_of(key_index: usize) -> Address {
    DEV_KEYS[key_index]
        .parse::<PrivateKeySigner>()
        .map(|s| s.address())
        .unwrap_or_default()
}

impl Net {
    /// A devnet with our protocol deployed and automine off (the test mines).
    pub async fn start() -> Result<Self> {
        Self::start_on(Flavor::Ours).await
    }

    /// A devnet with `flavor`'s protocol deployed and automine off (the test mines).
    pub async fn start_on(flavor: Flavor) -> Result<Self> {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .try_init();
        let devnet = TestChain::start_flavor(flavor).await?;
        let provider = ProviderBuilder::new()
            .connect_http(devnet.http_url().parse()?)
            .erased();
        let controller = livepeer_bindings::IController::new(devnet.controller, &provider);
        let rounds_manager = controller
            .getContract(contract_id(names::ROUNDS_MANAGER))
            .call()
            .await?;
        let net = Self {
            devnet,
            provider,
            rounds_manager,
            keys_dir: tempfile::tempdir()?,
        };
        net.automine(false).await?;
        Ok(net)
    }

    pub async fn automine(&self, on: bool) -> Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_setAutomine".into(), (on,))
            .await?;
        Ok(())
    }

    pub async fn mine(&self, blocks: u64) -> Result<u64> {
        let _: serde_json::Value = self
            .provider
            .raw_request("anvil_mine".into(), (U256::from(blocks),))
            .await?;
        self.head().await
    }

    pub async fn head(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    pub fn rounds(&self) -> IRoundsManager::IRoundsManagerInstance<&DynProvider> {
        IRoundsManager::new(self.rounds_manager, &self.provider)
    }

    /// `(currentRound, lastInitializedRound, currentRoundStartBlock)` at the head.
    pub async fn round_state(&self) -> Result<(u64, u64, u64)> {
        let rm = self.rounds();
        Ok((
            rm.currentRound().call().await?.to(),
            rm.lastInitializedRound().call().await?.to(),
            rm.currentRoundStartBlock().call().await?.to(),
        ))
    }

    pub fn config(&self, key_index: usize, keepers: &[usize], ws: bool) -> Result<KeeperConfig> {
        let path = self.keys_dir.path().join(format!("key{key_index}"));
        std::fs::write(&path, DEV_KEYS[key_index])?;
        let url = if ws {
            self.devnet.ws_url()
        } else {
            self.devnet.http_url()
        };
        let mut rpc = RpcConfig::new(vec![url]);
        rpc.max_retries = 2;
        rpc.initial_backoff_ms = 50;
        rpc.request_timeout = Duration::from_secs(2);
        Ok(KeeperConfig {
            rpc,
            controller: self.devnet.controller,
            key: KeySource::PrivateKeyFile(path),
            keepers: keepers.iter().map(|i| address_of(*i)).collect(),
            turn_delay_blocks: 2,
            gas_ceiling: None,
            fees: FeePolicy {
                replace_after_blocks: 2,
                ..FeePolicy::default()
            },
            poll_interval: Duration::from_millis(20),
            metrics_addr: None,
            max_failed_reads: 3,
            dry_run: false,
        })
    }

    pub fn spawn(&self, config: KeeperConfig) -> RunningKeeper {
        let address = match &config.key {
            KeySource::PrivateKeyFile(path) => std::fs::read_to_string(path)
                .ok()
                .and_then(|k| k.trim().parse::<PrivateKeySigner>().ok())
                .map(|s| s.address())
                .unwrap_or_default(),
            _ => Address::ZERO,
        };
        let keeper = Keeper::new(config);
        let metrics = keeper.metrics();
        let cancel = CancellationToken::new();
        let handle = tokio::spawn(keeper.run(cancel.clone()));
        RunningKeeper {
            address,
            metrics,
            cancel,
            handle,
        }
    }

    /// Mines `blocks` and waits until every keeper has handled the new head.
    pub async fn step(&self, blocks: u64, keepers: &[&RunningKeeper]) -> Result<u64> {
        let head = self.mine(blocks).await?;
        wait_processed(keepers, head).await?;
        Ok(head)
    }

    /// Blocks of the `NewRound` events in `[from, to]`, by round.
    pub async fn new_round_blocks(&self, from: u64, to: u64) -> Result<Vec<(u64, u64)>> {
        let filter = Filter::new()
            .address(self.rounds_manager)
            .event_signature(IRoundsManager::NewRound::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let mut out = Vec::new();
        for log in self.provider.get_logs(&filter).await? {
            let event = IRoundsManager::NewRound::decode_log_data(log.data())?;
            out.push((
                event.round.to::<u64>(),
                log.block_number.unwrap_or_default(),
            ));
        }
        Ok(out)
    }

    /// Every transaction to the RoundsManager mined in `[from, to]`: `(block, success)`.
    pub async fn rounds_manager_txs(&self, from: u64, to: u64) -> Result<Vec<(u64, bool)>> {
        let mut out = Vec::new();
        for n in from..=to {
            let receipts = self
                .provider
                .get_block_receipts(n.into())
                .await?
                .context("no receipts")?;
            for r in receipts {
                if r.to == Some(self.rounds_manager) {
                    out.push((n, r.status()));
                }
            }
        }
        Ok(out)
    }

    /// Mines up to the block before the next round starts, and waits for the keepers.
    pub async fn to_block_before_next_round(&self, keepers: &[&RunningKeeper]) -> Result<u64> {
        let (_, _, start) = self.round_state().await?;
        let head = self.head().await?;
        let next = start + ROUND_LENGTH;
        if head + 1 < next {
            self.step(next - 1 - head, keepers).await?;
        }
        Ok(next)
    }
}

pub async fn wait_processed(keepers: &[&RunningKeeper], block: u64) -> Result<()> {
    for keeper in keepers {
        if keeper.handle.is_finished() {
            bail!("keeper {} exited", keeper.address);
        }
        let ok = poll_until(
            Duration::from_millis(3),
            Duration::from_secs(20),
            || async { Metrics::get(&keeper.metrics.processed_block) >= block },
        )
        .await;
        if !ok {
            bail!(
                "keeper {} did not handle block {block} (at {})",
                keeper.address,
                Metrics::get(&keeper.metrics.processed_block)
            );
        }
    }
    Ok(())
}
