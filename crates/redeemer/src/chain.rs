//! What the redeemer needs from the chain: contract discovery from the Controller, the reads behind
//! the validity rules, simulation with decoded reverts, and a minimal transaction sender.
//!
//! Sending sits behind the small [`TxSender`] trait so that a shared chain layer (nonce management,
//! fee bumping) can replace [`ProviderSender`] without touching the redeemer.

use std::{future::Future, time::Duration};

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolCall, SolInterface},
    transports::TransportError,
};
use livepeer_bindings::{
    IBondingManager, IController, IManager, IRoundsManager, ITicketBroker, contract_id, names,
};

use livepeer_tickets::{ChainState, SenderFunds, SignedTicket};

/// A chain access failure.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// An RPC request failed (other than a revert being reported).
    #[error("{context}: {source}")]
    Rpc {
        /// What was being done.
        context: String,
        /// The transport error.
        source: Box<TransportError>,
    },
    /// A contract call failed.
    #[error("{context}: {source}")]
    Contract {
        /// What was being done.
        context: String,
        /// The contract error.
        source: Box<alloy::contract::Error>,
    },
    /// The Controller has no address for this contract name.
    #[error("{0} is not registered in the Controller")]
    NotRegistered(&'static str),
    /// A failure reported by a [`TxSender`] implementation in its own words.
    #[error("{0}")]
    Sender(String),
}

fn contract(context: impl Into<String>) -> impl FnOnce(alloy::contract::Error) -> ChainError {
    let context = context.into();
    move |source| ChainError::Contract {
        context,
        source: Box::new(source),
    }
}

fn rpc(context: impl Into<String>) -> impl FnOnce(TransportError) -> ChainError {
    let context = context.into();
    move |source| ChainError::Rpc {
        context,
        source: Box::new(source),
    }
}

/// Signs and broadcasts transactions. Kept minimal on purpose: a shared chain layer can implement
/// it later.
pub trait TxSender: Send + Sync {
    /// The account transactions are sent from.
    fn address(&self) -> Address;

    /// Signs and broadcasts `tx` (its `from` is [`TxSender::address`]); returns the hash once the
    /// node accepted it.
    fn send(&self, tx: TransactionRequest)
    -> impl Future<Output = Result<B256, ChainError>> + Send;

    /// The receipt of `tx`, polling until it is mined or `timeout` passes (then `None`).
    fn receipt(
        &self,
        tx: B256,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<TransactionReceipt>, ChainError>> + Send;

    /// Whether the node knows `tx` (pending or mined); a dropped transaction is unknown.
    fn is_known(&self, tx: B256) -> impl Future<Output = Result<bool, ChainError>> + Send;
}

/// [`TxSender`] over an alloy provider that holds the signing wallet (nonce, gas and chain id come
/// from the provider's fillers).
#[derive(Debug, Clone)]
pub struct ProviderSender {
    provider: DynProvider,
    from: Address,
}

impl ProviderSender {
    /// A sender for `from`, whose key must be in `provider`'s wallet.
    pub fn new(provider: DynProvider, from: Address) -> Self {
        Self { provider, from }
    }
}

impl TxSender for ProviderSender {
    fn address(&self) -> Address {
        self.from
    }

    async fn send(&self, tx: TransactionRequest) -> Result<B256, ChainError> {
        let pending = self
            .provider
            .send_transaction(tx.from(self.from))
            .await
            .map_err(rpc("sending a redemption transaction"))?;
        Ok(*pending.tx_hash())
    }

