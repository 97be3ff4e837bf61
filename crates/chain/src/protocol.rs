//! Protocol discovery from the Controller address alone.

use alloy::{primitives::Address, providers::DynProvider};
use livepeer_bindings::{
    IBondingManager, IController, ILivepeerToken, IMinter, IRoundsManager, IServiceRegistry,
    ITicketBroker, contract_id, names,
};

use crate::ChainError;

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
        }
    }
}
