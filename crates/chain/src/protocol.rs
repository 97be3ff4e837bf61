//! Protocol discovery from the Controller address alone, and what the deployment supports.
//!
//! A network may still run the BondingManager of livepeer/protocol `delta` f225b10 (2024-03),
//! which predates LIP-118: it has no reward callers, and `transcoderToRewardCaller`,
//! `setRewardCaller` and `rewardForTranscoder*` revert with empty data there.
//! [`Protocol::reward_caller_support`] finds out once per chain (one `eth_call`) so the reward
//! agent and `lpt` can say so and work in own-key mode.

use std::sync::Arc;

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
    transports::TransportError,
};
use livepeer_bindings::{
    IBondingManager, IController, ILivepeerToken, IMinter, IRoundsManager, IServiceRegistry,
    ITicketBroker, contract_id, names,
};
use tokio::sync::OnceCell;

use crate::{ChainError, revert::RevertReason};

/// Addresses of the protocol contracts, as registered in the Controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    /// The Controller (the only configured address).
    pub controller: Address,
    /// `RoundsManager` (proxy).
    pub rounds_manager: Address,
    /// `BondingManager` (proxy).
    pub bonding_manager: Address,
    /// `Minter`.
    pub minter: Address,
    /// `LivepeerToken`.
    pub token: Address,
    /// `TicketBroker` (proxy).
    pub ticket_broker: Address,
    /// `ServiceRegistry` (proxy).
    pub service_registry: Address,
}

/// The protocol's contracts, bound to one provider.
#[derive(Debug, Clone)]
pub struct Protocol {
    /// Their addresses.
    pub addresses: Addresses,
    /// The Controller.
    pub controller: IController::IControllerInstance<DynProvider>,
    /// The RoundsManager.
    pub rounds_manager: IRoundsManager::IRoundsManagerInstance<DynProvider>,
    /// The BondingManager.
    pub bonding_manager: IBondingManager::IBondingManagerInstance<DynProvider>,
    /// The Minter.
    pub minter: IMinter::IMinterInstance<DynProvider>,
    /// The LivepeerToken.
    pub token: ILivepeerToken::ILivepeerTokenInstance<DynProvider>,
    /// The TicketBroker.
    pub ticket_broker: ITicketBroker::ITicketBrokerInstance<DynProvider>,
    /// The ServiceRegistry.
    pub service_registry: IServiceRegistry::IServiceRegistryInstance<DynProvider>,
    /// LIP-118 support, probed at most once ([`Protocol::reward_caller_support`]); shared by clones.
    reward_callers: Arc<OnceCell<RewardCallerSupport>>,
}

/// Whether the BondingManager has LIP-118's reward callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardCallerSupport {
    /// `transcoderToRewardCaller` answers: an orchestrator may authorize a reward caller.
    Supported,
    /// `transcoderToRewardCaller` reverts with empty data: the BondingManager predates LIP-118
    /// (livepeer/protocol `delta` f225b10), so only the orchestrator's own key can call reward.
    NotSupported,
}

impl RewardCallerSupport {
    /// `true` for [`RewardCallerSupport::Supported`].
    pub fn is_supported(self) -> bool {
        self == Self::Supported
    }
}

impl std::fmt::Display for RewardCallerSupport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Supported => "supported",
            Self::NotSupported => "not supported by this deployment",
        })
    }
}

/// Classifies the answer to `transcoderToRewardCaller(address(0))` on the BondingManager: an
/// address → supported; a revert with empty data (what a contract without the function answers,
/// through the proxy) → not supported; anything else (a transport failure, a revert with a
/// reason, an answer that is not an address) is an error, never a guess.
pub fn classify_reward_caller_probe(
    answer: Result<Bytes, TransportError>,
) -> Result<RewardCallerSupport, ChainError> {
    const CALL: &str = "BondingManager.transcoderToRewardCaller";
    match answer {
        Ok(output) => IBondingManager::transcoderToRewardCallerCall::abi_decode_returns(&output)
            .map(|_| RewardCallerSupport::Supported)
            .map_err(|_| ChainError::UnexpectedAnswer {
                call: CALL,
                reason: format!("{output} is not an address (is the BondingManager a contract?)"),
            }),
        Err(err) => match RevertReason::from_transport_error(&err) {
            Some(RevertReason::Unknown(data)) if data.is_empty() => {
                Ok(RewardCallerSupport::NotSupported)
            }
            Some(reason) => Err(ChainError::UnexpectedAnswer {
                call: CALL,
                reason: format!("reverted: {reason}"),
            }),
            None => Err(ChainError::Rpc(err)),
        },
    }
}

/// Probes `bonding_manager` for LIP-118 with one `eth_call` (see [`classify_reward_caller_probe`]).
pub async fn probe_reward_caller_support(
    provider: &DynProvider,
    bonding_manager: Address,
) -> Result<RewardCallerSupport, ChainError> {
    let input = IBondingManager::transcoderToRewardCallerCall {
        transcoder: Address::ZERO,
    }
    .abi_encode();
    let tx = TransactionRequest::default()
        .with_to(bonding_manager)
        .with_input(input);
    classify_reward_caller_probe(provider.call(tx).await)
}