    async fn receipt(
        &self,
        tx: B256,
        timeout: Duration,
    ) -> Result<Option<TransactionReceipt>, ChainError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let receipt = self
                .provider
                .get_transaction_receipt(tx)
                .await
                .map_err(rpc(format!("receipt of {tx}")))?;
            if receipt.is_some() || tokio::time::Instant::now() >= deadline {
                return Ok(receipt);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn is_known(&self, tx: B256) -> Result<bool, ChainError> {
        Ok(self
            .provider
            .get_transaction_by_hash(tx)
            .await
            .map_err(rpc(format!("looking up {tx}")))?
            .is_some())
    }
}

/// A decoded revert of a redemption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revert {
    /// A TicketBroker custom error.
    Ticket(ITicketBroker::ITicketBrokerErrors),
    /// A BondingManager custom error (fees go through `updateTranscoderWithFees`).
    Bonding(IBondingManager::IBondingManagerErrors),
    /// A Manager error (e.g. `SystemPaused`).
    Manager(IManager::IManagerErrors),
    /// A revert with a reason string, `Error(string)` (the live deployment's contracts).
    Message(String),
    /// Revert data no interface decodes (hex), or none.
    Unknown(Bytes),
}

/// The reason string the live TicketBroker reverts with where ours reverts `InsufficientFunds`.
pub const LIVE_INSUFFICIENT_FUNDS: &str =
    "sender deposit and reserve insufficient to cover ticket face value";

impl Revert {
    /// Decodes revert data with the TicketBroker, BondingManager and Manager interfaces, in turn,
    /// then as an `Error(string)` reason.
    pub fn decode(data: &[u8]) -> Self {
        if let Ok(e) = ITicketBroker::ITicketBrokerErrors::abi_decode(data) {
            Self::Ticket(e)
        } else if let Ok(e) = IBondingManager::IBondingManagerErrors::abi_decode(data) {
            Self::Bonding(e)
        } else if let Ok(e) = IManager::IManagerErrors::abi_decode(data) {
            Self::Manager(e)
        } else if let Ok(r) =
            <alloy::sol_types::Revert as alloy::sol_types::SolError>::abi_decode(data)
        {
            Self::Message(r.reason)
        } else {
            Self::Unknown(Bytes::copy_from_slice(data))
        }
    }
}

impl Revert {
    /// Whether the sender's deposit and the recipient's reserve slice cannot cover the ticket's
    /// face value: our `InsufficientFunds` custom error, or the live deployment's reason string.
    /// The ticket stays unused and can be redeemed later (a deferral, not a failure).
    pub fn is_insufficient_funds(&self) -> bool {
        match self {
            Self::Ticket(ITicketBroker::ITicketBrokerErrors::InsufficientFunds(_)) => true,
            Self::Message(m) => m == LIVE_INSUFFICIENT_FUNDS,
            _ => false,
        }
    }
}

impl std::fmt::Display for Revert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ticket(e) => write!(f, "{e:?}"),
            Self::Bonding(e) => write!(f, "{e:?}"),
            Self::Manager(e) => write!(f, "{e:?}"),
            Self::Message(m) => write!(f, "revert {m:?}"),
            Self::Unknown(data) => write!(f, "revert 0x{}", alloy::hex::encode(data)),
        }
    }
}

/// Why a simulated redemption failed.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The call reverts.
    #[error("reverts with {0}")]
    Reverted(Revert),
    /// The node could not be asked.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// Round information the rules need once per pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds {
    /// `currentRound()`.
    pub current: U256,
    /// `lastInitializedRound()`.
    pub last_initialized: U256,
    /// `ticketValidityPeriod()`.
    pub ticket_validity_period: U256,
}

/// The TicketBroker and RoundsManager, found through the Controller.
#[derive(Debug, Clone)]
pub struct Broker {
    provider: DynProvider,
    /// The TicketBroker (proxy) address.
    pub ticket_broker: Address,
    /// The RoundsManager (proxy) address.
    pub rounds_manager: Address,
}

