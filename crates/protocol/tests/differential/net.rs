//! The chain the differential tests drive: a [`TestChain`] whose accounts are all impersonated
//! (anvil's `anvil_autoImpersonateAccount`), so any address can send without a key.

use std::time::Duration;

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context as _, Result, bail};
use livepeer_chain::{
    protocol::Protocol,
    revert::RevertReason,
    testchain::{DEV_KEYS, Flavor, TestChain},
};
use livepeer_protocol::Round;

/// The protocol on a devnet, with the owner (anvil's account #0, which holds the genesis LPT).
pub struct Net {
    /// Keeps anvil alive.
    _devnet: TestChain,
    /// Which deployment.
    pub flavor: Flavor,
    /// The provider (any `from` is accepted).
    pub provider: DynProvider,
    /// The contracts.
    pub p: Protocol,
    /// The Controller owner and genesis LPT holder.
    pub owner: Address,
    /// The Controller.
    pub controller: Address,
}

/// The outcome of a simulated call: success, or the decoded revert.
pub type Outcome<T> = std::result::Result<T, RevertReason>;

impl Net {
    /// Starts a devnet of `flavor` and impersonates every account.
    pub async fn start(flavor: Flavor) -> Result<Self> {
        let devnet = TestChain::start_flavor(flavor).await?;
        let provider = ProviderBuilder::new()
            .connect_http(devnet.http_url().parse()?)
            .erased();
        let _: () = provider
            .raw_request("anvil_autoImpersonateAccount".into(), (true,))
            .await?;
        let p = Protocol::discover(provider.clone(), devnet.controller).await?;
        let owner = DEV_KEYS[0].parse::<PrivateKeySigner>()?.address();
        Ok(Self {
            controller: devnet.controller,
            _devnet: devnet,
            flavor,
            provider,
            p,
            owner,
        })
    }

    /// `evm_snapshot`.
    pub async fn snapshot(&self) -> Result<U256> {
        Ok(self.provider.raw_request("evm_snapshot".into(), ()).await?)
    }

    /// `evm_revert` to `id` (which it consumes).
    pub async fn revert(&self, id: U256) -> Result<()> {
        let ok: bool = self
            .provider
            .raw_request("evm_revert".into(), (id,))
            .await?;
        anyhow::ensure!(ok, "evm_revert({id}) failed");
        Ok(())
    }

