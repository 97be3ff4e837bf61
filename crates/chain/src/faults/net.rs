//! [`FaultNet`]: the chain of a fault test (its faults are [`Anvil`]'s, which it derefs to).
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
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::{anvil::Anvil, fail};
use crate::{
    ChainError,
    protocol::Protocol,
    testchain::{DEV_KEYS, TestChain},
};

/// Blocks in a round of a [`FaultNet`]: room for a duty, a fault and the recovery in one round
/// (the contracts accept any length from 1 block; the bots need a block to see the round start,
/// one to land a transaction and a few to replace it).
pub const ROUND_LENGTH: u64 = 10;

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

/// The state every [`FaultNet`] starts from, made once per process (kept in memory: nothing
/// left on disk).
#[derive(Debug)]
struct Base {
    state: Vec<u8>,
    controller: Address,
}

static BASE: OnceCell<Base> = OnceCell::const_new();

/// A test's chain: anvil from the saved state, a provider holding every dev key, the protocol.
/// It derefs to its [`Anvil`] (mining, the faults).
#[derive(Debug)]
pub struct FaultNet {
    /// The node (killed on drop).
    pub devnet: TestChain,
    /// Mining and the faults, through a provider whose wallet holds every dev key.
    pub anvil: Anvil,
    /// That provider (`.from(actor)` picks the key).
    pub provider: DynProvider,
    /// The protocol's contracts.
    pub protocol: Protocol,
    dir: tempfile::TempDir,
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
        let mut devnet = TestChain::start().await?;
        let provider = wallet_provider(&devnet.http_url())?;
        let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
        set_up(&provider, &protocol).await?;
        Ok(Base {
            state: devnet.save_state().await?,
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
        let devnet = TestChain::start_from_state(&base.state, base.controller).await?;
        let provider = wallet_provider(&devnet.http_url())?;
        let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
        let net = Self {
            devnet,
            anvil: Anvil::new(provider.clone()),
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
}

impl std::ops::Deref for FaultNet {
    type Target = Anvil;

    fn deref(&self) -> &Anvil {
        &self.anvil
    }
}
