// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../contracts/BondingManager.sol";
import {Controller} from "../contracts/Controller.sol";
import {LivepeerToken} from "../contracts/LivepeerToken.sol";
import {Minter} from "../contracts/Minter.sol";
import {RoundsManager} from "../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../contracts/ServiceRegistry.sol";
import {TicketBroker} from "../contracts/TicketBroker.sol";
import {BondingVotes} from "../contracts/governance/BondingVotes.sol";
import {LivepeerGovernor} from "../contracts/governance/LivepeerGovernor.sol";
import {Treasury} from "../contracts/governance/Treasury.sol";
import {DeployBase} from "./lib/DeployBase.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @notice Deploys and wires the whole protocol from `script/config/<network>.json`, checks it, and
/// writes the deployments file.
/// @dev Run:
///   forge script script/Deploy.s.sol:Deploy --sig 'run(string)' <network> \
///     --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   DEPLOYMENTS_FILE  where to write the deployments JSON (default deployments/<chainId>.json)
///   GIT_COMMIT        optional 0x-prefixed 20-byte commit recorded with every registry entry
/// Order: token (genesis supply minted by the deployer, then minting handed to the Minter),
/// Controller (owned by the deployer while wiring), Minter, the four UUPS proxies, registry entries
/// (incl. "JobsManager" = TicketBroker and "Treasury"), pause if configured, ownership to the
/// configured owner (may be a multisig), then the post-deploy checks. The round is not initialized.
/// `verify()` re-runs the checks against the chain once the transactions are mined.
contract Deploy is DeployBase {
    /// @notice Deploys the `network` config with the broadcasting account, checks it, and writes the
    /// deployments file (`DEPLOYMENTS_FILE`, default `deployments/<chainId>.json`).
    function run(string memory network) external returns (Deployment memory) {
        return deployTo(network, deploymentsPath());
    }

    /// @notice `run` writing the deployments file to `path`.
    function deployTo(string memory network, string memory path) public returns (Deployment memory d) {
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        Config memory cfg = loadConfig(network, deployer);
        d = _deploy(cfg, deployer);
        vm.stopBroadcast();
        checkDeployment(d, cfg, true);
        writeDeployments(d, cfg, deployer, path);
    }

    /// @notice Re-runs the post-deploy checks against the chain for the deployments file
    /// (`DEPLOYMENTS_FILE` / `deployments/<chainId>.json`), e.g. after the broadcast:
    ///   forge script script/Deploy.s.sol:Deploy --sig 'verify()' --rpc-url <url>
    /// Skips what moves with use (inflation, supply, the current treasury rate, the initialized round).
    function verify() external view {
        (Deployment memory d, Config memory cfg,) = readDeployments(deploymentsPath());
        checkDeployment(d, cfg, false);
    }

    /// @notice Deploys `cfg` with this contract as the deployer (no broadcast) and checks it; writes no
    /// file. For tests that want their own config (resolve "deployer" to `address(this)`).
    function deploy(Config memory cfg) external returns (Deployment memory d) {
        d = _deploy(cfg, address(this));
        checkDeployment(d, cfg, true);
    }

    /// @dev `self` is the account every call below comes from: the broadcaster in `run`, this
    /// contract in `deploy`. It holds the token's minting right and the Controller while wiring.
    function _deploy(Config memory cfg, address self) internal returns (Deployment memory d) {
        bytes20 commit = _gitCommit();

        LivepeerToken token = new LivepeerToken(self);
        if (cfg.genesisSupply != 0) token.mint(cfg.genesisHolder, cfg.genesisSupply);
        Controller controller = new Controller(self);
        Minter minter =
            new Minter(address(controller), address(token), cfg.inflation, cfg.inflationChange, cfg.targetBondingRate);
        token.transferMinter(address(minter));

        d.controller = address(controller);
        d.token = address(token);
        d.minter = address(minter);

        d.roundsManagerImpl = address(new RoundsManager());
        d.roundsManager = _proxy(
            d.roundsManagerImpl,
            abi.encodeCall(RoundsManager.initialize, (d.controller, cfg.roundLength, cfg.roundLockAmount))
        );
        d.bondingVotesImpl = address(new BondingVotes());
        d.bondingVotes = _proxy(d.bondingVotesImpl, abi.encodeCall(BondingVotes.initialize, (d.controller)));
        d.bondingManagerImpl = address(new BondingManager(d.token, d.bondingVotes, d.roundsManager, d.minter));
        d.bondingManager = _proxy(
            d.bondingManagerImpl,
            abi.encodeCall(
                BondingManager.initialize,
                (
                    d.controller,
                    uint64(cfg.unbondingPeriod), // parseConfig bounds it to uint64
                    cfg.numActiveTranscoders,
                    cfg.treasuryRewardCutRate,
                    cfg.treasuryBalanceCeiling
                )
            )
        );
        d.ticketBrokerImpl = address(new TicketBroker());
        d.ticketBroker = _proxy(
            d.ticketBrokerImpl,
            abi.encodeCall(TicketBroker.initialize, (d.controller, cfg.unlockPeriod, cfg.ticketValidityPeriod))
        );
        d.serviceRegistryImpl = address(new ServiceRegistry());
        d.serviceRegistry = _proxy(d.serviceRegistryImpl, abi.encodeCall(ServiceRegistry.initialize, (d.controller)));

        _register(controller, "LivepeerToken", d.token, commit);
        _register(controller, "Minter", d.minter, commit);
        _register(controller, "RoundsManager", d.roundsManager, commit);
        _register(controller, "BondingManager", d.bondingManager, commit);
        _register(controller, "TicketBroker", d.ticketBroker, commit);
        // The Minter and the live clients know the TicketBroker by its old name too.
        _register(controller, "JobsManager", d.ticketBroker, commit);
        _register(controller, "ServiceRegistry", d.serviceRegistry, commit);
        _register(controller, "BondingVotes", d.bondingVotes, commit);
        _deployGovernance(d, cfg, controller, self, commit);

        if (cfg.paused) controller.pause();
        if (cfg.owner != self) controller.transferOwnership(cfg.owner);
    }

    /// @dev The Treasury first (the governor reads it from the Controller when initialized), with this
    /// deployer as its admin only until the governor holds its roles.
    function _deployGovernance(
        Deployment memory d,
        Config memory cfg,
        Controller controller,
        address self,
        bytes20 commit
    ) internal {
        Treasury treasury = new Treasury(cfg.treasuryMinDelay, new address[](0), new address[](0), self);
        d.treasury = address(treasury);
        _register(controller, "Treasury", d.treasury, commit);
        d.governorImpl = address(new LivepeerGovernor());
        d.governor = _proxy(
            d.governorImpl,
            abi.encodeCall(
                LivepeerGovernor.initialize,
                (
                    d.controller,
                    uint48(cfg.votingDelay), // parseConfig bounds both
                    uint32(cfg.votingPeriod),
                    cfg.proposalThreshold,
                    cfg.quorum,
                    cfg.quota
                )
            )
        );
        _register(controller, "LivepeerGovernor", d.governor, commit);
        treasury.grantRole(treasury.PROPOSER_ROLE(), d.governor);
        treasury.grantRole(treasury.CANCELLER_ROLE(), d.governor);
        treasury.grantRole(treasury.EXECUTOR_ROLE(), d.governor);
        treasury.renounceRole(treasury.DEFAULT_ADMIN_ROLE(), self);
    }

    function _proxy(address implementation, bytes memory initData) internal returns (address) {
        return address(new ERC1967Proxy(implementation, initData));
    }

    function _register(Controller controller, string memory name, address addr, bytes20 commit) internal {
        controller.setContractInfo(keccak256(bytes(name)), addr, commit);
    }

    function _gitCommit() internal view returns (bytes20) {
        bytes memory commit = vm.envOr("GIT_COMMIT", bytes(""));
        if (commit.length == 0) return bytes20(0);
        require(commit.length == 20, "Deploy: GIT_COMMIT must be a 0x-prefixed 20-byte (40 hex digit) commit hash");
        // forge-lint: disable-next-line(unsafe-typecast)
        return bytes20(commit); // exactly 20 bytes, checked above
    }
}
