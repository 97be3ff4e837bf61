//! [`FaultNet`]: the chain of a fault test, and every fault injected on it.
//!
//! Each test gets its own anvil, started from a state saved once per test process: the protocol
//! deployed by `script/Deploy.s.sol` (`local`), rounds cut to [`ROUND_LENGTH`] blocks, the
//! [`Actor::Orchestrator`] bonded, registered, active and rewarded in the current round, the
//! [`Actor::Broadcaster`]'s deposit and reserve funded. Automine is off: the test mines
//! (`anvil_mine`), so no block-time wait decides an outcome.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::{
    consensus::Transaction as _,
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, Bytes, TxHash, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::fail;
use crate::{
    ChainError,
    devnet::{DEV_KEYS, Devnet},
    protocol::Protocol,
};

/// Blocks in a round of a [`FaultNet`]: room for a duty, a fault and the recovery in one round
/// (the contracts accept any length from 1 block; the bots need a block to see the round start,
/// one to land a transaction and a few to replace it).
pub const ROUND_LENGTH: u64 = 10;

/// Block gas limit while blocks are congested: above any bot transaction, and small enough
/// that filling a block is quick.
const CONGESTED_GAS_LIMIT: u64 = 2_000_000;
/// anvil's default block gas limit, restored after congestion.
const DEFAULT_GAS_LIMIT: u64 = 30_000_000;
/// Init code that loops until it runs out of gas: a creation transaction with it burns its
/// whole gas limit.
const GAS_BURNER: [u8; 4] = [0x5b, 0x60, 0x00, 0x56];
/// Fees of the harness's own transactions: far above any base fee a scenario sets, so they
/// always land in the next block.
const HARNESS_MAX_FEE: u128 = 2_000_000_000_000;
const HARNESS_TIP: u128 = 1_000_000_000;
/// Tip of the congestion's filler transactions: far above any bot's tip.
const CONGESTION_TIP: u128 = 50_000_000_000;

/// The dev accounts of a [`FaultNet`] and what each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Deploys, owns the protocol, holds the genesis LPT; initializes rounds for tests of bots
    /// other than the keeper.
    Deployer = 0,
    /// The orchestrator: the reward agent's key, the tickets' recipient.
    Orchestrator = 1,
    /// The broadcaster: signs the tickets, funds them.
    Broadcaster = 2,
    /// The keeper's key.
    Keeper = 3,
    /// The redeemer's key (it pays the gas; the fees go to the tickets' recipient).
    Redeemer = 4,
    /// Sends the transactions that fill congested blocks.
    Congestion = 5,
}

impl Actor {
    /// The actor's private key (a public anvil dev key) as hex.
    pub fn key_hex(self) -> &'static str {
        DEV_KEYS[self as usize]
    }

    /// The actor's signer.
    pub fn signer(self) -> Result<PrivateKeySigner, ChainError> {
        self.key_hex()
            .parse()
            .map_err(|e| fail(format!("dev key {self:?}: {e}")))
    }

    /// The actor's address.
    pub fn address(self) -> Result<Address, ChainError> {
        Ok(self.signer()?.address())
    }
}

/// The state every [`FaultNet`] starts from, made once per process.
#[derive(Debug)]
struct Base {
    _dir: tempfile::TempDir,
    state: PathBuf,
    controller: Address,
}

static BASE: OnceCell<Base> = OnceCell::const_new();

/// A test's chain: anvil from the saved state, a provider holding every dev key, the protocol.
#[derive(Debug)]
pub struct FaultNet {
    /// The node (killed on drop).
    pub devnet: Devnet,
    /// Provider whose wallet holds every dev key (`.from(actor)` picks one).
    pub provider: DynProvider,
    /// The protocol's contracts.
    pub protocol: Protocol,
    dir: tempfile::TempDir,
}

/// The transactions of one account to one contract in a range of blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// Successful ones.
    pub ok: Vec<TxHash>,
    /// Reverted ones.
    pub reverted: Vec<TxHash>,
}

