//! The keeper loop: new head → read the round state → [`decide`] → send.

use std::{sync::Arc, time::Duration};

use alloy::{
    eips::BlockId,
    primitives::{Address, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::{client::BatchRequest, types::TransactionRequest},
    sol_types::{SolCall, SolValue},
};
use livepeer_bindings::IRoundsManager;
use livepeer_chain::{
    ChainError,
    blocks::{BlockStream, Head},
    counter::RequestCounter,
    missed::RoundDuty,
    protocol::Protocol,
    provider::connect,
    sender::{Confirmed, NonceMode, SendEvents, TxSender},
    signer::load_signer,
};
use tokio::{
    sync::{oneshot, watch},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

use crate::{
    config::KeeperConfig,
    decide::{Decision, RoundState, TurnConfig, decide},
    metrics::Metrics,
};

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

struct MetricEvents {
    metrics: Arc<Metrics>,
    broadcast: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    progress: watch::Sender<u64>,
}

impl SendEvents for MetricEvents {
    fn sent(&self, _hash: alloy::primitives::TxHash, _nonce: u64) {
        Metrics::inc(&self.metrics.txs_sent);
        if let Some(tx) = self.broadcast.lock().ok().and_then(|mut b| b.take()) {
            let _ = tx.send(());
        }
    }
    fn replaced(&self, _old: alloy::primitives::TxHash, _new: alloy::primitives::TxHash) {
        Metrics::inc(&self.metrics.txs_replaced);
    }
    fn reorged(&self, _hash: alloy::primitives::TxHash) {
        Metrics::inc(&self.metrics.txs_reorged);
    }
    fn tracked(&self, block: u64) {
        self.progress.send_replace(block);
    }
}

struct InFlight {
    handle: JoinHandle<Result<Confirmed, ChainError>>,
    round_start: u64,
    /// First block of the round after the one it initializes.
    next_round_start: u64,
    progress: watch::Receiver<u64>,
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
        let turn = TurnConfig {
            me,
            keepers: config.keepers.clone(),
            turn_delay_blocks: config.turn_delay_blocks,
            gas_ceiling: config.gas_ceiling,
        };
        let rounds_manager = protocol.addresses.rounds_manager;
        let mut blocks = BlockStream::new(&rpc, config.poll_interval).await;
        tracing::info!(
            keeper = %me,
            %rounds_manager,
            subscribed = blocks.is_subscribed(),
            dry_run = config.dry_run,
            "keeper started"
        );
        let (head_tx, head_rx) = watch::channel(Head {
            number: 0,
            base_fee: 0,
        });
        let mut in_flight: Option<InFlight> = None;
        let mut pending_since: Option<u64> = None;
        let mut duty = RoundDuty::default();

        while let Some(next) = blocks.next(&cancel).await {
            let head = match next {
                Ok(head) => head,
                Err(err) => {
                    read_failed(&metrics, &err, None);
                    continue;
                }
            };
            head_tx.send_replace(head);
            Metrics::set(&metrics.head_block, head.number);
            let mut seen = None;
            'step: {
                if let Some(task) = &mut in_flight {
                    // The sender follows the transaction on its own task; the block is handled
                    // once it has looked at it. A closed channel means the attempt ended.
                    let still_running = tokio::select! {
                        _ = cancel.cancelled() => true,
                        seen = task.progress.wait_for(|b| *b >= head.number) => seen.is_ok(),
                    };
                    if still_running {
                        break 'step;
                    }
                }
                if let Some(task) = in_flight.take() {
                    let result = task.handle.await.unwrap_or(Err(ChainError::Cancelled));
                    let confirmed = result.is_ok();
                    record_outcome(
                        &metrics,
                        result,
                        task.round_start,
                        head.number,
                        &mut pending_since,
                    );
                    if confirmed {
                        // Our initializeRound() is confirmed at this head: the round is
                        // initialized, no need to read it back. The next block reads as usual,
                        // unless this head is already in the next round, which is due now.
                        let round = Metrics::get(&metrics.current_round);
                        Metrics::set(&metrics.last_initialized_round, round);
                        duty.done(round);
                        metrics.mark_ok();
                        if head.number < task.next_round_start {
                            break 'step;
                        }
                    }
                }
                let state = match read_state(&rpc.provider, rounds_manager, me, head).await {
                    Ok((state, balance)) => {
                        metrics.set_balance(balance);
                        metrics.mark_ok();
                        state
                    }
                    Err(err) => {
                        read_failed(&metrics, &err, Some(head.number));
                        break 'step;
                    }
                };
                seen = Some(state.observation());
                let previously_initialized = Metrics::get(&metrics.last_initialized_round);
                Metrics::set(&metrics.current_round, state.current_round);
                Metrics::set(
                    &metrics.last_initialized_round,
                    state.last_initialized_round,
                );
                let decision = decide(&state, &turn);
                if decision != Decision::Idle && !matches!(decision, Decision::Defer { .. }) {
                    Metrics::set(&metrics.gas_above_ceiling, 0);
                }
                match decision {
                    Decision::Idle => {
                        pending_since = None;
                        Metrics::set(&metrics.gas_above_ceiling, 0);
                        if state.last_initialized_round > previously_initialized
                            && previously_initialized != 0
                        {
                            // Initialized by someone else (ours sets the exact figure from the receipt).
                            tracing::info!(
                                round = state.last_initialized_round,
                                "round initialized"
                            );
                        }
                    }
                    Decision::Wait { turn_block } => {
                        tracing::debug!(
                            round = state.current_round,
                            turn_block,
                            "waiting for our turn"
                        );
                    }
                    Decision::Defer { base_fee, ceiling } => {
                        Metrics::set(&metrics.gas_above_ceiling, 1);
                        Metrics::inc(&metrics.gas_deferrals);
                        tracing::warn!(
                            round = state.current_round,
                            base_fee,
                            ceiling,
                            "base fee above the ceiling; deferring"
                        );
                    }
                    Decision::Initialize { round } if config.dry_run => {
                        Metrics::inc(&metrics.dry_run_skips);
                        tracing::info!(
                            round,
                            block = head.number,
                            "dry run: would send initializeRound()"
                        );
                    }
                    Decision::Initialize { round } => {
                        let mode = match pending_since {
                            Some(since)
                                if head.number >= since + config.fees.replace_after_blocks =>
                            {
                                tracing::warn!(
                                    since,
                                    "an earlier transaction is still pending; replacing it"
                                );
                                NonceMode::ReplaceInFlight
                            }
                            _ => NonceMode::Next,
                        };
                        tracing::info!(
                            round,
                            block = head.number,
                            blocks_into_round = state.blocks_into_round(),
                            "initializing round"
                        );
                        let tx = TransactionRequest::default()
                            .to(rounds_manager)
                            .input(IRoundsManager::initializeRoundCall {}.abi_encode().into());
                        let sender = sender.clone();
                        let heads = head_rx.clone();
                        let cancel = cancel.clone();
                        let (broadcast_tx, broadcast_rx) = oneshot::channel();
                        let (progress_tx, progress_rx) = watch::channel(head.number);
                        let events = MetricEvents {
                            metrics: metrics.clone(),
                            broadcast: std::sync::Mutex::new(Some(broadcast_tx)),
                            progress: progress_tx,
                        };
                        let base_fee = head.base_fee;
                        in_flight = Some(InFlight {
                            handle: tokio::spawn(async move {
                                sender
                                    .send(tx, base_fee, mode, heads, &cancel, &events)
                                    .await
                            }),
                            round_start: state.round_start_block,
                            next_round_start: state
                                .round_start_block
                                .saturating_add(state.round_length),
                            progress: progress_rx,
                        });
                        // The block is handled once the transaction is out (or the attempt ended).
                        let _ = broadcast_rx.await;
                    }
                }
            }
            for round in duty.advance(head.number, seen.as_ref()) {
                Metrics::inc(&metrics.rounds_missed);
                tracing::error!(
                    round,
                    block = head.number,
                    reads_failing = seen.is_none(),
                    "ROUND MISSED: round {round} ended uninitialized"
                );
            }
            Metrics::set(&metrics.processed_block, head.number);
        }
        if let Some(task) = in_flight.take() {
            // The sender returns at once on cancellation, logging what is still in flight.
            let result = task.handle.await.unwrap_or(Err(ChainError::Cancelled));
            let head = head_rx.borrow().number;
            record_outcome(&metrics, result, task.round_start, head, &mut pending_since);
        }
        tracing::info!("keeper stopped");
        Ok(())
    }
}

