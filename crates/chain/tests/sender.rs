//! `TxSender::send` through the bots' real provider stack (retries, failover, counting) on anvil:
//! a simulation that reverts is a revert, not an RPC failure, and a transaction already pending
//! is `InFlight` even when the new one would revert against the pending block (what a bot
//! restarted right after sending meets).

use alloy::{providers::Provider, rpc::types::TransactionRequest, sol_types::SolCall};
use anyhow::{Result, bail, ensure};
use livepeer_bindings::IRoundsManager;
use livepeer_chain::{
    ChainError,
    blocks::Head,
    counter::RequestCounter,
    faults::net::{Actor, FaultNet},
    provider::{RpcConfig, connect},
    sender::{FeePolicy, NoEvents, NonceMode, TxSender},
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

async fn sender(net: &FaultNet) -> Result<TxSender> {
    let rpc = connect(&RpcConfig::new(vec![net.http_url()]), RequestCounter::new()).await?;
    Ok(TxSender::new(rpc.provider, Actor::Keeper.signer()?, FeePolicy::default()).await?)
}

/// Sends `tx` with `NonceMode::Next` and returns the sender's error (the tests expect one
/// before anything is broadcast).
async fn send_error(
    sender: &TxSender,
    net: &FaultNet,
    tx: TransactionRequest,
) -> Result<ChainError> {
    let (_heads_tx, heads) = watch::channel(Head {
        number: net.head().await?,
        base_fee: net.base_fee().await?,
    });
    let base_fee = net.base_fee().await?;
    match sender
        .send(
            tx,
            base_fee,
            NonceMode::Next,
            heads,
            &CancellationToken::new(),
            &NoEvents,
        )
        .await
    {
        Ok(confirmed) => bail!("sent and confirmed: {confirmed:?}"),
        Err(err) => Ok(err),
    }
}

fn initialize_round(net: &FaultNet) -> TransactionRequest {
    TransactionRequest::default()
        .to(net.protocol.addresses.rounds_manager)
        .input(IRoundsManager::initializeRoundCall {}.abi_encode().into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reverting_simulation_is_a_revert_not_an_rpc_failure() -> Result<()> {
    let net = FaultNet::start().await?;
    let sender = sender(&net).await?;
    // The saved state's round is initialized: initializeRound() reverts.
    match send_error(&sender, &net, initialize_round(&net)).await? {
        ChainError::SimulationReverted(reason) => {
            ensure!(reason.is_round_already_initialized(), "{reason}")
        }
        other => bail!("expected the decoded revert, got {other}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_transaction_is_in_flight_even_if_a_new_one_would_revert() -> Result<()> {
    let net = FaultNet::start().await?;
    net.mine_to_next_round().await?;
    let sender = sender(&net).await?;
    // Sent before a "restart": in the pool, it initializes the round in the pending block.
    let first = sender.address();
    let tx = initialize_round(&net).from(first);
    let hash = *net.provider.send_transaction(tx).await?.tx_hash();
    ensure!(
        net.in_pool(first).await?.map(|(h, _)| h) == Some(hash),
        "in the pool"
    );
    match send_error(&sender, &net, initialize_round(&net)).await? {
        ChainError::InFlight { latest, pending } => {
            ensure!(pending == latest + 1, "{latest} {pending}")
        }
        other => bail!("expected InFlight, got {other}"),
    }
    Ok(())
}