/// `(currentRound, lastInitializedRound, currentRoundStartBlock)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundState {
    /// `currentRound()`.
    pub current: u64,
    /// `lastInitializedRound()`.
    pub last_initialized: u64,
    /// `currentRoundStartBlock()`.
    pub start: u64,
}

fn wallet_provider(url: &str) -> Result<DynProvider, ChainError> {
    let mut keys = DEV_KEYS.iter();
    let first: PrivateKeySigner = keys
        .next()
        .ok_or_else(|| fail("no dev keys"))?
        .parse()
        .map_err(|e| fail(format!("dev key: {e}")))?;
    let mut wallet = EthereumWallet::new(first);
    for key in keys {
        let signer: PrivateKeySigner = key.parse().map_err(|e| fail(format!("dev key: {e}")))?;
        wallet.register_signer(signer);
    }
    let url = url
        .parse()
        .map_err(|e: url::ParseError| fail(e.to_string()))?;
    Ok(ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(url)
        .erased())
}

async fn base() -> Result<&'static Base, ChainError> {
    BASE.get_or_try_init(|| async {
        let dir = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
        let mut devnet = Devnet::start().await?;
        let provider = wallet_provider(&devnet.http_url())?;
        let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
        set_up(&provider, &protocol).await?;
        let state = dir.path().join("base-state.json");
        devnet.save_state(&state).await?;
        Ok(Base {
            _dir: dir,
            state,
            controller: devnet.controller,
        })
    })
    .await
}

/// Sends `tx` on an automining chain and checks its receipt.
async fn send_mined(
    provider: &DynProvider,
    what: &str,
    tx: TransactionRequest,
) -> Result<(), ChainError> {
    let receipt = provider
        .send_transaction(tx)
        .await?
        .with_timeout(Some(Duration::from_secs(60)))
        .get_receipt()
        .await
        .map_err(|e| fail(format!("{what}: {e}")))?;
    if !receipt.status() {
        return Err(fail(format!("set-up: {what} reverted")));
    }
    Ok(())
}

/// Mines to the next round's first block and initializes it (automine on).
async fn next_round(provider: &DynProvider, protocol: &Protocol) -> Result<(), ChainError> {
    let rm = &protocol.rounds_manager;
    let start = rm.currentRoundStartBlock().call().await?.to::<u64>();
    let length = rm.roundLength().call().await?.to::<u64>();
    let head = provider.get_block_number().await?;
    let blocks = (start + length).saturating_sub(head);
    let _: Value = provider
        .raw_request("anvil_mine".into(), (U256::from(blocks),))
        .await?;
    let deployer = Actor::Deployer.address()?;
    send_mined(
        provider,
        "initializeRound",
        rm.initializeRound()
            .from(deployer)
            .into_transaction_request(),
    )
    .await
}

/// The base state's set-up, on the freshly deployed chain (automine on).
async fn set_up(provider: &DynProvider, p: &Protocol) -> Result<(), ChainError> {
    let deployer = Actor::Deployer.address()?;
    let orchestrator = Actor::Orchestrator.address()?;
    let broadcaster = Actor::Broadcaster.address()?;
    let stake = U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64));
    let ether = U256::from(10u64).pow(U256::from(18u64));
    let rm = &p.rounds_manager;
    let bm = &p.bonding_manager;
    send_mined(
        provider,
        "setRoundLength",
        rm.setRoundLength(U256::from(ROUND_LENGTH))
            .from(deployer)
            .into_transaction_request(),
    )
    .await?;
    next_round(provider, p).await?;
    let steps = [
        (
            "LPT transfer",
            p.token
                .transfer(orchestrator, stake)
                .from(deployer)
                .into_transaction_request(),
        ),
        (
            "approve",
            p.token
                .approve(p.addresses.bonding_manager, stake)
                .from(orchestrator)
                .into_transaction_request(),
        ),
        (
            "bond",
            bm.bond(stake, orchestrator)
                .from(orchestrator)
                .into_transaction_request(),
        ),
        (
            "transcoder",
            bm.transcoder(U256::from(500_000u64), U256::from(500_000u64))
                .from(orchestrator)
                .into_transaction_request(),
        ),
        (
            "fundDepositAndReserve",
            p.ticket_broker
                .fundDepositAndReserve(U256::from(10u64) * ether, ether)
                .value(U256::from(11u64) * ether)
                .from(broadcaster)
                .into_transaction_request(),
        ),
    ];
    for (what, tx) in steps {
        send_mined(provider, what, tx).await?;
    }
    // Active from the next round on; rewarded in it, so a reward agent starts with nothing due.
    next_round(provider, p).await?;
    send_mined(
        provider,
        "reward",
        bm.reward().from(orchestrator).into_transaction_request(),
    )
    .await
}