/// Counts a failed read and says so (an error too when `/health` turns 503: `ReadHealth::failed`).
fn read_failed(metrics: &Metrics, err: &ChainError, block: Option<u64>) {
    let failed = metrics.read_failed();
    match block {
        Some(block) => tracing::warn!(%err, block, failed, "reading the round state failed"),
        None => tracing::warn!(%err, failed, "reading the head failed"),
    }
}

fn record_outcome(
    metrics: &Metrics,
    result: Result<Confirmed, ChainError>,
    round_start: u64,
    head: u64,
    pending_since: &mut Option<u64>,
) {
    match result {
        Ok(confirmed) => {
            let receipt = &confirmed.receipt;
            let block = receipt.block_number.unwrap_or(head);
            Metrics::inc(&metrics.txs_confirmed);
            metrics
                .gas_used
                .fetch_add(receipt.gas_used, std::sync::atomic::Ordering::Relaxed);
            let spent = u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price);
            metrics.gas_spent_wei.fetch_add(
                u64::try_from(spent).unwrap_or(u64::MAX),
                std::sync::atomic::Ordering::Relaxed,
            );
            Metrics::set(
                &metrics.init_delay_blocks,
                block.saturating_sub(round_start),
            );
            tracing::info!(
                hash = %receipt.transaction_hash,
                block,
                blocks_after_round_start = block.saturating_sub(round_start),
                replacements = confirmed.replacements,
                gas_used = receipt.gas_used,
                "round initialized by us"
            );
        }
        Err(ChainError::SimulationReverted(reason)) => {
            Metrics::inc(&metrics.simulation_reverts);
            if reason.is_round_already_initialized() {
                tracing::info!("round already initialized by someone else; nothing sent");
            } else {
                tracing::warn!(%reason, "initializeRound() would revert; nothing sent");
            }
        }
        Err(err @ ChainError::RevertedOnChain { .. }) => {
            Metrics::inc(&metrics.txs_reverted);
            tracing::error!(%err, "initializeRound() reverted");
        }
        Err(ChainError::InFlight { latest, pending }) => {
            pending_since.get_or_insert(head);
            tracing::info!(
                latest,
                pending,
                "a transaction of ours is already pending; waiting for it"
            );
        }
        Err(ChainError::Cancelled) => {}
        Err(err @ ChainError::Superseded { .. }) => tracing::warn!(%err, "transaction superseded"),
        Err(err) => {
            Metrics::inc(&metrics.rpc_errors);
            tracing::warn!(%err, "sending failed; retrying at the next block");
        }
    }
}