impl Broker {
    /// Looks the contracts up in the Controller at `controller`.
    pub async fn discover(provider: DynProvider, controller: Address) -> Result<Self, ChainError> {
        let c = IController::new(controller, &provider);
        let lookup = async |name: &'static str| -> Result<Address, ChainError> {
            let addr = c
                .getContract(contract_id(name))
                .call()
                .await
                .map_err(contract(format!("Controller.getContract({name})")))?;
            if addr == Address::ZERO {
                return Err(ChainError::NotRegistered(name));
            }
            Ok(addr)
        };
        let ticket_broker = lookup(names::TICKET_BROKER).await?;
        let rounds_manager = lookup(names::ROUNDS_MANAGER).await?;
        Ok(Self {
            provider,
            ticket_broker,
            rounds_manager,
        })
    }

    /// The provider reads go through.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Current round, last initialized round and the ticket validity period.
    pub async fn rounds(&self) -> Result<Rounds, ChainError> {
        let rm = IRoundsManager::new(self.rounds_manager, &self.provider);
        let tb = ITicketBroker::new(self.ticket_broker, &self.provider);
        let (current, last_initialized, ticket_validity_period) = tokio::try_join!(
            async {
                rm.currentRound()
                    .call()
                    .await
                    .map_err(contract("currentRound"))
            },
            async {
                rm.lastInitializedRound()
                    .call()
                    .await
                    .map_err(contract("lastInitializedRound"))
            },
            async {
                tb.ticketValidityPeriod()
                    .call()
                    .await
                    .map_err(contract("ticketValidityPeriod"))
            },
        )?;
        Ok(Rounds {
            current,
            last_initialized,
            ticket_validity_period,
        })
    }

    /// The chain state the rules need for one ticket.
    pub async fn chain_state(
        &self,
        signed: &SignedTicket,
        rounds: &Rounds,
    ) -> Result<ChainState, ChainError> {
        let rm = IRoundsManager::new(self.rounds_manager, &self.provider);
        let recorded_block_hash = match signed.ticket.aux() {
            Ok(aux) => rm
                .blockHashForRound(aux.creation_round)
                .call()
                .await
                .map_err(contract("blockHashForRound"))?,
            Err(_) => B256::ZERO,
        };
        Ok(ChainState {
            current_round: rounds.current,
            last_initialized_round: rounds.last_initialized,
            ticket_validity_period: rounds.ticket_validity_period,
            recorded_block_hash,
            used: self.is_used(signed.ticket.hash()).await?,
        })
    }

    /// `usedTickets(hash)`.
    pub async fn is_used(&self, hash: B256) -> Result<bool, ChainError> {
        ITicketBroker::new(self.ticket_broker, &self.provider)
            .usedTickets(hash)
            .call()
            .await
            .map_err(contract("usedTickets"))
    }

    /// The sender's funds and the recipient's claimable reserve slice.
    pub async fn sender_funds(
        &self,
        sender: Address,
        recipient: Address,
    ) -> Result<SenderFunds, ChainError> {
        let tb = ITicketBroker::new(self.ticket_broker, &self.provider);
        let info = tb
            .getSenderInfo(sender)
            .call()
            .await
            .map_err(contract("getSenderInfo"))?;
        let claimable_reserve = tb
            .claimableReserve(sender, recipient)
            .call()
            .await
            .map_err(contract("claimableReserve"))?;
        Ok(SenderFunds {
            deposit: info.sender_.deposit,
            reserve: info.reserve.fundsRemaining,
            withdraw_round: info.sender_.withdrawRound,
            claimable_reserve,
        })
    }

    /// The L1 block the chain reports: `l1BlockNumber` of the latest block on Arbitrum, the block
    /// number elsewhere (go-livepeer's ticket parameters expire at an L1 block).
    pub async fn l1_block(&self) -> Result<u64, ChainError> {
        let block: serde_json::Value = self
            .provider
            .raw_request("eth_getBlockByNumber".into(), ("latest", false))
            .await
            .map_err(rpc("eth_getBlockByNumber"))?;
        let field = block
            .get("l1BlockNumber")
            .or_else(|| block.get("number"))
            .and_then(|v| v.as_str())
            .and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok());
        field.ok_or_else(|| ChainError::Sender(format!("the latest block has no number: {block}")))
    }

    /// Current gas price (wei).
    pub async fn gas_price(&self) -> Result<u128, ChainError> {
        self.provider
            .get_gas_price()
            .await
            .map_err(rpc("eth_gasPrice"))
    }

    /// A `redeemWinningTicket` transaction for `signed`.
    pub fn redeem_tx(&self, signed: &SignedTicket) -> TransactionRequest {
        let call = ITicketBroker::redeemWinningTicketCall {
            ticket: signed.ticket.clone().into(),
            sig: signed.signature.clone(),
            recipientRand: signed.recipient_rand,
        };
        TransactionRequest::default()
            .to(self.ticket_broker)
            .input(call.abi_encode().into())
    }

    /// A `batchRedeemWinningTickets` transaction for `tickets`.
    pub fn batch_tx(&self, tickets: &[&SignedTicket]) -> TransactionRequest {
        let call = ITicketBroker::batchRedeemWinningTicketsCall {
            tickets: tickets.iter().map(|t| t.ticket.clone().into()).collect(),
            sigs: tickets.iter().map(|t| t.signature.clone()).collect(),
            recipientRands: tickets.iter().map(|t| t.recipient_rand).collect(),
        };
        TransactionRequest::default()
            .to(self.ticket_broker)
            .input(call.abi_encode().into())
    }

    /// Estimates `tx` from `from`; a revert is decoded into a [`Revert`].
    pub async fn simulate(
        &self,
        from: Address,
        tx: TransactionRequest,
    ) -> Result<u64, SimulationError> {
        match self.provider.estimate_gas(tx.from(from)).await {
            Ok(gas) => Ok(gas),
            Err(err) => match err.as_error_resp().and_then(|e| e.as_revert_data()) {
                Some(data) => Err(SimulationError::Reverted(Revert::decode(&data))),
                None if is_revert_message(&err) => Err(SimulationError::Reverted(
                    revert_from_message(&err).unwrap_or(Revert::Unknown(Bytes::new())),
                )),
                None => Err(rpc("simulating a redemption")(err).into()),
            },
        }
    }
}

