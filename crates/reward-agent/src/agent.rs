//! The agent loop: new head → one [`RewardLens`](crate::lens) read → [`decide`] for each
//! orchestrator → send.

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, Bytes, TxHash},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::SolCall,
};
use livepeer_bindings::IBondingManager;
use livepeer_chain::{
    ChainError,
    blocks::{BlockStream, Head},
    counter::RequestCounter,
    missed::RoundDuty,
    protocol::{Protocol, RewardCallerSupport},
    provider::connect,
    revert::RevertReason,
    sender::{Confirmed, NonceMode, SendEvents, TxSender},
    server,
    signer::load_signer,
};
use livepeer_protocol::rewards::RewardEstimate;
use tokio::{sync::watch, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::{
    config::AgentConfig,
    decide::{Decision, RoundMemory, decide},
    lens::{Snapshot, last_reward_round, lens_input, read_snapshot, snapshot_round},
    metrics::Metrics,
    missed::{decision_name, observation},
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

/// The calldata of a reward with hints: `rewardWithHint` with the orchestrator's own key,
/// `rewardForTranscoderWithHint` (LIP-118) with its reward caller's.
pub fn reward_calldata(orchestrator: Address, signer: Address, hints: (Address, Address)) -> Bytes {
    let (prev, next) = hints;
    if signer == orchestrator {
        IBondingManager::rewardWithHintCall {
            newPosPrev: prev,
            newPosNext: next,
        }
        .abi_encode()
        .into()
    } else {
        IBondingManager::rewardForTranscoderWithHintCall {
            transcoder: orchestrator,
            newPosPrev: prev,
            newPosNext: next,
        }
        .abi_encode()
        .into()
    }
}

/// The `Reward(transcoder, amount)` amount in a receipt, if any.
pub fn reward_in_receipt(
    receipt: &TransactionReceipt,
    orchestrator: Address,
) -> Option<alloy::primitives::U256> {
    receipt.inner.logs().iter().find_map(|log| {
        log.log_decode::<IBondingManager::Reward>()
            .ok()
            .filter(|e| e.inner.data.transcoder == orchestrator)
            .map(|e| e.inner.data.amount)
    })
}

struct Task {
    handle: JoinHandle<Result<Confirmed, ChainError>>,
    cancel: CancellationToken,
    /// Block of the first broadcast (0: waiting for the signer's lock, nothing sent yet).
    sent_at: Arc<AtomicU64>,
    round: u64,
    estimate: RewardEstimate,
}

struct Served {
    address: Address,
    sender: Arc<TxSender>,
    memory: RoundMemory,
    task: Option<Task>,
    /// Active, initialized round and not rewarded at the last block seen.
    owed: bool,
    /// The round the agent last saw a transaction of ours pending from before it started.
    pending_before_start: Option<u64>,
    /// Rounds ended with the reward owed ([`crate::missed`]).
    duty: RoundDuty,
    /// Why nothing was rewarded yet, as of the last block (for the missed round's log line).
    last_cause: String,
}

struct Events {
    metrics: Arc<Metrics>,
    orchestrator: Address,
    heads: watch::Receiver<Head>,
    sent_at: Arc<AtomicU64>,
}

impl SendEvents for Events {
    fn sent(&self, hash: TxHash, nonce: u64) {
        self.sent_at
            .store(self.heads.borrow().number.max(1), Ordering::Relaxed);
        self.metrics
            .orchestrator(self.orchestrator, |m| m.txs_sent += 1);
        tracing::info!(orchestrator = %self.orchestrator, %hash, nonce, "reward sent");
    }
    fn replaced(&self, _old: TxHash, _new: TxHash) {
        self.metrics
            .orchestrator(self.orchestrator, |m| m.txs_sent += 1);
    }
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
    /// chain says which orchestrators still owe this round's reward.
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
        let pairs: Vec<(Address, Address)> = config
            .orchestrators
            .iter()
            .zip(&signers)
            .map(|(o, signer)| (o.address, signer.address()))
            .collect();
        check_reward_callers(reward_callers, &pairs)?;
        // One sender per signing account: orchestrators sharing a reward caller share its nonces.
        let mut senders: BTreeMap<Address, Arc<TxSender>> = BTreeMap::new();
        let mut served = Vec::new();
        for (o, signer) in config.orchestrators.iter().zip(signers) {
            let address = signer.address();
            let sender = match senders.get(&address) {
                Some(sender) => sender.clone(),
                None => {
                    let sender = Arc::new(
                        TxSender::new(rpc.provider.clone(), signer, config.fees.clone()).await?,
                    );
                    senders.insert(address, sender.clone());
                    sender
                }
            };
            let mode = if address == o.address {
                "own key"
            } else {
                "reward caller"
            };
            tracing::info!(orchestrator = %o.address, signer = %address, mode, "serving");
            if address == o.address {
                // Its own key may always reward it; a reward caller's is known at the first read.
                metrics.orchestrator(o.address, |m| m.authorized = 1);
            }
            served.push(Served {
                address: o.address,
                sender,
                memory: RoundMemory::default(),
                task: None,
                owed: false,
                pending_before_start: None,
                duty: RoundDuty::default(),
                last_cause: "nothing read yet".to_owned(),
            });
        }
        let accounts: Vec<Address> = senders.keys().copied().collect();
        let orchestrators: Vec<Address> = served.iter().map(|s| s.address).collect();
        let input = lens_input(config.controller, reward_callers, &orchestrators, &accounts);
        if let Some(addr) = config.metrics_addr {
            let health_age = (config.poll_interval * 10).max(Duration::from_secs(60));
            let bound = server::serve(addr, metrics.clone(), health_age, cancel.clone()).await?;
            tracing::info!(%bound, "metrics and health served");
        }
        let mut blocks = BlockStream::new(&rpc, config.poll_interval).await;
        tracing::info!(
            orchestrators = served.len(),
            signers = accounts.len(),
            subscribed = blocks.is_subscribed(),
            dry_run = config.dry_run,
            "reward agent started"
        );
        let (head_tx, head_rx) = watch::channel(Head {
            number: 0,
            base_fee: 0,
        });
        while let Some(next) = blocks.next(&cancel).await {
            let head = match next {
                Ok(head) => head,
                Err(err) => {
                    read_failed(&metrics, &err, None);
                    continue;
                }
            };
            head_tx.send_replace(head);
            metrics.lock().head_block = head.number;
            let snapshot = match read_snapshot(&rpc.provider, &input, head.number).await {
                Ok(snapshot) => snapshot,
                Err(err) => {
                    read_failed(&metrics, &err, Some(head.number));
                    // Rounds still end: at the bounds of the last good snapshot.
                    for s in &mut served {
                        // A reward confirmed meanwhile is known without a snapshot.
                        finish_task(s, &metrics, head.number, config.policy.max_backoff_blocks)
                            .await;
                        s.last_cause = format!("chain reads failing ({err})");
                        let missed = s.duty.advance(head.number, None);
                        count_missed(s, &missed, &metrics, head.number);
                    }
                    continue;
                }
            };
            let round = snapshot_round(&snapshot);
            {
                let mut inner = metrics.lock();
                inner.current_round = round.get();
                for (account, balance) in accounts.iter().zip(&snapshot.balances) {
                    inner.signer_balances.insert(*account, *balance);
                }
            }
            metrics.mark_ok();
            for (index, s) in served.iter_mut().enumerate() {
                let Some(o) = snapshot.orchestrators.get(index) else {
                    continue;
                };
                let signer = s.sender.address();
                if let Some(previous) = s.memory.enter(round)
                    && previous.failures > 0
                {
                    s.last_cause =
                        format!("{}, {} failed attempts", s.last_cause, previous.failures);
                }
                let missed = s
                    .duty
                    .advance(head.number, Some(&observation(&snapshot, o)));
                count_missed(s, &missed, &metrics, head.number);
                finish_task(s, &metrics, head.number, config.policy.max_backoff_blocks).await;
                let authorized = signer == s.address || o.rewardCaller == signer;
                let last_reward = last_reward_round(o);
                metrics.orchestrator(s.address, |m| {
                    m.last_rewarded_round = last_reward.get();
                    m.authorized = u64::from(authorized);
                });
                s.owed = o.active
                    && snapshot.lastInitializedRound == snapshot.currentRound
                    && last_reward != round;
                s.memory.in_flight_since = match &s.task {
                    Some(task) => match task.sent_at.load(Ordering::Relaxed) {
                        0 => Some(head.number),
                        at => Some(at),
                    },
                    None => s.pending_before_start.filter(|_| s.owed),
                };
                let decision = decide(&snapshot, o, signer, &s.memory, &config.policy);
                s.last_cause = decision_name(&decision);
                act(
                    s, decision, &snapshot, head, &head_rx, &metrics, &config, &cancel,
                )
                .await;
            }
            metrics.lock().processed_block = head.number;
        }
        let head = head_rx.borrow().number;
        for s in &mut served {
            if let Some(task) = s.task.take() {
                // The sender returns at once on cancellation, logging what is still in flight;
                // a task that finished meanwhile is recorded.
                task.cancel.cancel();
                record(s, task, &metrics, head, config.policy.max_backoff_blocks).await;
            }
        }
        tracing::info!("reward agent stopped");
        Ok(())
    }
}

/// Counts a failed read and says so (an error too when `/health` turns 503: `ReadHealth::failed`).
fn read_failed(metrics: &Metrics, err: &ChainError, block: Option<u64>) {
    let failed = metrics.read_failed();
    match block {
        Some(block) => tracing::warn!(%err, block, failed, "reading the reward state failed"),
        None => tracing::warn!(%err, failed, "reading the head failed"),
    }
}

/// Counts and logs the rounds `missed` by orchestrator `s`.
fn count_missed(s: &Served, missed: &[u64], metrics: &Metrics, block: u64) {
    if missed.is_empty() {
        return;
    }
    metrics.orchestrator(s.address, |m| m.missed_rounds += missed.len() as u64);
    for round in missed {
        tracing::error!(
            orchestrator = %s.address,
            round,
            block,
            last = %s.last_cause,
            "ROUND MISSED: {} was active and not rewarded in round {round}",
            s.address
        );
    }
}

async fn finish_task(s: &mut Served, metrics: &Metrics, head: u64, max_backoff: u64) {
    if !s.task.as_ref().is_some_and(|t| t.handle.is_finished()) {
        return;
    }
    if let Some(task) = s.task.take() {
        record(s, task, metrics, head, max_backoff).await;
    }
}

/// Records the outcome of a finished (or cancelled) reward task.
async fn record(s: &mut Served, task: Task, metrics: &Metrics, head: u64, max_backoff: u64) {
    let result = task.handle.await.unwrap_or(Err(ChainError::Cancelled));
    let orchestrator = s.address;
    match result {
        Ok(confirmed) => {
            let receipt = &confirmed.receipt;
            let amount = reward_in_receipt(receipt, orchestrator).unwrap_or(task.estimate.reward);
            if amount != task.estimate.reward {
                tracing::warn!(%orchestrator, predicted = %task.estimate.reward, %amount, "reward differs from the prediction");
            }
            metrics.orchestrator(orchestrator, |m| {
                m.rewards_confirmed += 1;
                m.last_reward_amount = amount;
                m.gas_used = m.gas_used.saturating_add(receipt.gas_used);
                m.gas_spent_wei = m.gas_spent_wei.saturating_add(
                    u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price),
                );
            });
            s.pending_before_start = None;
            s.duty.done(task.round);
            tracing::info!(
                %orchestrator,
                round = task.round,
                %amount,
                gas_used = receipt.gas_used,
                block = receipt.block_number.unwrap_or(head),
                hash = %receipt.transaction_hash,
                "rewarded"
            );
        }
        Err(ChainError::SimulationReverted(reason)) if is_already_rewarded(&reason) => {
            s.duty.done(task.round);
            tracing::info!(%orchestrator, "already rewarded this round; nothing sent");
        }
        Err(ChainError::InFlight { latest, pending }) => {
            // Sent before a restart: wait for it, replace it with fresh hints if it stays stuck.
            s.pending_before_start = Some(head);
            tracing::info!(%orchestrator, latest, pending, "a transaction of this signer is already pending; waiting for it");
        }
        Err(ChainError::Cancelled) => {}
        Err(err) => {
            s.memory.failed(head, max_backoff);
            metrics.orchestrator(orchestrator, |m| m.failures += 1);
            tracing::warn!(%orchestrator, %err, failures = s.memory.failures, retry_at = s.memory.retry_at, "reward failed; retrying this round");
        }
    }
}