    /// An account of its own for `label` / `i`, with 1,000 ETH for gas and deposits.
    pub async fn account(&self, label: &str, i: usize) -> Result<Address> {
        let a = Address::from_word(keccak256(format!("{label}/{i}")));
        self.set_eth(
            a,
            U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64)),
        )
        .await?;
        Ok(a)
    }

    /// `anvil_setBalance`.
    pub async fn set_eth(&self, a: Address, wei: U256) -> Result<()> {
        let _: () = self
            .provider
            .raw_request("anvil_setBalance".into(), (a, wei))
            .await?;
        Ok(())
    }

    /// The current round, checked.
    pub async fn round(&self) -> Result<Round> {
        Ok(Round::try_from(
            self.p.rounds_manager.currentRound().call().await?,
        )?)
    }

    /// The latest block number.
    pub async fn block(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    /// Mines `n` blocks at once.
    pub async fn mine(&self, n: u64) -> Result<()> {
        if n > 0 {
            let _: () = self
                .provider
                .raw_request("anvil_mine".into(), (U256::from(n),))
                .await?;
        }
        Ok(())
    }

    /// Initializes the round of the next block if it is not (the keeper's job). The next
    /// transaction is mined in the next block: when that block starts a round, reads of the
    /// latest block would predict for the wrong round, so call this before reading.
    pub async fn initialize(&self) -> Result<()> {
        if !self
            .p
            .rounds_manager
            .currentRoundInitialized()
            .block(BlockId::pending())
            .call()
            .await?
        {
            let tx = self
                .p
                .rounds_manager
                .initializeRound()
                .into_transaction_request();
            self.send(self.owner, tx).await?;
        }
        Ok(())
    }

    /// Mines to the next round's first block and initializes it; returns it.
    pub async fn next_round(&self) -> Result<Round> {
        let rm = &self.p.rounds_manager;
        let start = rm.currentRoundStartBlock().call().await?;
        let length = rm.roundLength().call().await?;
        let block = self.provider.get_block_number().await?;
        let next = u64::try_from(start + length)?;
        self.mine(next.saturating_sub(block)).await?;
        self.initialize().await?;
        self.round().await
    }

    /// Sends `tx` from `from`; fails on a revert. The nonce is read from the chain and receipts
    /// are polled by hash: a provider's nonce cache and block watcher do not survive an
    /// `evm_revert`.
    pub async fn send(&self, from: Address, tx: TransactionRequest) -> Result<TransactionReceipt> {
        let nonce = self.provider.get_transaction_count(from).await?;
        let tx = tx.with_from(from).with_nonce(nonce);
        let hash = *self.provider.send_transaction(tx).await?.tx_hash();
        for _ in 0..400 {
            if let Some(receipt) = self.provider.get_transaction_receipt(hash).await? {
                anyhow::ensure!(receipt.status(), "transaction {hash} from {from} reverted");
                return Ok(receipt);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bail!("no receipt for {hash}")
    }

    /// Simulates `tx` from `from` (`eth_call` at the latest block): the revert decoded, if any.
    pub async fn simulate(&self, from: Address, tx: TransactionRequest) -> Result<Outcome<()>> {
        match self.provider.call(tx.with_from(from)).await {
            Ok(_) => Ok(Ok(())),
            Err(err) => match RevertReason::from_transport_error(&err) {
                Some(reason) => Ok(Err(reason)),
                None => Err(err).context("eth_call"),
            },
        }
    }

    /// Initializes the round if needed (every BondingManager and TicketBroker action needs it),
    /// then simulates `tx` and sends it if it succeeds.
    pub async fn try_send(
        &self,
        from: Address,
        tx: TransactionRequest,
    ) -> Result<Outcome<TransactionReceipt>> {
        self.initialize().await?;
        match self.simulate(from, tx.clone()).await? {
            Ok(()) => Ok(Ok(self.send(from, tx).await?)),
            Err(reason) => Ok(Err(reason)),
        }
    }

    /// Transfers `amount` LPT from the owner to `to` and lets the BondingManager take it.
    pub async fn give_lpt(&self, to: Address, amount: U256) -> Result<()> {
        let token = &self.p.token;
        self.send(
            self.owner,
            token.transfer(to, amount).into_transaction_request(),
        )
        .await?;
        self.send(
            to,
            token
                .approve(self.p.addresses.bonding_manager, U256::MAX)
                .into_transaction_request(),
        )
        .await?;
        Ok(())
    }

    /// `blockHashForRound(round)`.
    pub async fn block_hash(&self, round: U256) -> Result<B256> {
        Ok(self
            .p
            .rounds_manager
            .blockHashForRound(round)
            .call()
            .await?)
    }
}

/// A revert's name: the custom error's, or for the live fixture's `Error(string)`s, the custom
/// error our contract reverts with for the same rule.
pub fn revert_name(reason: &RevertReason) -> String {
    let variant = |debug: String| {
        debug
            .split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    match reason {
        RevertReason::TicketBroker(e) => variant(format!("{e:?}")),
        RevertReason::BondingManager(e) => variant(format!("{e:?}")),
        RevertReason::Message(m) => LIVE_STRINGS
            .iter()
            .find(|(live, _)| live == m)
            .map_or_else(|| format!("\"{m}\""), |(_, name)| (*name).to_owned()),
        other => other.to_string(),
    }
}

/// The live contracts' reasons (`test/fixtures/Live*Fixture.sol`) for the rules the tests reach,
/// with our error names.
const LIVE_STRINGS: [(&str, &str); 10] = [
    (
        "caller can't be active or must have already called reward for the current round",
        "RewardNotCalledThisRound",
    ),
    ("sender is unlocked", "SenderUnlocked"),
    ("sender deposit and reserve are zero", "NoFunds"),
    (
        "sender deposit and reserve insufficient to cover ticket face value",
        "InsufficientFunds",
    ),
    ("ticket is used", "TicketUsed"),
    ("ticket is expired", "TicketExpired"),
    (
        "ticket creationRound does not have a block hash",
        "UnknownCreationRound",
    ),
    (
        "ticket creationRoundBlockHash invalid for creationRound",
        "CreationRoundBlockHashMismatch",
    ),
    ("ticket did not win", "TicketDidNotWin"),
    ("invalid signature over ticket hash", "InvalidSignature"),
];
