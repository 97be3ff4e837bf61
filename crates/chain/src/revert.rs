//! Decoding revert data into something a bot can match on.
//!
//! Tried in order: the custom errors of every interface in `crates/bindings` (our
//! contracts, and the Treasury's OpenZeppelin TimelockController), then Solidity's `Error(string)` (the `require` strings of the live Livepeer
//! contracts, e.g. `"round already initialized"`) and `Panic(uint256)`.

use alloy::{
    primitives::{Bytes, U256},
    sol_types::{Panic, Revert, SolError, SolInterface},
    transports::TransportError,
};
use livepeer_bindings::{
    IBondingManager::IBondingManagerErrors, IBondingVotes::IBondingVotesErrors,
    IController::IControllerErrors, ILivepeerGovernor::ILivepeerGovernorErrors,
    ILivepeerToken::ILivepeerTokenErrors, IManager::IManagerErrors, IMinter::IMinterErrors,
    IRoundsManager::IRoundsManagerErrors, ITicketBroker::ITicketBrokerErrors,
    TimelockController::TimelockControllerErrors,
};

/// A decoded revert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertReason {
    /// A custom error of `IRoundsManager`.
    RoundsManager(IRoundsManagerErrors),
    /// A custom error of `IBondingManager`.
    BondingManager(IBondingManagerErrors),
    /// A custom error of `ITicketBroker`.
    TicketBroker(ITicketBrokerErrors),
    /// A custom error of `IMinter`.
    Minter(IMinterErrors),
    /// A custom error of `IController`.
    Controller(IControllerErrors),
    /// A custom error of `IManager` (shared by every managed contract: paused, caller checks).
    Manager(IManagerErrors),
    /// A custom error of `ILivepeerToken`.
    Token(ILivepeerTokenErrors),
    /// A custom error of `IBondingVotes` (e.g. `FutureLookup` for a round not finished yet).
    BondingVotes(IBondingVotesErrors),
    /// A custom error of `ILivepeerGovernor`, OpenZeppelin's `IGovernor` errors included.
    Governor(ILivepeerGovernorErrors),
    /// A custom error of the Treasury (OpenZeppelin's `TimelockController`).
    Timelock(TimelockControllerErrors),
    /// `Error(string)`: a `require` message (the live contracts use these).
    Message(String),
    /// `Panic(uint256)`: an assertion, overflow or division by zero.
    Panic(U256),
    /// Revert data that matches nothing known (possibly empty).
    Unknown(Bytes),
}

impl RevertReason {
    /// Decodes raw revert data.
    pub fn decode(data: &[u8]) -> Self {
        macro_rules! try_interface {
            ($ty:ty, $variant:ident) => {
                if let Ok(err) = <$ty>::abi_decode(data) {
                    return Self::$variant(err);
                }
            };
        }
        try_interface!(IRoundsManagerErrors, RoundsManager);
        try_interface!(IBondingManagerErrors, BondingManager);
        try_interface!(ITicketBrokerErrors, TicketBroker);
        try_interface!(IMinterErrors, Minter);
        try_interface!(IControllerErrors, Controller);
        try_interface!(IManagerErrors, Manager);
        try_interface!(ILivepeerTokenErrors, Token);
        try_interface!(IBondingVotesErrors, BondingVotes);
        try_interface!(ILivepeerGovernorErrors, Governor);
        try_interface!(TimelockControllerErrors, Timelock);
        if let Ok(revert) = Revert::abi_decode(data) {
            return Self::Message(revert.reason);
        }
        if let Ok(panic) = Panic::abi_decode(data) {
            return Self::Panic(panic.code);
        }
        Self::Unknown(Bytes::copy_from_slice(data))
    }

    /// The revert carried by a JSON-RPC error response, if the error is one.
    pub fn from_transport_error(err: &TransportError) -> Option<Self> {
        let payload = err.as_error_resp()?;
        if let Some(data) = payload.as_revert_data() {
            return Some(Self::decode(&data));
        }
        // Some nodes answer `execution reverted: <reason>` without data.
        let message = payload.message.as_ref();
        let lower = message.to_ascii_lowercase();
        if lower.contains("revert") {
            let reason = message
                .split_once(": ")
                .map_or("", |(_, reason)| reason)
                .to_owned();
            return Some(if reason.is_empty() {
                Self::Unknown(Bytes::new())
            } else {
                Self::Message(reason)
            });
        }
        None
    }

