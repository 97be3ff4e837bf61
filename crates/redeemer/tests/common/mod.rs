//! The redeemer tests' chain: the pinned anvil, the protocol deployed with `script/Deploy.s.sol`
//! (`local` config), named actors and round helpers.
//!
//! Needs `make build` (forge artifacts in `out/`) and `make deps` (the pinned binaries).

#![allow(dead_code)] // each test binary uses a different part

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, ensure};
use livepeer_bindings::{
    IBondingManager, IController, ILivepeerToken, IRoundsManager, ITicketBroker, contract_id, names,
};
pub use livepeer_chain::testchain::Flavor;
use livepeer_chain::testchain::{self, DEV_KEYS};
use livepeer_protocol::ticket::{AuxData, SignedTicket, Ticket, recipient_rand_hash};

/// One ether.
pub const ETH: u128 = 1_000_000_000_000_000_000;

/// A running anvil with the protocol deployed (the chain layer's test chain), plus the tickets tests'
/// actors and helpers.
#[derive(Debug)]
pub struct TicketNet {
    /// anvil with the protocol deployed by `script/Deploy.s.sol` (killed on drop).
    pub chain: testchain::TestChain,
    /// Provider holding every dev key; `.from(addr)` picks the signer.
    pub provider: DynProvider,
    /// Controller address, read from the deployments file.
    pub controller: Address,
    /// The contracts, discovered through the Controller.
    pub ticket_broker: Address,
    /// RoundsManager proxy.
    pub rounds_manager: Address,
    /// BondingManager proxy.
    pub bonding_manager: Address,
    /// LivepeerToken.
    pub token: Address,
    /// Dev account #0: deployer, protocol owner, genesis LPT holder.
    pub deployer: Address,
    keys: Vec<PrivateKeySigner>,
    url: alloy::transports::http::reqwest::Url,
}

impl TicketNet {
    /// Starts anvil and runs the Deploy script against it.
    pub async fn start() -> Result<Self> {
        Self::start_on(Flavor::Ours).await
    }

    /// Starts anvil with `flavor`'s protocol.
    pub async fn start_on(flavor: Flavor) -> Result<Self> {
        let chain = testchain::TestChain::start_flavor(flavor).await?;
        let controller = chain.controller;
        let keys = DEV_KEYS
            .iter()
            .map(|key| key.parse())
            .collect::<Result<Vec<PrivateKeySigner>, _>>()
            .context("dev keys")?;
        let mut wallet = EthereumWallet::new(keys[0].clone());
        for key in &keys[1..] {
            wallet.register_signer(key.clone());
        }
        let url: alloy::transports::http::reqwest::Url = chain.http_url().parse()?;
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(url.clone())
            .erased();
        let c = IController::new(controller, &provider);
        let get = async |name: &str| -> Result<Address> {
            Ok(c.getContract(contract_id(name)).call().await?)
        };
        Ok(Self {
            ticket_broker: get(names::TICKET_BROKER).await?,
            rounds_manager: get(names::ROUNDS_MANAGER).await?,
            bonding_manager: get(names::BONDING_MANAGER).await?,
            token: get(names::LIVEPEER_TOKEN).await?,
            deployer: keys[0].address(),
            keys,
            url,
            provider,
            controller,
            chain,
        })
    }

    /// The node's HTTP URL.
    pub fn endpoint(&self) -> String {
        self.chain.http_url()
    }

    /// Dev account `i`.
    pub fn account(&self, i: usize) -> Address {
        self.signer(i).address()
    }

    /// Dev account `i`'s key.
    pub fn signer(&self, i: usize) -> PrivateKeySigner {
        self.keys[i].clone()
    }

