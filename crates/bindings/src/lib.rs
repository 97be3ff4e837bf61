//! Typed [alloy] bindings for the Livepeer protocol contracts.
//!
//! # Where the bindings come from
//!
//! Every interface in `contracts/interfaces/*.sol` has its ABI committed as
//! `crates/bindings/abi/<Name>.json`, copied verbatim from the forge artifact
//! `out/<Name>.sol/<Name>.json`. The [`alloy::sol!`] macro reads those JSON files at compile
//! time and generates one module per interface, e.g. [`IController`], holding:
//!
//! - a `<Name>Instance` contract handle (from `#[sol(rpc)]`) with one method per function,
//!   built with `<Name>::new(address, provider)`;
//! - one `<fn>Call` / `<fn>Return` type per function, one type per event;
//! - a `<Name>Errors` enum of the interface's custom errors, to match reverts on
//!   (see [`alloy::contract::Error::as_decoded_interface_error`]).
//!
//! No ABI is written by hand, so the bindings cannot drift from the Solidity source.
//!
//! Contracts deployed as their library ships them have no interface of ours: the Treasury is
//! OpenZeppelin's `TimelockController`, whose ABI is committed as
//! `abi/vendor/TimelockController.json`, copied from the pinned `@openzeppelin/contracts`
//! package (`node_modules/@openzeppelin/contracts/build/contracts/TimelockController.json`).
//!
//! # Refreshing
//!
//! After changing an interface, run `make bindings` (`forge build` followed by
//! `node script/toolchain/export-abis.js`, then the vendor copy) and commit the updated
//! `abi/*.json` and `abi/vendor/*.json`. The `abi_fresh` test fails whenever the committed ABIs
//! and the forge artifacts (or the OpenZeppelin package) disagree.
//!
//! # Example
//!
//! ```no_run
//! use alloy::{primitives::Address, providers::ProviderBuilder};
//! use livepeer_bindings::{IController, contract_id, names};
//!
//! # async fn run(controller: Address) -> Result<(), Box<dyn std::error::Error>> {
//! let provider = ProviderBuilder::new().connect_http("http://localhost:8545".parse()?);
//! let controller = IController::new(controller, provider);
//!
//! let minter = controller.getContract(contract_id(names::MINTER)).call().await?;
//!
//! match controller.pause().send().await {
//!     Ok(pending) => println!("paused in {:?}", pending.tx_hash()),
//!     Err(err) => match err.as_decoded_interface_error::<IController::IControllerErrors>() {
//!         Some(IController::IControllerErrors::AlreadyPaused(_)) => println!("already paused"),
//!         _ => return Err(err.into()),
//!     },
//! }
//! # let _ = minter;
//! # Ok(())
//! # }
//! ```

// Generated call builders mirror Solidity signatures, some of which take seven or more arguments.
#![allow(clippy::too_many_arguments)]

use alloy::{
    primitives::{B256, keccak256},
    sol,
};

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IController,
    "abi/IController.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IManager,
    "abi/IManager.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ILivepeerToken,
    "abi/ILivepeerToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IMinter,
    "abi/IMinter.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IRoundsManager,
    "abi/IRoundsManager.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IServiceRegistry,
    "abi/IServiceRegistry.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IBondingManager,
    "abi/IBondingManager.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ITicketBroker,
    "abi/ITicketBroker.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IBondingVotes,
    "abi/IBondingVotes.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ILivepeerGovernor,
    "abi/ILivepeerGovernor.json"
);

// The Treasury is OpenZeppelin's TimelockController, used as it is: its ABI comes from the
// pinned `@openzeppelin/contracts` package's build artifact (`abi/vendor/`, see the crate docs).
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    TimelockController,
    "abi/vendor/TimelockController.json"
);

