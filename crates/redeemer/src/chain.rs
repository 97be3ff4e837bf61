//! What the redeemer reads from the chain, on the shared chain layer: the contracts come from
//! [`Protocol::discover`], errors are [`ChainError`]s, reverts are decoded into
//! [`RevertReason`]s; sending goes through [`livepeer_chain::sender::TxSender`] (see the crate
//! docs). Here: the reads behind the validity rules, the redemption transactions, and simulation.

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    network::TransactionBuilder,
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use livepeer_bindings::ITicketBroker;
use livepeer_chain::{ChainError, protocol::Protocol, revert::RevertReason};

use livepeer_protocol::{
    Round,
    ticket::{SenderFunds, SignedTicket},
};

/// The reason string the live TicketBroker reverts with where ours reverts `InsufficientFunds`.
pub const LIVE_INSUFFICIENT_FUNDS: &str =
    "sender deposit and reserve insufficient to cover ticket face value";

/// Whether the sender's deposit and the recipient's reserve slice cannot cover the ticket's face
/// value: our `InsufficientFunds` custom error, or the live deployment's reason string. The
/// ticket stays unused and can be redeemed later (a deferral, not a failure).
pub fn is_insufficient_funds(revert: &RevertReason) -> bool {
    match revert {
        RevertReason::TicketBroker(ITicketBroker::ITicketBrokerErrors::InsufficientFunds(_)) => {
            true
        }
        RevertReason::Message(m) => m.contains(LIVE_INSUFFICIENT_FUNDS),
        _ => false,
    }
}

/// A revert as the redeemer journals it: a custom error by its name and fields (the name is
/// what the metrics label it by), a reason string as `revert "…"`, anything else as
/// `revert 0x…`.
pub fn describe(revert: &RevertReason) -> String {
    match revert {
        RevertReason::TicketBroker(e) => format!("{e:?}"),
        RevertReason::BondingManager(e) => format!("{e:?}"),
        RevertReason::Manager(e) => format!("{e:?}"),
        RevertReason::RoundsManager(e) => format!("{e:?}"),
        RevertReason::Minter(e) => format!("{e:?}"),
        RevertReason::Controller(e) => format!("{e:?}"),
        RevertReason::Token(e) => format!("{e:?}"),
        RevertReason::BondingVotes(e) => format!("{e:?}"),
        RevertReason::Governor(e) => format!("{e:?}"),
        RevertReason::Timelock(e) => format!("{e:?}"),
        RevertReason::Message(m) => format!("revert {m:?}"),
        RevertReason::Panic(code) => format!("revert panic 0x{code:x}"),
        RevertReason::Unknown(data) => format!("revert 0x{}", alloy::hex::encode(data)),
    }
}

/// Round information the rules need once per pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rounds {
    /// `currentRound()`.
    pub current: Round,
    /// `lastInitializedRound()`.
    pub last_initialized: Round,
    /// `ticketValidityPeriod()`.
    pub ticket_validity_period: U256,
    /// The head block these were read at.
    pub head: u64,
    /// The first block of the next round (`currentRoundStartBlock() + roundLength()`).
    pub next_round_start: U256,
}

impl Rounds {
    /// Whether the head is the round's last block: a transaction sent now lands in the next
    /// round, not initialized before its first block.
    pub fn ends_at_head(&self) -> bool {
        self.ends_at(self.head)
    }

    /// Whether a transaction sent at `head` lands past this round (in the next round's first
    /// block or later).
    pub fn ends_at(&self, head: u64) -> bool {
        U256::from(head) + U256::from(1u64) >= self.next_round_start
    }
}

/// The redeemer's view of the protocol: the TicketBroker and RoundsManager of a [`Protocol`].
#[derive(Debug, Clone)]
pub struct Broker {
    protocol: Protocol,
}

impl Broker {
    /// Discovers the protocol from the Controller at `controller` ([`Protocol::discover`]).
    pub async fn discover(provider: DynProvider, controller: Address) -> Result<Self, ChainError> {
        Ok(Self::new(Protocol::discover(provider, controller).await?))
    }

    /// Over an already discovered protocol.
    pub fn new(protocol: Protocol) -> Self {
        Self { protocol }
    }

    /// The protocol's contracts.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// The TicketBroker (proxy) address.
    pub fn ticket_broker(&self) -> Address {
        self.protocol.addresses.ticket_broker
    }

    /// The provider reads go through.
    pub fn provider(&self) -> &DynProvider {
        self.protocol.ticket_broker.provider()
    }

    /// Current round, last initialized round, the ticket validity period and the next round's
    /// first block, at block `head` (the engine's: no request to learn it; a round that is none is
    /// an [`ChainError::UnexpectedAnswer`]).
    pub async fn rounds(&self, head: u64) -> Result<Rounds, ChainError> {
        let rm = &self.protocol.rounds_manager;
        let tb = &self.protocol.ticket_broker;
        let at = BlockId::number(head);
        let (current, last_initialized, ticket_validity_period, start, length) = tokio::try_join!(
            async { rm.currentRound().block(at).call().await },
            async { rm.lastInitializedRound().block(at).call().await },
            async { tb.ticketValidityPeriod().block(at).call().await },
            async { rm.currentRoundStartBlock().block(at).call().await },
            async { rm.roundLength().block(at).call().await },
        )?;
        let round = |call, value: U256| {
            Round::try_from(value).map_err(|err| ChainError::UnexpectedAnswer {
                call,
                reason: err.to_string(),
            })
        };
        Ok(Rounds {
            current: round("RoundsManager.currentRound", current)?,
            last_initialized: round("RoundsManager.lastInitializedRound", last_initialized)?,
            ticket_validity_period,
            head,
            next_round_start: start.saturating_add(length),
        })
    }