impl FaultNet {
    /// A fresh chain from the saved state (deployed and set up the first time in this process),
    /// automine off.
    pub async fn start() -> Result<Self, ChainError> {
        let base = base().await?;
        let devnet = Devnet::start_from_state(&base.state, base.controller).await?;
        let provider = wallet_provider(&devnet.http_url())?;
        let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
        let net = Self {
            devnet,
            provider,
            protocol,
            dir: tempfile::tempdir().map_err(|e| fail(e.to_string()))?,
        };
        net.rpc("evm_setAutomine", json!([false])).await?;
        Ok(net)
    }

    /// A directory for the test's files (keys, logs, inboxes, state), removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The node's HTTP URL.
    pub fn http_url(&self) -> String {
        self.devnet.http_url()
    }

    /// Writes `actor`'s key to a file (for `--private-key-file`) and returns its path.
    pub fn key_file(&self, actor: Actor) -> Result<PathBuf, ChainError> {
        let path = self.dir().join(format!("{actor:?}.key").to_lowercase());
        std::fs::write(&path, format!("{}\n", actor.key_hex()))
            .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
        Ok(path)
    }

    /// A JSON-RPC call whose answer does not matter.
    pub async fn rpc(&self, method: &'static str, params: Value) -> Result<(), ChainError> {
        let _: Value = self.provider.raw_request(method.into(), params).await?;
        Ok(())
    }

    /// The head block number.
    pub async fn head(&self) -> Result<u64, ChainError> {
        Ok(self.provider.get_block_number().await?)
    }

    /// Mines `blocks` blocks at once; returns the new head.
    pub async fn mine(&self, blocks: u64) -> Result<u64, ChainError> {
        let _: Value = self
            .provider
            .raw_request("anvil_mine".into(), (U256::from(blocks),))
            .await?;
        self.head().await
    }

    /// The RoundsManager's view of the current round.
    pub async fn round(&self) -> Result<RoundState, ChainError> {
        let rm = &self.protocol.rounds_manager;
        Ok(RoundState {
            current: rm.currentRound().call().await?.to(),
            last_initialized: rm.lastInitializedRound().call().await?.to(),
            start: rm.currentRoundStartBlock().call().await?.to(),
        })
    }

    /// Mines up to the next round's first block; returns it.
    pub async fn mine_to_next_round(&self) -> Result<u64, ChainError> {
        let next = self.round().await?.start + ROUND_LENGTH;
        let head = self.head().await?;
        if head < next {
            self.mine(next - head).await?;
        }
        Ok(next)
    }

    /// Initializes the current round from the deployer (mining one block) unless it is.
    pub async fn initialize_round(&self) -> Result<(), ChainError> {
        let round = self.round().await?;
        if round.last_initialized == round.current {
            return Ok(());
        }
        let tx = self
            .protocol
            .rounds_manager
            .initializeRound()
            .from(Actor::Deployer.address()?)
            .into_transaction_request();
        self.send_and_mine("initializeRound", tx).await?;
        Ok(())
    }