// The protocol crate's ticket is the contract's `Ticket` struct with Rust names.
impl From<livepeer_protocol::ticket::Ticket> for ITicketBroker::Ticket {
    fn from(t: livepeer_protocol::ticket::Ticket) -> Self {
        Self {
            recipient: t.recipient,
            sender: t.sender,
            faceValue: t.face_value,
            winProb: t.win_prob,
            senderNonce: t.sender_nonce,
            recipientRandHash: t.recipient_rand_hash,
            auxData: t.aux_data,
        }
    }
}

impl From<ITicketBroker::Ticket> for livepeer_protocol::ticket::Ticket {
    fn from(t: ITicketBroker::Ticket) -> Self {
        Self {
            recipient: t.recipient,
            sender: t.sender,
            face_value: t.faceValue,
            win_prob: t.winProb,
            sender_nonce: t.senderNonce,
            recipient_rand_hash: t.recipientRandHash,
            aux_data: t.auxData,
        }
    }
}

/// Registry key of a protocol contract: `keccak256(name)`, as passed to
/// `Controller.getContract` / `setContractInfo`.
pub fn contract_id(name: &str) -> B256 {
    keccak256(name.as_bytes())
}

/// Names the live network registers its contracts under in the Controller.
///
/// Pass them through [`contract_id`] to get the registry key.
pub mod names {
    /// The BondingManager (stake, delegation, rewards).
    pub const BONDING_MANAGER: &str = "BondingManager";
    /// The Minter (inflation and token issuance).
    pub const MINTER: &str = "Minter";
    /// The RoundsManager (round clock).
    pub const ROUNDS_MANAGER: &str = "RoundsManager";
    /// The TicketBroker (probabilistic micropayments).
    pub const TICKET_BROKER: &str = "TicketBroker";
    /// Legacy alias of the TicketBroker, still checked by the Minter for ETH withdrawals.
    pub const JOBS_MANAGER: &str = "JobsManager";
    /// The LPT ERC-20 token.
    pub const LIVEPEER_TOKEN: &str = "LivepeerToken";
    /// The ServiceRegistry (orchestrator service URIs).
    pub const SERVICE_REGISTRY: &str = "ServiceRegistry";
    /// The governance Treasury (OpenZeppelin's TimelockController).
    pub const TREASURY: &str = "Treasury";
    /// Stake as voting power (ERC-5805 with the round as clock).
    pub const BONDING_VOTES: &str = "BondingVotes";
    /// The stake-weighted governor of the Treasury.
    pub const LIVEPEER_GOVERNOR: &str = "LivepeerGovernor";

    /// Every name above.
    pub const ALL: [&str; 10] = [
        BONDING_MANAGER,
        MINTER,
        ROUNDS_MANAGER,
        TICKET_BROKER,
        JOBS_MANAGER,
        LIVEPEER_TOKEN,
        SERVICE_REGISTRY,
        TREASURY,
        BONDING_VOTES,
        LIVEPEER_GOVERNOR,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::b256;

    #[test]
    fn contract_id_is_keccak_of_name() {
        assert_eq!(
            contract_id(""),
            b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
        assert_eq!(contract_id(names::MINTER), keccak256(b"Minter"));
    }

    #[test]
    fn ticket_converts_to_and_from_the_protocol_crate() {
        use alloy::primitives::{Address, B256, U256};
        let t = livepeer_protocol::ticket::Ticket {
            recipient: Address::repeat_byte(1),
            sender: Address::repeat_byte(2),
            face_value: U256::from(3),
            win_prob: U256::from(4),
            sender_nonce: U256::from(5),
            recipient_rand_hash: B256::repeat_byte(6),
            aux_data: vec![7u8; 64].into(),
        };
        let binding = ITicketBroker::Ticket::from(t.clone());
        assert_eq!(binding.faceValue, U256::from(3));
        assert_eq!(livepeer_protocol::ticket::Ticket::from(binding), t);
    }

    #[test]
    fn registry_names_are_distinct() {
        let mut ids: Vec<B256> = names::ALL.iter().map(|name| contract_id(name)).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), names::ALL.len());
    }
}
