//! The reward agent's set-up: the RPC connection, the contracts, LIP-118 support, the signers
//! (one lane each), the lens, the metrics server, and the engine ([`livepeer_chain::engine`])
//! running [`RewardBot`].

use std::{
    collections::{BTreeMap, btree_map::Entry},
    sync::Arc,
    time::Duration,
};

use alloy::primitives::Address;
use livepeer_chain::{
    ChainError,
    counter::RequestCounter,
    engine::Engine,
    protocol::{Protocol, RewardCallerSupport},
    provider::connect,
    sender::TxSender,
    server,
    signer::load_signer,
};
use tokio_util::sync::CancellationToken;

use crate::{
    bot::RewardBot, config::AgentConfig, lens::lens_input, metrics::Metrics, step::Served,
};

/// Errors that stop the agent (at start-up only; the loop itself never gives up).
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Start-up chain failure (connection, signer).
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The metrics server could not bind.
    #[error("metrics server: {0}")]
    Metrics(#[from] std::io::Error),
    /// An orchestrator is served with another account's key, which can call reward for it only as
    /// its reward caller (LIP-118), on a deployment whose BondingManager has no reward callers:
    /// none of its rewards could ever be sent.
    #[error(
        "orchestrator {orchestrator} is served with the key of {signer}, which could call reward for it only as its reward caller (LIP-118), but this deployment's BondingManager has no reward callers: configure the orchestrator's own key for it (--orchestrator {orchestrator}=<its key>)"
    )]
    RewardCallerUnsupported {
        /// The orchestrator.
        orchestrator: Address,
        /// The account whose key was configured for it.
        signer: Address,
    },
}

/// Refuses caller mode (an orchestrator served with a key that is not its own) when the
/// deployment has no reward callers; `served` is `(orchestrator, signer)` pairs. Own-key mode
/// works either way.
pub fn check_reward_callers(
    support: RewardCallerSupport,
    served: &[(Address, Address)],
) -> Result<(), AgentError> {
    if support.is_supported() {
        return Ok(());
    }
    match served.iter().find(|(o, signer)| o != signer) {
        Some(&(orchestrator, signer)) => Err(AgentError::RewardCallerUnsupported {
            orchestrator,
            signer,
        }),
        None => Ok(()),
    }
}

/// A configured agent; [`Agent::run`] drives it.
#[derive(Debug)]
pub struct Agent {
    config: AgentConfig,
    metrics: Arc<Metrics>,
    counter: RequestCounter,
}

impl Agent {
    /// An agent for `config` (nothing is contacted until [`Agent::run`]).
    pub fn new(config: AgentConfig) -> Self {
        let counter = RequestCounter::new();
        let metrics = Arc::new(Metrics::new(counter.clone(), config.max_failed_reads));
        // Every served orchestrator has its series from the start, so alerts have something to
        // evaluate even if no read ever succeeds.
        for o in &config.orchestrators {
            metrics.orchestrator(o.address, |_| {});
        }
        Self {
            config,
            metrics,
            counter,
        }
    }

    /// The agent's metrics (live while it runs).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// The agent's RPC request counter.
    pub fn counter(&self) -> RequestCounter {
        self.counter.clone()
    }

    /// Runs until `cancel` fires. Holds no state that matters across restarts: each block the
    /// chain says which orchestrators still owe this round's reward, and a reward in flight at
    /// shutdown is seen as its signer's pending transaction at the next start.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), AgentError> {
        let Self {
            config,
            metrics,
            counter,
        } = self;
        let rpc = connect(&config.rpc, counter).await?;
        // LIP-118, once: without it only own keys can reward, and the lens must not ask for callers.
        let protocol = Protocol::discover(rpc.provider.clone(), config.controller).await?;
        let reward_callers = protocol.reward_caller_support().await?;
        if reward_callers.is_supported() {
            tracing::info!("reward caller (LIP-118): supported");
        } else {
            tracing::info!(
                "reward caller (LIP-118): not supported by this deployment: own-key mode only"
            );
        }
        let signers = config
            .orchestrators
            .iter()
            .map(|o| load_signer(&o.key))
            .collect::<Result<Vec<_>, _>>()?;
        let served: Vec<Served> = config
            .orchestrators
            .iter()
            .zip(&signers)
            .map(|(o, signer)| Served {
                orchestrator: o.address,
                signer: signer.address(),
            })
            .collect();
        let pairs: Vec<(Address, Address)> =
            served.iter().map(|s| (s.orchestrator, s.signer)).collect();
        check_reward_callers(reward_callers, &pairs)?;
        // One lane per signing account: orchestrators sharing a reward caller share its nonces.
        let mut lanes: BTreeMap<Address, Arc<TxSender>> = BTreeMap::new();
        for (s, signer) in served.iter().zip(signers) {
            if let Entry::Vacant(lane) = lanes.entry(s.signer) {
                let sender =
                    TxSender::new(rpc.provider.clone(), signer, config.fees.clone()).await?;
                lane.insert(Arc::new(sender));
            }
            let own = s.signer == s.orchestrator;
            let mode = if own { "own key" } else { "reward caller" };
            tracing::info!(orchestrator = %s.orchestrator, signer = %s.signer, mode, "serving");
            if own {
                // Its own key may always reward it; a reward caller's is known at the first read.
                metrics.orchestrator(s.orchestrator, |m| m.authorized = 1);
            }
        }
        let accounts: Vec<Address> = lanes.keys().copied().collect();
        let orchestrators: Vec<Address> = served.iter().map(|s| s.orchestrator).collect();
        let lens = lens_input(config.controller, reward_callers, &orchestrators, &accounts);
        if let Some(addr) = config.metrics_addr {
            let health_age = (config.poll_interval * 10).max(Duration::from_secs(60));
            let bound = server::serve(addr, metrics.clone(), health_age, cancel.clone()).await?;
            tracing::info!(%bound, "metrics and health served");
        }
        let bot = RewardBot {
            provider: rpc.provider.clone(),
            lens,
            served,
            accounts,
            policy: config.policy.clone(),
            dry_run: config.dry_run,
            metrics,
        };
        let mut engine = Engine::new(bot, rpc, config.poll_interval).dry_run(config.dry_run);
        for sender in lanes.into_values() {
            engine = engine.with_lane(sender);
        }
        engine.run(&cancel).await;
        tracing::info!("reward agent stopped");
        Ok(())
    }
}