    /// Sends `tx` (its `from` a dev account) at fees far above the base fee, mines one block and
    /// checks the receipt.
    pub async fn send_and_mine(
        &self,
        what: &str,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt, ChainError> {
        let hash = self.send_now(tx).await?;
        self.mine(1).await?;
        let receipt = self
            .receipt(hash)
            .await?
            .ok_or_else(|| fail(format!("{what} ({hash}) not mined in the next block")))?;
        if !receipt.status() {
            return Err(fail(format!("{what} ({hash}) reverted")));
        }
        Ok(receipt)
    }

    /// Sends `tx` at the harness's fees (above any scenario's base fee) without mining.
    async fn send_now(&self, tx: TransactionRequest) -> Result<TxHash, ChainError> {
        let tx = tx
            .max_fee_per_gas(HARNESS_MAX_FEE)
            .max_priority_fee_per_gas(HARNESS_TIP);
        Ok(*self.provider.send_transaction(tx).await?.tx_hash())
    }

    /// The receipt of `hash`, if it is mined.
    pub async fn receipt(&self, hash: TxHash) -> Result<Option<TransactionReceipt>, ChainError> {
        Ok(self.provider.get_transaction_receipt(hash).await?)
    }

    /// The lowest-nonce transaction of `from` waiting in the pool (pending, not queued behind a
    /// gap), as `(hash, nonce)`.
    pub async fn in_pool(&self, from: Address) -> Result<Option<(TxHash, u64)>, ChainError> {
        let content: Value = self
            .provider
            .raw_request("txpool_content".into(), ())
            .await?;
        Ok(pool_entries(&content["pending"], from).into_iter().next())
    }

    /// Waits until a transaction of `from` is in the pool; returns it.
    pub async fn wait_in_pool(
        &self,
        from: Address,
        timeout: Duration,
    ) -> Result<(TxHash, u64), ChainError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = self.in_pool(from).await? {
                return Ok(found);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(fail(format!(
                    "no transaction of {from} reached the pool within {timeout:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Transactions from `from` to `to` mined from block `first` to the head.
    pub async fn sent(&self, from: Address, to: Address, first: u64) -> Result<Sent, ChainError> {
        let mut sent = Sent::default();
        for block in first..=self.head().await? {
            let receipts = self
                .provider
                .get_block_receipts(block.into())
                .await?
                .unwrap_or_default();
            for r in receipts
                .iter()
                .filter(|r| r.from == from && r.to == Some(to))
            {
                match r.status() {
                    true => sent.ok.push(r.transaction_hash),
                    false => sent.reverted.push(r.transaction_hash),
                }
            }
        }
        Ok(sent)
    }

    /// **Reorg**: replaces the head block, which must hold `hash`, with an empty one
    /// (`anvil_reorg`, depth 1). The transaction is then in neither the chain nor the pool.
    pub async fn reorg_out(&self, hash: TxHash) -> Result<(), ChainError> {
        let head = self.head().await?;
        let block = self.receipt(hash).await?.and_then(|r| r.block_number);
        if block != Some(head) {
            return Err(fail(format!(
                "reorg: {hash} is not in the head block {head} (block {block:?})"
            )));
        }
        self.rpc("anvil_reorg", json!([1, []])).await?;
        if self.receipt(hash).await?.is_some()
            || self.provider.get_transaction_by_hash(hash).await?.is_some()
        {
            return Err(fail(format!("reorg: {hash} survived it")));
        }
        Ok(())
    }

    /// **Base-fee spike**: sets the next block's base fee to four times `hash`'s
    /// `maxFeePerGas` and mines it, which evicts the transaction from the pool. Returns the new
    /// base fee.
    pub async fn spike_evict(&self, hash: TxHash) -> Result<u128, ChainError> {
        let tx = self
            .provider
            .get_transaction_by_hash(hash)
            .await?
            .ok_or_else(|| fail(format!("spike: {hash} is not in the pool")))?;
        let base_fee = tx.max_fee_per_gas().saturating_mul(4);
        self.set_base_fee(base_fee).await?;
        self.mine(1).await?;
        if self.receipt(hash).await?.is_some()
            || self.provider.get_transaction_by_hash(hash).await?.is_some()
        {
            return Err(fail(format!("spike: {hash} was not evicted")));
        }
        Ok(base_fee)
    }

    /// **Stuck** (congestion): mines one block filled by a transaction of [`Actor::Congestion`]
    /// that pays a far higher tip than any bot and burns the whole block gas limit, so nothing
    /// else fits. [`FaultNet::relieve`] gives blocks their room back.
    pub async fn mine_congested(&self) -> Result<u64, ChainError> {
        self.rpc(
            "evm_setBlockGasLimit",
            json!([format!("{CONGESTED_GAS_LIMIT:#x}")]),
        )
        .await?;
        let filler = TransactionRequest::default()
            .from(Actor::Congestion.address()?)
            .with_deploy_code(Bytes::from(GAS_BURNER.to_vec()))
            .gas_limit(CONGESTED_GAS_LIMIT)
            .max_fee_per_gas(HARNESS_MAX_FEE)
            .max_priority_fee_per_gas(CONGESTION_TIP);
        let hash = *self.provider.send_transaction(filler).await?.tx_hash();
        let head = self.mine(1).await?;
        match self.receipt(hash).await? {
            Some(r) if r.gas_used == CONGESTED_GAS_LIMIT => Ok(head),
            other => Err(fail(format!(
                "congestion: the filler did not fill block {head}: {other:?}"
            ))),
        }
    }

    /// Ends congestion: the block gas limit back to anvil's default.
    pub async fn relieve(&self) -> Result<(), ChainError> {
        self.rpc(
            "evm_setBlockGasLimit",
            json!([format!("{DEFAULT_GAS_LIMIT:#x}")]),
        )
        .await
    }

    /// **Nonce gap**: puts a transaction of `actor` (a transfer to itself) with nonce n+1 in the
    /// pool, n being the account's next nonce; returns its hash. It lands once something uses n.
    pub async fn nonce_gap(&self, actor: Actor) -> Result<TxHash, ChainError> {
        let from = actor.address()?;
        let next = self.provider.get_transaction_count(from).await?;
        let tx = TransactionRequest::default()
            .from(from)
            .to(from)
            .value(U256::ZERO)
            .nonce(next + 1)
            .gas_limit(21_000);
        let hash = self.send_now(tx).await?;
        let content: Value = self
            .provider
            .raw_request("txpool_content".into(), ())
            .await?;
        if !pool_entries(&content["queued"], from)
            .iter()
            .any(|(h, _)| *h == hash)
        {
            return Err(fail(format!(
                "nonce gap: {hash} (nonce {}) is not queued",
                next + 1
            )));
        }
        Ok(hash)
    }

    /// Sets the next block's base fee (the following ones move from it as EIP-1559 says).
    pub async fn set_base_fee(&self, wei: u128) -> Result<(), ChainError> {
        self.rpc(
            "anvil_setNextBlockBaseFeePerGas",
            json!([format!("{wei:#x}")]),
        )
        .await
    }

    /// The head block's base fee.
    pub async fn base_fee(&self) -> Result<u128, ChainError> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| fail("no head block"))?;
        Ok(block.header.base_fee_per_gas.map(u128::from).unwrap_or(0))
    }
}

/// `(hash, nonce)` of `from`'s transactions in one section (`pending` or `queued`) of
/// `txpool_content`, by nonce.
fn pool_entries(section: &Value, from: Address) -> Vec<(TxHash, u64)> {
    let mut out: Vec<(TxHash, u64)> = section
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(account, _)| account.parse::<Address>().ok() == Some(from))
        .flat_map(|(_, txs)| txs.as_object().into_iter().flatten())
        .filter_map(|(nonce, tx)| {
            let hash = tx.get("hash")?.as_str()?.parse().ok()?;
            Some((hash, nonce.parse().ok()?))
        })
        .collect();
    out.sort_by_key(|(_, nonce)| *nonce);
    out
}