    /// `blockHashForRound(round)`: the hash recorded when `round` was initialized (zero if never).
    pub async fn block_hash_for_round(&self, round: U256) -> Result<B256, ChainError> {
        Ok(self
            .protocol
            .rounds_manager
            .blockHashForRound(round)
            .call()
            .await?)
    }

    /// Whether the round of `block` was initialized before that block began: a transaction in
    /// the block that initializes it may have run before the initialization, so it counts as
    /// not initialized.
    pub async fn round_initialized_before(&self, block: u64) -> Result<bool, ChainError> {
        let rm = &self.protocol.rounds_manager;
        let (current, last_initialized) = tokio::try_join!(
            async { rm.currentRound().block(BlockId::number(block)).call().await },
            async {
                rm.lastInitializedRound()
                    .block(BlockId::number(block.saturating_sub(1)))
                    .call()
                    .await
            },
        )?;
        Ok(last_initialized >= current)
    }

    /// `usedTickets(hash)`.
    pub async fn is_used(&self, hash: B256) -> Result<bool, ChainError> {
        Ok(self.protocol.ticket_broker.usedTickets(hash).call().await?)
    }

    /// The sender's funds and the recipient's claimable reserve slice.
    pub async fn sender_funds(
        &self,
        sender: Address,
        recipient: Address,
    ) -> Result<SenderFunds, ChainError> {
        let tb = &self.protocol.ticket_broker;
        let info = tb.getSenderInfo(sender).call().await?;
        let claimable_reserve = tb.claimableReserve(sender, recipient).call().await?;
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
        livepeer_chain::arbitrum::contract_block_number(self.provider(), BlockNumberOrTag::Latest)
            .await
    }

    /// Current gas price (wei).
    pub async fn gas_price(&self) -> Result<u128, ChainError> {
        Ok(self.provider().get_gas_price().await?)
    }

    /// The balance of `account` (wei).
    pub async fn balance(&self, account: Address) -> Result<U256, ChainError> {
        Ok(self.provider().get_balance(account).await?)
    }

    /// A `redeemWinningTicket` transaction for `signed`.
    pub fn redeem_tx(&self, signed: &SignedTicket) -> TransactionRequest {
        let call = ITicketBroker::redeemWinningTicketCall {
            ticket: signed.ticket.clone().into(),
            sig: signed.signature.clone(),
            recipientRand: signed.recipient_rand,
        };
        TransactionRequest::default()
            .with_to(self.ticket_broker())
            .with_input(call.abi_encode())
    }

    /// A `batchRedeemWinningTickets` transaction for `tickets`.
    pub fn batch_tx(&self, tickets: &[&SignedTicket]) -> TransactionRequest {
        let call = ITicketBroker::batchRedeemWinningTicketsCall {
            tickets: tickets.iter().map(|t| t.ticket.clone().into()).collect(),
            sigs: tickets.iter().map(|t| t.signature.clone()).collect(),
            recipientRands: tickets.iter().map(|t| t.recipient_rand).collect(),
        };
        TransactionRequest::default()
            .with_to(self.ticket_broker())
            .with_input(call.abi_encode())
    }

    /// Estimates `tx` from `from` on the latest block (not on a pending block, where a pending
    /// redemption of the same ticket would already have used it); a revert comes back as
    /// [`ChainError::SimulationReverted`] with the decoded reason (the TicketBroker's,
    /// BondingManager's and Manager's custom errors, or the live contracts' reason strings).
    pub async fn simulate(&self, from: Address, tx: TransactionRequest) -> Result<u64, ChainError> {
        self.provider()
            .estimate_gas(tx.with_from(from))
            .latest()
            .await
            .map_err(|err| match RevertReason::from_transport_error(&err) {
                Some(reason) => ChainError::SimulationReverted(reason),
                None => ChainError::Rpc(err),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{
        primitives::Bytes,
        sol_types::{SolError, SolInterface},
    };
    use livepeer_bindings::IManager;

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
        let decoded = RevertReason::decode(&ours);
        assert!(is_insufficient_funds(&decoded), "{decoded}");
        assert!(describe(&decoded).starts_with("InsufficientFunds("));

        let live = alloy::sol_types::Revert::from(LIVE_INSUFFICIENT_FUNDS).abi_encode();
        let decoded = RevertReason::decode(&live);
        assert_eq!(
            decoded,
            RevertReason::Message(LIVE_INSUFFICIENT_FUNDS.to_owned())
        );
        assert!(is_insufficient_funds(&decoded));
        assert!(describe(&decoded).starts_with("revert \"sender deposit"));

        let other = alloy::sol_types::Revert::from("sender is unlocked").abi_encode();
        assert!(!is_insufficient_funds(&RevertReason::decode(&other)));
        let nothing =
            ITicketBroker::ITicketBrokerErrors::NothingToPay(ITicketBroker::NothingToPay {
                sender: Address::ZERO,
                recipient: Address::ZERO,
            })
            .abi_encode();
        assert!(!is_insufficient_funds(&RevertReason::decode(&nothing)));
        assert!(!is_insufficient_funds(&RevertReason::Unknown(Bytes::new())));
        let paused = RevertReason::decode(
            &IManager::IManagerErrors::SystemPaused(IManager::SystemPaused {}).abi_encode(),
        );
        assert_eq!(describe(&paused), "SystemPaused(SystemPaused)");
        assert_eq!(
            describe(&RevertReason::Unknown(Bytes::from(vec![0xab]))),
            "revert 0xab"
        );
    }
}