impl Protocol {
    /// Reads every contract address from the Controller with `getContract(keccak256(name))`.
    ///
    /// Fails with [`ChainError::NotRegistered`] if a name resolves to the zero address.
    pub async fn discover(provider: DynProvider, controller: Address) -> Result<Self, ChainError> {
        let ctrl = IController::new(controller, provider.clone());
        let lookup = async |name: &'static str| -> Result<Address, ChainError> {
            let address = ctrl.getContract(contract_id(name)).call().await?;
            if address == Address::ZERO {
                return Err(ChainError::NotRegistered { controller, name });
            }
            Ok(address)
        };
        let addresses = Addresses {
            controller,
            rounds_manager: lookup(names::ROUNDS_MANAGER).await?,
            bonding_manager: lookup(names::BONDING_MANAGER).await?,
            minter: lookup(names::MINTER).await?,
            token: lookup(names::LIVEPEER_TOKEN).await?,
            ticket_broker: lookup(names::TICKET_BROKER).await?,
            service_registry: lookup(names::SERVICE_REGISTRY).await?,
        };
        Ok(Self::at(provider, addresses))
    }

    /// Binds known addresses without any RPC request.
    pub fn at(provider: DynProvider, addresses: Addresses) -> Self {
        Self {
            addresses,
            controller: IController::new(addresses.controller, provider.clone()),
            rounds_manager: IRoundsManager::new(addresses.rounds_manager, provider.clone()),
            bonding_manager: IBondingManager::new(addresses.bonding_manager, provider.clone()),
            minter: IMinter::new(addresses.minter, provider.clone()),
            token: ILivepeerToken::new(addresses.token, provider.clone()),
            ticket_broker: ITicketBroker::new(addresses.ticket_broker, provider.clone()),
            service_registry: IServiceRegistry::new(addresses.service_registry, provider),
            reward_callers: Arc::new(OnceCell::new()),
        }
    }

    /// Whether this deployment has LIP-118's reward callers: probed with one `eth_call` the
    /// first time, remembered after (clones share the answer). An error is not remembered.
    pub async fn reward_caller_support(&self) -> Result<RewardCallerSupport, ChainError> {
        self.reward_callers
            .get_or_try_init(|| {
                probe_reward_caller_support(
                    self.bonding_manager.provider(),
                    self.addresses.bonding_manager,
                )
            })
            .await
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use alloy::{
        primitives::Address,
        rpc::json_rpc::ErrorPayload,
        sol_types::{Revert, SolError, SolValue},
    };
    use serde_json::value::RawValue;

    use super::*;

    fn reverted(message: &str, data: Option<&str>) -> Result<Bytes, TransportError> {
        Err(TransportError::ErrorResp(ErrorPayload {
            code: 3,
            message: message.to_owned().into(),
            data: data.map(|d| {
                RawValue::from_string(format!("\"{d}\"")).unwrap_or_else(|_| unreachable!())
            }),
        }))
    }

    #[test]
    fn an_address_means_supported() {
        let answer = Ok(Bytes::from(Address::with_last_byte(7).abi_encode()));
        assert_eq!(
            classify_reward_caller_probe(answer).ok(),
            Some(RewardCallerSupport::Supported)
        );
        let zero = Ok(Bytes::from(Address::ZERO.abi_encode()));
        assert_eq!(
            classify_reward_caller_probe(zero).ok(),
            Some(RewardCallerSupport::Supported),
            "no caller set is still an answer"
        );
    }

    #[test]
    fn an_empty_revert_means_not_supported() {
        // anvil and geth with `data: "0x"`, and nodes that send no data at all.
        for answer in [
            reverted("execution reverted", Some("0x")),
            reverted("execution reverted", None),
        ] {
            assert_eq!(
                classify_reward_caller_probe(answer).ok(),
                Some(RewardCallerSupport::NotSupported)
            );
        }
        assert_eq!(
            RewardCallerSupport::NotSupported.to_string(),
            "not supported by this deployment"
        );
        assert!(!RewardCallerSupport::NotSupported.is_supported());
    }

    #[test]
    fn anything_else_is_an_error() {
        let reason = Revert::from("system is paused").abi_encode();
        let with_reason = reverted(
            "execution reverted: system is paused",
            Some(&Bytes::from(reason).to_string()),
        );
        let err = classify_reward_caller_probe(with_reason)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "unexpected answer to BondingManager.transcoderToRewardCaller: reverted: \"system is paused\""
            )
        );
        let not_an_address = classify_reward_caller_probe(Ok(Bytes::new()));
        assert!(
            matches!(not_an_address, Err(ChainError::UnexpectedAnswer { .. })),
            "{not_an_address:?}"
        );
        let down = Err(TransportError::ErrorResp(ErrorPayload {
            code: -32005,
            message: "rate limited".into(),
            data: None,
        }));
        assert!(matches!(
            classify_reward_caller_probe(down),
            Err(ChainError::Rpc(_))
        ));
    }
}