    /// Dev account `i`'s key as 0x-prefixed hex (for the redeemer binary's environment).
    pub fn key_hex(&self, i: usize) -> &'static str {
        DEV_KEYS[i]
    }

    /// A provider whose wallet holds only dev account `i`.
    pub fn provider_for(&self, i: usize) -> DynProvider {
        ProviderBuilder::new()
            .wallet(self.signer(i))
            .connect_http(self.url.clone())
            .erased()
    }

    /// The TicketBroker binding.
    pub fn broker(&self) -> ITicketBroker::ITicketBrokerInstance<DynProvider> {
        ITicketBroker::new(self.ticket_broker, self.provider.clone())
    }

    /// The RoundsManager binding.
    pub fn rounds(&self) -> IRoundsManager::IRoundsManagerInstance<DynProvider> {
        IRoundsManager::new(self.rounds_manager, self.provider.clone())
    }

    /// The BondingManager binding.
    pub fn bonding(&self) -> IBondingManager::IBondingManagerInstance<DynProvider> {
        IBondingManager::new(self.bonding_manager, self.provider.clone())
    }

    /// The Controller binding.
    pub fn controller(&self) -> IController::IControllerInstance<DynProvider> {
        IController::new(self.controller, self.provider.clone())
    }

    /// Mines to the start of the next round and initializes it; returns the new round.
    pub async fn next_round(&self) -> Result<U256> {
        let rm = self.rounds();
        let start = rm.currentRoundStartBlock().call().await?;
        let length = rm.roundLength().call().await?;
        let block = U256::from(self.provider.get_block_number().await?);
        let to_mine: u64 = (start + length - block).try_into()?;
        self.provider.anvil_mine(Some(to_mine), None).await?;
        self.initialize_round().await
    }

    /// Initializes the current round (if needed); returns it.
    pub async fn initialize_round(&self) -> Result<U256> {
        let rm = self.rounds();
        if !rm.currentRoundInitialized().call().await? {
            let r = rm
                .initializeRound()
                .from(self.deployer)
                .send()
                .await?
                .get_receipt()
                .await?;
            ensure!(r.status(), "initializeRound reverted");
        }
        Ok(rm.currentRound().call().await?)
    }

    /// Makes anvil account `i` a registered transcoder bonded with `lpt` LPT (from the deployer) and
    /// initializes the next round so it is active. Returns the now current round.
    pub async fn activate_orchestrator(&self, i: usize, lpt: u128) -> Result<U256> {
        let orch = self.account(i);
        let amount = U256::from(lpt) * U256::from(ETH);
        // Start from a fresh round: `transcoder()` reverts in the round's locked tail (RoundLocked).
        self.next_round().await?;
        let token = ILivepeerToken::new(self.token, self.provider.clone());
        let bm = self.bonding();
        check(
            token
                .transfer(orch, amount)
                .from(self.deployer)
                .send()
                .await?
                .get_receipt()
                .await?
                .status(),
            "transfer",
        )?;
        check(
            token
                .approve(self.bonding_manager, amount)
                .from(orch)
                .send()
                .await?
                .get_receipt()
                .await?
                .status(),
            "approve",
        )?;
        check(
            bm.bond(amount, orch)
                .from(orch)
                .send()
                .await?
                .get_receipt()
                .await?
                .status(),
            "bond",
        )?;
        check(
            bm.transcoder(U256::from(500_000u64), U256::from(500_000u64))
                .from(orch)
                .send()
                .await?
                .get_receipt()
                .await?
                .status(),
            "transcoder",
        )?;
        let round = self.next_round().await?;
        ensure!(
            bm.isActiveTranscoder(orch).call().await?,
            "orchestrator not active"
        );
        Ok(round)
    }

    /// Makes rounds `blocks` long from the current one on (as the protocol owner), so that a
    /// test's transactions do not outlive a ticket's validity.
    pub async fn set_round_length(&self, blocks: u64) -> Result<()> {
        let r = self
            .rounds()
            .setRoundLength(U256::from(blocks))
            .from(self.deployer)
            .send()
            .await?
            .get_receipt()
            .await?;
        check(r.status(), "setRoundLength")
    }

    /// Funds anvil account `i`'s deposit and reserve (wei).
    pub async fn fund_broadcaster(&self, i: usize, deposit: u128, reserve: u128) -> Result<()> {
        let r = self
            .broker()
            .fundDepositAndReserve(U256::from(deposit), U256::from(reserve))
            .value(U256::from(deposit + reserve))
            .from(self.account(i))
            .send()
            .await?
            .get_receipt()
            .await?;
        check(r.status(), "fundDepositAndReserve")
    }

    /// A ticket of the current round from `sender` to `recipient`, signed by `sender`'s key.
    pub async fn ticket(
        &self,
        sender: usize,
        recipient: Address,
        face_value: U256,
        win_prob: U256,
        nonce: u64,
    ) -> Result<SignedTicket> {
        let rm = self.rounds();
        let round = rm.currentRound().call().await?;
        let block_hash: B256 = rm.blockHashForRound(round).call().await?;
        let rand = U256::from(0x5eed_0000u64 + nonce);
        let ticket = Ticket {
            recipient,
            sender: self.account(sender),
            face_value,
            win_prob,
            sender_nonce: U256::from(nonce),
            recipient_rand_hash: recipient_rand_hash(rand),
            aux_data: AuxData {
                creation_round: round,
                creation_round_block_hash: block_hash,
            }
            .encode(),
        };
        let signature = ticket.sign(&self.signer(sender)).await?;
        Ok(SignedTicket {
            ticket,
            signature,
            recipient_rand: rand,
        })
    }
}