fn is_revert_message(err: &TransportError) -> bool {
    err.as_error_resp()
        .is_some_and(|e| e.message.contains("revert"))
}

/// A revert reported without data whose message carries the live insufficient-funds reason
/// (some nodes put only the reason in `message`).
fn revert_from_message(err: &TransportError) -> Option<Revert> {
    err.as_error_resp()
        .filter(|e| e.message.contains(LIVE_INSUFFICIENT_FUNDS))
        .map(|_| Revert::Message(LIVE_INSUFFICIENT_FUNDS.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::{SolError, SolInterface};

    #[test]
    fn insufficient_funds_is_recognised_in_both_forms() {
        let ours = ITicketBroker::ITicketBrokerErrors::InsufficientFunds(
            ITicketBroker::InsufficientFunds {
                sender: Address::repeat_byte(1),
                recipient: Address::repeat_byte(2),
                faceValue: U256::from(100u64),
                available: U256::from(70u64),
            },
        )
        .abi_encode();
        let decoded = Revert::decode(&ours);
        assert!(decoded.is_insufficient_funds(), "{decoded}");

        let live = alloy::sol_types::Revert::from(LIVE_INSUFFICIENT_FUNDS).abi_encode();
        let decoded = Revert::decode(&live);
        assert_eq!(decoded, Revert::Message(LIVE_INSUFFICIENT_FUNDS.to_owned()));
        assert!(decoded.is_insufficient_funds());
        assert!(decoded.to_string().starts_with("revert \"sender deposit"));

        let other = alloy::sol_types::Revert::from("sender is unlocked").abi_encode();
        assert!(!Revert::decode(&other).is_insufficient_funds());
        let nothing =
            ITicketBroker::ITicketBrokerErrors::NothingToPay(ITicketBroker::NothingToPay {
                sender: Address::ZERO,
                recipient: Address::ZERO,
            })
            .abi_encode();
        assert!(!Revert::decode(&nothing).is_insufficient_funds());
        assert!(!Revert::Unknown(Bytes::new()).is_insufficient_funds());
    }
}