    /// The round is already initialized, in either dialect: our
    /// `RoundAlreadyInitialized(uint256)` or the live contract's `"round already initialized"`.
    pub fn is_round_already_initialized(&self) -> bool {
        match self {
            Self::RoundsManager(IRoundsManagerErrors::RoundAlreadyInitialized(_)) => true,
            Self::Message(msg) => msg.contains("round already initialized"),
            _ => false,
        }
    }
}

impl std::fmt::Display for RevertReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RoundsManager(e) => write!(f, "RoundsManager.{e:?}"),
            Self::BondingManager(e) => write!(f, "BondingManager.{e:?}"),
            Self::TicketBroker(e) => write!(f, "TicketBroker.{e:?}"),
            Self::Minter(e) => write!(f, "Minter.{e:?}"),
            Self::Controller(e) => write!(f, "Controller.{e:?}"),
            Self::Manager(e) => write!(f, "Manager.{e:?}"),
            Self::Token(e) => write!(f, "LivepeerToken.{e:?}"),
            Self::BondingVotes(e) => write!(f, "BondingVotes.{e:?}"),
            Self::Governor(e) => write!(f, "LivepeerGovernor.{e:?}"),
            Self::Timelock(e) => write!(f, "Treasury.{e:?}"),
            Self::Message(msg) => write!(f, "\"{msg}\""),
            Self::Panic(code) => write!(f, "panic 0x{code:x}"),
            Self::Unknown(data) if data.is_empty() => write!(f, "revert without data"),
            Self::Unknown(data) => write!(f, "unknown revert {data}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;
    use livepeer_bindings::IRoundsManager;

    #[test]
    fn decodes_custom_error_of_rounds_manager() {
        let data = IRoundsManager::RoundAlreadyInitialized {
            round: U256::from(7),
        }
        .abi_encode();
        let reason = RevertReason::decode(&data);
        assert!(reason.is_round_already_initialized(), "{reason}");
        assert_eq!(
            reason,
            RevertReason::RoundsManager(IRoundsManagerErrors::RoundAlreadyInitialized(
                IRoundsManager::RoundAlreadyInitialized {
                    round: U256::from(7)
                }
            ))
        );
    }

    #[test]
    fn decodes_governance_errors() {
        use livepeer_bindings::{IBondingVotes, ILivepeerGovernor, TimelockController};
        let data = IBondingVotes::FutureLookup {
            round: U256::from(9),
            maxAllowed: U256::from(8),
        }
        .abi_encode();
        assert!(matches!(
            RevertReason::decode(&data),
            RevertReason::BondingVotes(IBondingVotesErrors::FutureLookup(_))
        ));
        let data = ILivepeerGovernor::VoteAlreadyCast {}.abi_encode();
        assert!(matches!(
            RevertReason::decode(&data),
            RevertReason::Governor(ILivepeerGovernorErrors::VoteAlreadyCast(_))
        ));
        let data = TimelockController::TimelockUnexpectedOperationState {
            operationId: Default::default(),
            expectedStates: Default::default(),
        }
        .abi_encode();
        assert!(matches!(
            RevertReason::decode(&data),
            RevertReason::Timelock(TimelockControllerErrors::TimelockUnexpectedOperationState(
                _
            ))
        ));
    }

    #[test]
    fn decodes_live_revert_string() {
        let data = Revert::from("round already initialized").abi_encode();
        let reason = RevertReason::decode(&data);
        assert_eq!(
            reason,
            RevertReason::Message("round already initialized".into())
        );
        assert!(reason.is_round_already_initialized());
        let other = RevertReason::decode(&Revert::from("system is paused").abi_encode());
        assert!(!other.is_round_already_initialized());
        assert_eq!(other.to_string(), "\"system is paused\"");
    }

    #[test]
    fn decodes_panic_and_unknown() {
        let data = Panic::from(0x11).abi_encode();
        assert_eq!(
            RevertReason::decode(&data),
            RevertReason::Panic(U256::from(0x11))
        );
        assert_eq!(
            RevertReason::decode(&[1, 2, 3]),
            RevertReason::Unknown(Bytes::from(vec![1, 2, 3]))
        );
        assert_eq!(RevertReason::decode(&[]).to_string(), "revert without data");
    }
}