/// A winning ticket of the current round on a [`FaultNet`] (broadcaster to orchestrator).
pub async fn fault_net_ticket(
    net: &livepeer_chain::faults::net::FaultNet,
    nonce: u64,
) -> Result<SignedTicket> {
    use livepeer_chain::faults::net::Actor;
    let round = net.round().await?.current;
    let block_hash = net
        .protocol
        .rounds_manager
        .blockHashForRound(U256::from(round))
        .call()
        .await?;
    let rand = U256::from(0x5eed_0000u64 + nonce);
    let ticket = Ticket {
        recipient: Actor::Orchestrator.address()?,
        sender: Actor::Broadcaster.address()?,
        face_value: U256::from(ETH / 10),
        win_prob: U256::MAX,
        sender_nonce: U256::from(nonce),
        recipient_rand_hash: recipient_rand_hash(rand),
        aux_data: AuxData {
            creation_round: U256::from(round),
            creation_round_block_hash: block_hash,
        }
        .encode(),
    };
    let signature = ticket.sign(&Actor::Broadcaster.signer()?).await?;
    Ok(SignedTicket {
        ticket,
        signature,
        recipient_rand: rand,
    })
}

fn check(ok: bool, what: &str) -> Result<()> {
    ensure!(ok, "{what} reverted");
    Ok(())
}

/// A client of the Ticket Redemption Service at `127.0.0.1:port` trusting the certificate at
/// `cert` for `domain`, retried for up to 2 minutes while the service starts.
pub async fn grpc_client(
    cert: &std::path::Path,
    port: u16,
    domain: &str,
) -> Result<
    livepeer_redeemer::proto::ticket_redeemer_client::TicketRedeemerClient<
        tonic::transport::Channel,
    >,
> {
    use tonic::transport::{Certificate, Channel, ClientTlsConfig};
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let attempt = async {
            let cert = std::fs::read_to_string(cert)?;
            let channel = Channel::from_shared(format!("https://127.0.0.1:{port}"))?
                .tls_config(
                    ClientTlsConfig::new()
                        .ca_certificate(Certificate::from_pem(cert))
                        .domain_name(domain),
                )?
                .connect()
                .await?;
            anyhow::Ok(
                livepeer_redeemer::proto::ticket_redeemer_client::TicketRedeemerClient::new(
                    channel,
                ),
            )
        };
        match attempt.await {
            Ok(client) => return Ok(client),
            Err(e) if tokio::time::Instant::now() > deadline => {
                return Err(e.context("the Ticket Redemption Service never answered"));
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

#[path = "../../../protocol/tests/common/vectors.rs"]
mod vectors;
#[allow(unused_imports)] // only the anvil tests read the vectors
pub use vectors::load_vectors;