/// Reads the round state (round length included) and the signer balance at `head` in one
/// JSON-RPC batch.
pub async fn read_state(
    provider: &DynProvider,
    rounds_manager: Address,
    me: Address,
    head: Head,
) -> Result<(RoundState, U256), ChainError> {
    let block = BlockId::number(head.number);
    let call = |input: Vec<u8>| {
        TransactionRequest::default()
            .to(rounds_manager)
            .input(input.into())
    };
    let mut batch = BatchRequest::new(provider.client());
    let current = batch.add_call::<_, Bytes>(
        "eth_call",
        &(
            call(IRoundsManager::currentRoundCall {}.abi_encode()),
            block,
        ),
    )?;
    let last = batch.add_call::<_, Bytes>(
        "eth_call",
        &(
            call(IRoundsManager::lastInitializedRoundCall {}.abi_encode()),
            block,
        ),
    )?;
    let start = batch.add_call::<_, Bytes>(
        "eth_call",
        &(
            call(IRoundsManager::currentRoundStartBlockCall {}.abi_encode()),
            block,
        ),
    )?;
    let length = batch.add_call::<_, Bytes>(
        "eth_call",
        &(call(IRoundsManager::roundLengthCall {}.abi_encode()), block),
    )?;
    let balance = batch.add_call::<_, U256>("eth_getBalance", &(me, block))?;
    batch.send().await?;
    let word = |bytes: Bytes| -> Result<u64, ChainError> {
        let value = U256::abi_decode(&bytes)
            .map_err(|e| ChainError::Build(format!("undecodable RoundsManager answer: {e}")))?;
        u64::try_from(value).map_err(|_| ChainError::Build(format!("value {value} exceeds u64")))
    };
    let state = RoundState {
        block: head.number,
        current_round: word(current.await?)?,
        last_initialized_round: word(last.await?)?,
        round_start_block: word(start.await?)?,
        round_length: word(length.await?)?,
        base_fee: head.base_fee,
    };
    Ok((state, balance.await?))
}
