// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../contracts/BondingManager.sol";
import {Controller} from "../contracts/Controller.sol";
import {RoundsManager} from "../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../contracts/ServiceRegistry.sol";
import {TicketBroker} from "../contracts/TicketBroker.sol";
import {BondingVotes} from "../contracts/governance/BondingVotes.sol";
import {LivepeerGovernor} from "../contracts/governance/LivepeerGovernor.sol";
import {DeployBase} from "./lib/DeployBase.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice Upgrades one proxied contract to the code of this checkout: deploys the new implementation,
/// calls `upgradeToAndCall(impl, "")` on the proxy, re-runs the post-deploy checks and records the new
/// implementation in the deployments file.
/// @dev Run (the broadcaster must be the protocol owner, `Controller.owner()`):
///   forge script script/Upgrade.s.sol:Upgrade --sig 'run(string)' <name> \
///     --rpc-url <url> --broadcast --private-key <owner key>
/// `<name>`: RoundsManager, BondingManager, TicketBroker or ServiceRegistry.
/// Env: DEPLOYMENTS_FILE (default deployments/<chainId>.json), read and updated.
/// An owner that is a multisig cannot use this script: deploy the implementation, then have the
/// multisig send `upgradeToAndCall(<implementation>, 0x)` to the proxy.
contract Upgrade is DeployBase {
    /// @notice Upgrades `name` in the deployment recorded at `DEPLOYMENTS_FILE` / `deployments/<chainId>.json`.
    function run(string memory name) external returns (address) {
        return upgradeAt(deploymentsPath(), name);
    }

    /// @notice `run` on the deployments file at `path`. Returns the new implementation.
    function upgradeAt(string memory path, string memory name) public returns (address implementation) {
        (Deployment memory d, Config memory cfg,) = readDeployments(path);
        address proxy = _proxyOf(d, name);

        vm.startBroadcast();
        (, address sender,) = vm.readCallers();
        address owner = Controller(d.controller).owner();
        require(
            sender == owner,
            string.concat(
                "upgrade ",
                name,
                ": broadcaster ",
                vm.toString(sender),
                " is not the protocol owner ",
                vm.toString(owner)
            )
        );
        implementation = _newImplementation(d, name);
        UUPSUpgradeable(proxy).upgradeToAndCall(implementation, "");
        vm.stopBroadcast();

        _setImplementation(d, name, implementation);
        checkDeployment(d, cfg, false);
        vm.writeJson(
            string.concat("\"", vm.toString(implementation), "\""),
            path,
            string.concat(".contracts.", name, "Implementation")
        );
    }

    function _proxyOf(Deployment memory d, string memory name) internal pure returns (address) {
        bytes32 h = keccak256(bytes(name));
        if (h == keccak256("RoundsManager")) return d.roundsManager;
        if (h == keccak256("BondingManager")) return d.bondingManager;
        if (h == keccak256("TicketBroker")) return d.ticketBroker;
        if (h == keccak256("ServiceRegistry")) return d.serviceRegistry;
        if (h == keccak256("BondingVotes")) return d.bondingVotes;
        if (h == keccak256("LivepeerGovernor")) return d.governor;
        revert(
            string.concat(
                "upgrade: \"",
                name,
                "\" is not upgradeable (RoundsManager, BondingManager, TicketBroker, ServiceRegistry, BondingVotes or LivepeerGovernor)"
            )
        );
    }

    function _newImplementation(Deployment memory d, string memory name) internal returns (address) {
        bytes32 h = keccak256(bytes(name));
        if (h == keccak256("RoundsManager")) return address(new RoundsManager());
        if (h == keccak256("BondingManager")) {
            return address(new BondingManager(d.token, d.bondingVotes, d.roundsManager, d.minter));
        }
        if (h == keccak256("TicketBroker")) return address(new TicketBroker());
        if (h == keccak256("BondingVotes")) return address(new BondingVotes());
        if (h == keccak256("LivepeerGovernor")) return address(new LivepeerGovernor());
        return address(new ServiceRegistry());
    }

    function _setImplementation(Deployment memory d, string memory name, address implementation) internal pure {
        bytes32 h = keccak256(bytes(name));
        if (h == keccak256("RoundsManager")) d.roundsManagerImpl = implementation;
        else if (h == keccak256("BondingManager")) d.bondingManagerImpl = implementation;
        else if (h == keccak256("TicketBroker")) d.ticketBrokerImpl = implementation;
        else if (h == keccak256("BondingVotes")) d.bondingVotesImpl = implementation;
        else if (h == keccak256("LivepeerGovernor")) d.governorImpl = implementation;
        else d.serviceRegistryImpl = implementation;
    }
}