fn is_already_rewarded(reason: &RevertReason) -> bool {
    use IBondingManager::IBondingManagerErrors as E;
    match reason {
        RevertReason::BondingManager(E::AlreadyRewarded(_)) => true,
        RevertReason::Message(msg) => msg.contains("already called reward"),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
async fn act(
    s: &mut Served,
    decision: Decision,
    snapshot: &Snapshot,
    head: Head,
    heads: &watch::Receiver<Head>,
    metrics: &Arc<Metrics>,
    config: &AgentConfig,
    cancel: &CancellationToken,
) {
    let orchestrator = s.address;
    let round = s.memory.round.get();
    let (hints, estimate, mode) = match decision {
        Decision::Reward { hints, estimate } => (hints, estimate, NonceMode::Next),
        Decision::Replace { hints, estimate } => {
            if let Some(task) = s.task.take() {
                task.cancel.cancel();
                let _ = task.handle.await;
            }
            s.pending_before_start = None;
            tracing::warn!(%orchestrator, round, "reward stuck; replacing it with hints from the current pool");
            (hints, estimate, NonceMode::ReplaceInFlight)
        }
        Decision::NotAuthorized { authorized, report } => {
            if report {
                s.memory.unauthorized_reported = true;
                tracing::error!(
                    %orchestrator,
                    signer = %s.sender.address(),
                    %authorized,
                    round,
                    "NOT AUTHORIZED: our key is not this orchestrator's reward caller; the orchestrator must call setRewardCaller(signer), or the round's reward is lost"
                );
            }
            return;
        }
        Decision::Defer {
            base_fee,
            ceiling,
            count,
        } => {
            if count {
                s.memory.deferral_counted = true;
                metrics.orchestrator(orchestrator, |m| m.gas_deferrals += 1);
            }
            tracing::warn!(%orchestrator, round, base_fee, ceiling, "base fee above the ceiling; deferring");
            return;
        }
        Decision::Unprofitable {
            gas_cost_wei,
            reward_value_wei,
            count,
        } => {
            if count {
                s.memory.unprofitable_counted = true;
                metrics.orchestrator(orchestrator, |m| m.skipped_unprofitable += 1);
                tracing::warn!(%orchestrator, round, gas_cost_wei, reward_value_wei, "reward not worth its gas; skipping while that holds");
            }
            return;
        }
        other => {
            tracing::debug!(%orchestrator, round, decision = ?other, "no reward to send");
            return;
        }
    };
    if config.dry_run {
        tracing::info!(%orchestrator, round, ?hints, reward = %estimate.reward, "dry run: would call reward");
        return;
    }
    let signer = s.sender.address();
    let tx = TransactionRequest::default()
        .to(snapshot.bondingManager)
        .input(reward_calldata(orchestrator, signer, hints).into());
    tracing::info!(%orchestrator, round, block = head.number, prev = %hints.0, next = %hints.1, reward = %estimate.reward, new_stake = %estimate.new_stake, "calling reward");
    let task_cancel = cancel.child_token();
    let sent_at = Arc::new(AtomicU64::new(0));
    let events = Events {
        metrics: metrics.clone(),
        orchestrator,
        heads: heads.clone(),
        sent_at: sent_at.clone(),
    };
    let sender = s.sender.clone();
    let heads = heads.clone();
    let token = task_cancel.clone();
    let base_fee = head.base_fee;
    s.memory.in_flight_since = Some(head.number);
    s.task = Some(Task {
        handle: tokio::spawn(async move {
            sender
                .send(tx, base_fee, mode, heads, &token, &events)
                .await
        }),
        cancel: task_cancel,
        sent_at,
        round,
        estimate,
    });
}
