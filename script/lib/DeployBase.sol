// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Controller} from "../../contracts/Controller.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {LivepeerGovernor} from "../../contracts/governance/LivepeerGovernor.sol";
import {Treasury} from "../../contracts/governance/Treasury.sol";
import {IManager} from "../../contracts/interfaces/IManager.sol";
import {DeploymentsFile} from "./DeploymentsFile.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";

/// @notice Everything the deploy and upgrade scripts share: the config (parsed and validated key by
/// key), the deployments file (read and written), and the post-deploy checks.
/// @dev Config keys (all required; keys starting with "_" are comments and ignored):
/// - roundLength (blocks), roundLockAmount (1e6 = 100%), unbondingPeriod (rounds),
///   numActiveTranscoders, inflation / inflationChange / targetBondingRate (1e9 = 100%),
///   unlockPeriod and ticketValidityPeriod (rounds), treasuryRewardCutRate (1e27 = 100%),
///   treasuryBalanceCeiling (LPT wei), genesisSupply (LPT wei): JSON numbers or decimal strings
///   (use strings above 2^53 so every JSON tool reads them exactly);
/// - owner, genesisHolder: a 0x address or the word "deployer" (the broadcasting account);
/// - votingDelay and votingPeriod (rounds), proposalThreshold (LPT wei), quorum and quota (1e6 = 100%),
///   treasuryMinDelay (seconds): the LivepeerGovernor and its Treasury;
/// - paused: bool.
abstract contract DeployBase is DeploymentsFile {
    /// @notice A network's deploy parameters, with "deployer" already resolved to an address.
    struct Config {
        string network;
        uint256 roundLength;
        uint256 roundLockAmount;
        uint256 unbondingPeriod;
        uint256 numActiveTranscoders;
        uint256 inflation;
        uint256 inflationChange;
        uint256 targetBondingRate;
        uint256 unlockPeriod;
        uint256 ticketValidityPeriod;
        uint256 treasuryRewardCutRate;
        uint256 treasuryBalanceCeiling;
        uint256 genesisSupply;
        address genesisHolder;
        address owner;
        uint256 votingDelay;
        uint256 votingPeriod;
        uint256 proposalThreshold;
        uint256 quorum;
        uint256 quota;
        uint256 treasuryMinDelay;
        bool paused;
    }

    /// @notice Every deployed address; proxies carry the protocol's name, `*Impl` their implementation.
    struct Deployment {
        address controller;
        address token;
        address minter;
        address roundsManager;
        address roundsManagerImpl;
        address bondingManager;
        address bondingManagerImpl;
        address bondingVotes;
        address bondingVotesImpl;
        address ticketBroker;
        address ticketBrokerImpl;
        address serviceRegistry;
        address serviceRegistryImpl;
        address governor;
        address governorImpl;
        address treasury;
    }

    /// @notice A Controller registry entry a deployment must have: its name and the address it resolves to.
    struct RegistryEntry {
        string name;
        address addr;
    }

    uint256 internal constant PERC_DIVISOR = 1e6;
    uint256 internal constant INFLATION_DIVISOR = 1e9;
    uint256 internal constant PRECISE_DIVISOR = 1e27;

    /* CONFIG */

    /// @notice Reads and validates `script/config/<network>.json`.
    function loadConfig(string memory network, address deployer) public view returns (Config memory) {
        string memory path = string.concat(vm.projectRoot(), "/script/config/", network, ".json");
        require(vm.isFile(path), string.concat("config: no file script/config/", network, ".json"));
        return parseConfig(vm.readFile(path), "", string.concat("config ", network), network, deployer);
    }

    /// @notice Parses the config object at `prefix` ("" for the root) of `json`. Reverts naming the key
    /// that is missing, unknown, of the wrong type or out of range; `source` starts each message.
    function parseConfig(
        string memory json,
        string memory prefix,
        string memory source,
        string memory network,
        address deployer
    ) public view returns (Config memory cfg) {
        _rejectUnknownKeys(json, prefix, source);
        cfg.network = network;
        cfg.roundLength = _uint(json, prefix, source, "roundLength");
        require(
            cfg.roundLength != 0 && cfg.roundLength <= type(uint40).max,
            _bad(source, "roundLength", "must be between 1 and 2^40-1 blocks")
        );
        cfg.roundLockAmount = _uint(json, prefix, source, "roundLockAmount");
        require(cfg.roundLockAmount <= PERC_DIVISOR, _bad(source, "roundLockAmount", "must be <= 1000000 (100%)"));
        cfg.unbondingPeriod = _uint(json, prefix, source, "unbondingPeriod");
        require(
            cfg.unbondingPeriod != 0 && cfg.unbondingPeriod <= type(uint64).max,
            _bad(source, "unbondingPeriod", "must be between 1 and 2^64-1 rounds")
        );
        cfg.numActiveTranscoders = _uint(json, prefix, source, "numActiveTranscoders");
        require(
            cfg.numActiveTranscoders != 0 && cfg.numActiveTranscoders <= type(uint32).max,
            _bad(source, "numActiveTranscoders", "must be between 1 and 2^32-1")
        );
        cfg.inflation = _rate(json, prefix, source, "inflation");
        cfg.inflationChange = _rate(json, prefix, source, "inflationChange");
        cfg.targetBondingRate = _rate(json, prefix, source, "targetBondingRate");
        cfg.unlockPeriod = _period(json, prefix, source, "unlockPeriod");
        cfg.ticketValidityPeriod = _period(json, prefix, source, "ticketValidityPeriod");
        cfg.treasuryRewardCutRate = _uint(json, prefix, source, "treasuryRewardCutRate");
        require(
            cfg.treasuryRewardCutRate <= PRECISE_DIVISOR,
            _bad(source, "treasuryRewardCutRate", "must be <= 1e27 (100%)")
        );
        cfg.treasuryBalanceCeiling = _uint(json, prefix, source, "treasuryBalanceCeiling");
        cfg.genesisSupply = _uint(json, prefix, source, "genesisSupply");
        cfg.genesisHolder = _address(json, prefix, source, "genesisHolder", deployer);
        cfg.owner = _address(json, prefix, source, "owner", deployer);
        cfg.votingDelay = _uint(json, prefix, source, "votingDelay");
        require(cfg.votingDelay <= type(uint48).max, _bad(source, "votingDelay", "must be < 2^48 rounds"));
        cfg.votingPeriod = _uint(json, prefix, source, "votingPeriod");
        require(
            cfg.votingPeriod != 0 && cfg.votingPeriod <= type(uint32).max,
            _bad(source, "votingPeriod", "must be between 1 and 2^32-1 rounds")
        );
        cfg.proposalThreshold = _uint(json, prefix, source, "proposalThreshold");
        cfg.quorum = _uint(json, prefix, source, "quorum");
        require(cfg.quorum <= PERC_DIVISOR, _bad(source, "quorum", "must be <= 1000000 (100%)"));
        cfg.quota = _uint(json, prefix, source, "quota");
        require(cfg.quota <= PERC_DIVISOR, _bad(source, "quota", "must be <= 1000000 (100%)"));
        cfg.treasuryMinDelay = _uint(json, prefix, source, "treasuryMinDelay");
        cfg.paused = _bool(json, prefix, source, "paused");
    }

    /// @dev Typos ("roundLenght") must not silently fall back to nothing.
    function _rejectUnknownKeys(string memory json, string memory prefix, string memory source) internal pure {
        string[] memory keys = vm.parseJsonKeys(json, bytes(prefix).length == 0 ? "$" : prefix);
        for (uint256 i; i < keys.length; i++) {
            bytes memory k = bytes(keys[i]);
            if (k.length != 0 && k[0] == "_") continue;
            require(_isConfigKey(keys[i]), string.concat(source, ": unknown key \"", keys[i], "\""));
        }
    }

    /// @notice Every config key, in the order of the Config struct (all required).
    function configKeys() public pure returns (string[21] memory) {
        return [
            string("roundLength"),
            "roundLockAmount",
            "unbondingPeriod",
            "numActiveTranscoders",
            "inflation",
            "inflationChange",
            "targetBondingRate",
            "unlockPeriod",
            "ticketValidityPeriod",
            "treasuryRewardCutRate",
            "treasuryBalanceCeiling",
            "genesisSupply",
            "genesisHolder",
            "owner",
            "votingDelay",
            "votingPeriod",
            "proposalThreshold",
            "quorum",
            "quota",
            "treasuryMinDelay",
            "paused"
        ];
    }

    function _isConfigKey(string memory key) internal pure returns (bool) {
        string[21] memory known = configKeys();
        for (uint256 i; i < known.length; i++) {
            if (keccak256(bytes(known[i])) == keccak256(bytes(key))) return true;
        }
        return false;
    }

    function _require(string memory json, string memory prefix, string memory source, string memory key)
        internal
        view
        returns (string memory path)
    {
        path = string.concat(prefix, ".", key);
        require(vm.keyExistsJson(json, path), string.concat(source, ": missing key \"", key, "\""));
    }

    function _uint(string memory json, string memory prefix, string memory source, string memory key)
        internal
        view
        returns (uint256)
    {
        string memory path = _require(json, prefix, source, key);
        try vm.parseJsonUint(json, path) returns (uint256 value) {
            return value;
        } catch {
            revert(_bad(source, key, "must be an unsigned integer (a JSON number or a decimal string)"));
        }
    }

    /// @dev 1e9-scaled rate of the Minter.
    function _rate(string memory json, string memory prefix, string memory source, string memory key)
        internal
        view
        returns (uint256 value)
    {
        value = _uint(json, prefix, source, key);
        require(value <= INFLATION_DIVISOR, _bad(source, key, "must be <= 1000000000 (100%)"));
    }

    /// @dev A TicketBroker period in rounds.
    function _period(string memory json, string memory prefix, string memory source, string memory key)
        internal
        view
        returns (uint256 value)
    {
        value = _uint(json, prefix, source, key);
        require(value != 0 && value <= type(uint64).max, _bad(source, key, "must be between 1 and 2^64-1 rounds"));
    }

    function _address(
        string memory json,
        string memory prefix,
        string memory source,
        string memory key,
        address deployer
    ) internal view returns (address addr) {
        string memory path = _require(json, prefix, source, key);
        string memory raw;
        try vm.parseJsonString(json, path) returns (string memory value) {
            raw = value;
        } catch {
            revert(_bad(source, key, "must be a string: a 0x address or \"deployer\""));
        }
        if (keccak256(bytes(raw)) == keccak256("deployer")) {
            addr = deployer;
        } else if (bytes(raw).length != 42) {
            revert(_bad(source, key, string.concat("must be a 0x address or \"deployer\", got \"", raw, "\"")));
        } else {
            try vm.parseAddress(raw) returns (address value) {
                addr = value;
            } catch {
                revert(_bad(source, key, string.concat("must be a 0x address or \"deployer\", got \"", raw, "\"")));
            }
        }
        require(addr != address(0), _bad(source, key, "must not be the zero address"));
    }

    function _bool(string memory json, string memory prefix, string memory source, string memory key)
        internal
        view
        returns (bool)
    {
        string memory path = _require(json, prefix, source, key);
        try vm.parseJsonBool(json, path) returns (bool value) {
            return value;
        } catch {
            revert(_bad(source, key, "must be true or false"));
        }
    }

    function _bad(string memory source, string memory key, string memory what) internal pure returns (string memory) {
        return string.concat(source, ": key \"", key, "\" ", what);
    }

    /* DEPLOYMENTS FILE */

    /// @notice Writes the deployments JSON (chainId, network, deployer, owner, contracts, config) to `path`.
    function writeDeployments(Deployment memory d, Config memory cfg, address deployer, string memory path) public {
        string memory c = "contracts";
        vm.serializeAddress(c, "Controller", d.controller);
        vm.serializeAddress(c, "LivepeerToken", d.token);
        vm.serializeAddress(c, "Minter", d.minter);
        vm.serializeAddress(c, "RoundsManager", d.roundsManager);
        vm.serializeAddress(c, "RoundsManagerImplementation", d.roundsManagerImpl);
        vm.serializeAddress(c, "BondingManager", d.bondingManager);
        vm.serializeAddress(c, "BondingManagerImplementation", d.bondingManagerImpl);
        vm.serializeAddress(c, "BondingVotes", d.bondingVotes);
        vm.serializeAddress(c, "BondingVotesImplementation", d.bondingVotesImpl);
        vm.serializeAddress(c, "TicketBroker", d.ticketBroker);
        vm.serializeAddress(c, "TicketBrokerImplementation", d.ticketBrokerImpl);
        vm.serializeAddress(c, "ServiceRegistry", d.serviceRegistry);
        vm.serializeAddress(c, "ServiceRegistryImplementation", d.serviceRegistryImpl);
        vm.serializeAddress(c, "LivepeerGovernor", d.governor);
        vm.serializeAddress(c, "LivepeerGovernorImplementation", d.governorImpl);
        string memory contractsJson = vm.serializeAddress(c, "Treasury", d.treasury);

        string memory k = "config";
        vm.serializeUint(k, "roundLength", cfg.roundLength);
        vm.serializeUint(k, "roundLockAmount", cfg.roundLockAmount);
        vm.serializeUint(k, "unbondingPeriod", cfg.unbondingPeriod);
        vm.serializeUint(k, "numActiveTranscoders", cfg.numActiveTranscoders);
        vm.serializeUint(k, "inflation", cfg.inflation);
        vm.serializeUint(k, "inflationChange", cfg.inflationChange);
        vm.serializeUint(k, "targetBondingRate", cfg.targetBondingRate);
        vm.serializeUint(k, "unlockPeriod", cfg.unlockPeriod);
        vm.serializeUint(k, "ticketValidityPeriod", cfg.ticketValidityPeriod);
        // Large values as decimal strings: exact in every JSON reader (jq, JavaScript).
        vm.serializeString(k, "treasuryRewardCutRate", vm.toString(cfg.treasuryRewardCutRate));
        vm.serializeString(k, "treasuryBalanceCeiling", vm.toString(cfg.treasuryBalanceCeiling));
        vm.serializeString(k, "genesisSupply", vm.toString(cfg.genesisSupply));
        vm.serializeAddress(k, "genesisHolder", cfg.genesisHolder);
        vm.serializeAddress(k, "owner", cfg.owner);
        vm.serializeUint(k, "votingDelay", cfg.votingDelay);
        vm.serializeUint(k, "votingPeriod", cfg.votingPeriod);
        vm.serializeString(k, "proposalThreshold", vm.toString(cfg.proposalThreshold));
        vm.serializeUint(k, "quorum", cfg.quorum);
        vm.serializeUint(k, "quota", cfg.quota);
        vm.serializeUint(k, "treasuryMinDelay", cfg.treasuryMinDelay);
        string memory configJson = vm.serializeBool(k, "paused", cfg.paused);

        string memory r = "deployment";
        vm.serializeUint(r, "chainId", block.chainid);
        vm.serializeString(r, "network", cfg.network);
        vm.serializeAddress(r, "deployer", deployer);
        vm.serializeAddress(r, "owner", cfg.owner);
        vm.serializeString(r, "contracts", contractsJson);
        string memory json = vm.serializeString(r, "config", configJson);
        vm.writeJson(json, path);
    }

    /// @notice Reads a deployments file written by `writeDeployments`.
    function readDeployments(string memory path)
        public
        view
        returns (Deployment memory d, Config memory cfg, address deployer)
    {
        require(vm.isFile(path), string.concat("deployments: no file ", path, " (run script/Deploy.s.sol first)"));
        string memory json = vm.readFile(path);
        d.controller = _contractAddress(json, path, "Controller");
        d.token = _contractAddress(json, path, "LivepeerToken");
        d.minter = _contractAddress(json, path, "Minter");
        d.roundsManager = _contractAddress(json, path, "RoundsManager");
        d.roundsManagerImpl = _contractAddress(json, path, "RoundsManagerImplementation");
        d.bondingManager = _contractAddress(json, path, "BondingManager");
        d.bondingManagerImpl = _contractAddress(json, path, "BondingManagerImplementation");
        d.bondingVotes = _contractAddress(json, path, "BondingVotes");
        d.bondingVotesImpl = _contractAddress(json, path, "BondingVotesImplementation");
        d.ticketBroker = _contractAddress(json, path, "TicketBroker");
        d.ticketBrokerImpl = _contractAddress(json, path, "TicketBrokerImplementation");
        d.serviceRegistry = _contractAddress(json, path, "ServiceRegistry");
        d.serviceRegistryImpl = _contractAddress(json, path, "ServiceRegistryImplementation");
        d.governor = _contractAddress(json, path, "LivepeerGovernor");
        d.governorImpl = _contractAddress(json, path, "LivepeerGovernorImplementation");
        d.treasury = _contractAddress(json, path, "Treasury");
        deployer = vm.parseJsonAddress(json, ".deployer");
        string memory network = vm.parseJsonString(json, ".network");
        cfg = parseConfig(json, ".config", string.concat("deployments ", path, " config"), network, deployer);
    }

    function _contractAddress(string memory json, string memory path, string memory name)
        internal
        view
        returns (address)
    {
        string memory key = string.concat(".contracts.", name);
        require(vm.keyExistsJson(json, key), string.concat("deployments ", path, ": missing contracts.", name));
        return vm.parseJsonAddress(json, key);
    }

    /* CHECKS */

    /// @notice Every registry entry of deployment `d`, as checkDeployment checks them ("JobsManager" is
    /// the TicketBroker's old name, which the Minter and the live clients still use).
    function registryEntries(Deployment memory d) public pure returns (RegistryEntry[] memory entries) {
        entries = new RegistryEntry[](10);
        entries[0] = RegistryEntry("LivepeerToken", d.token);
        entries[1] = RegistryEntry("Minter", d.minter);
        entries[2] = RegistryEntry("RoundsManager", d.roundsManager);
        entries[3] = RegistryEntry("BondingManager", d.bondingManager);
        entries[4] = RegistryEntry("TicketBroker", d.ticketBroker);
        entries[5] = RegistryEntry("JobsManager", d.ticketBroker);
        entries[6] = RegistryEntry("ServiceRegistry", d.serviceRegistry);
        entries[7] = RegistryEntry("Treasury", d.treasury);
        entries[8] = RegistryEntry("BondingVotes", d.bondingVotes);
        entries[9] = RegistryEntry("LivepeerGovernor", d.governor);
    }

    /// @notice Post-deploy checks: reverts with a message naming the first thing that is not as `cfg`
    /// says. `genesis` adds the checks that only hold right after the deploy (inflation moves every
    /// round, the genesis supply gets spent, the current treasury rate follows the next one).
    function checkDeployment(Deployment memory d, Config memory cfg, bool genesis) public view {
        Controller controller = Controller(d.controller);
        require(d.controller.code.length != 0, "check: no Controller code");

        RegistryEntry[] memory entries = registryEntries(d);
        for (uint256 i; i < entries.length; i++) {
            _checkEntry(controller, entries[i].name, entries[i].addr);
        }

        _checkManager(d.minter, d.controller, "Minter");
        _checkProxy(d.roundsManager, d.roundsManagerImpl, d.controller, "RoundsManager");
        _checkProxy(d.bondingManager, d.bondingManagerImpl, d.controller, "BondingManager");
        _checkProxy(d.bondingVotes, d.bondingVotesImpl, d.controller, "BondingVotes");
        _checkProxy(d.governor, d.governorImpl, d.controller, "LivepeerGovernor");
        _checkGovernance(d, cfg);
        _checkProxy(d.ticketBroker, d.ticketBrokerImpl, d.controller, "TicketBroker");
        _checkProxy(d.serviceRegistry, d.serviceRegistryImpl, d.controller, "ServiceRegistry");

        LivepeerToken token = LivepeerToken(d.token);
        require(token.minter() == d.minter, _mismatch("LivepeerToken.minter", token.minter(), d.minter));

        Minter minter = Minter(d.minter);
        _checkParam("Minter.inflationChange", minter.inflationChange(), cfg.inflationChange);
        _checkParam("Minter.targetBondingRate", minter.targetBondingRate(), cfg.targetBondingRate);

        RoundsManager rm = RoundsManager(d.roundsManager);
        _checkParam("RoundsManager.roundLength", rm.roundLength(), cfg.roundLength);
        _checkParam("RoundsManager.roundLockAmount", rm.roundLockAmount(), cfg.roundLockAmount);

        BondingManager bm = BondingManager(d.bondingManager);
        require(
            bm.bondingVotes() == d.bondingVotes,
            _mismatch("BondingManager.bondingVotes", bm.bondingVotes(), d.bondingVotes)
        );
        require(
            bm.roundsManager() == d.roundsManager,
            _mismatch("BondingManager.roundsManager", bm.roundsManager(), d.roundsManager)
        );
        require(bm.minter() == d.minter, _mismatch("BondingManager.minter", bm.minter(), d.minter));
        _checkParam("BondingManager.unbondingPeriod", bm.unbondingPeriod(), cfg.unbondingPeriod);
        _checkParam("BondingManager.numActiveTranscoders", bm.getTranscoderPoolMaxSize(), cfg.numActiveTranscoders);
        _checkParam(
            "BondingManager.nextRoundTreasuryRewardCutRate",
            bm.nextRoundTreasuryRewardCutRate(),
            cfg.treasuryRewardCutRate
        );
        _checkParam("BondingManager.treasuryBalanceCeiling", bm.treasuryBalanceCeiling(), cfg.treasuryBalanceCeiling);

        TicketBroker broker = TicketBroker(payable(d.ticketBroker));
        _checkParam("TicketBroker.unlockPeriod", broker.unlockPeriod(), cfg.unlockPeriod);
        _checkParam("TicketBroker.ticketValidityPeriod", broker.ticketValidityPeriod(), cfg.ticketValidityPeriod);

        require(controller.owner() == cfg.owner, _mismatch("Controller.owner", controller.owner(), cfg.owner));
        require(
            controller.paused() == cfg.paused,
            string.concat(
                "check: Controller.paused is ",
                vm.toString(controller.paused()),
                ", config says ",
                vm.toString(cfg.paused)
            )
        );

        if (genesis) {
            _checkParam("Minter.inflation", minter.inflation(), cfg.inflation);
            _checkParam("BondingManager.treasuryRewardCutRate", bm.treasuryRewardCutRate(), cfg.treasuryRewardCutRate);
            _checkParam("LivepeerToken.totalSupply", token.totalSupply(), cfg.genesisSupply);
            _checkParam("LivepeerToken.balanceOf(genesisHolder)", token.balanceOf(cfg.genesisHolder), cfg.genesisSupply);
            _checkParam("RoundsManager.lastInitializedRound", rm.lastInitializedRound(), 0);
        }
    }

    /// @dev The governor's settings and its Treasury: the governor alone proposes, cancels and
    /// executes, nobody administers.
    function _checkGovernance(Deployment memory d, Config memory cfg) internal view {
        LivepeerGovernor governor = LivepeerGovernor(payable(d.governor));
        _checkParam("LivepeerGovernor.votingDelay", governor.votingDelay(), cfg.votingDelay);
        _checkParam("LivepeerGovernor.votingPeriod", governor.votingPeriod(), cfg.votingPeriod);
        _checkParam("LivepeerGovernor.proposalThreshold", governor.proposalThreshold(), cfg.proposalThreshold);
        _checkParam("LivepeerGovernor.quorumNumerator", governor.quorumNumerator(), cfg.quorum);
        _checkParam("LivepeerGovernor.quota", governor.quota(), cfg.quota);
        require(
            address(governor.token()) == d.bondingVotes,
            _mismatch("LivepeerGovernor.token", address(governor.token()), d.bondingVotes)
        );
        require(
            governor.timelock() == d.treasury, _mismatch("LivepeerGovernor.timelock", governor.timelock(), d.treasury)
        );

        Treasury treasury = Treasury(payable(d.treasury));
        require(d.treasury.code.length != 0, "check: no Treasury code");
        _checkParam("Treasury.minDelay", treasury.getMinDelay(), cfg.treasuryMinDelay);
        _checkRole(treasury, treasury.PROPOSER_ROLE(), "PROPOSER_ROLE", d.governor, true);
        _checkRole(treasury, treasury.CANCELLER_ROLE(), "CANCELLER_ROLE", d.governor, true);
        _checkRole(treasury, treasury.EXECUTOR_ROLE(), "EXECUTOR_ROLE", d.governor, true);
        _checkRole(treasury, treasury.DEFAULT_ADMIN_ROLE(), "DEFAULT_ADMIN_ROLE", d.treasury, true);
        _checkRole(treasury, treasury.DEFAULT_ADMIN_ROLE(), "DEFAULT_ADMIN_ROLE", cfg.owner, false);
    }

    function _checkRole(Treasury treasury, bytes32 role, string memory name, address account, bool expected)
        internal
        view
    {
        require(
            treasury.hasRole(role, account) == expected,
            string.concat("check: Treasury ", name, " of ", vm.toString(account), " is not ", vm.toString(expected))
        );
    }

    function _checkEntry(Controller controller, string memory name, address expected) internal view {
        address actual = controller.getContract(keccak256(bytes(name)));
        require(actual == expected, _mismatch(string.concat("registry entry \"", name, "\""), actual, expected));
    }

    function _checkManager(address manager, address controller, string memory name) internal view {
        require(manager.code.length != 0, string.concat("check: no ", name, " code"));
        address actual = address(IManager(manager).controller());
        require(actual == controller, _mismatch(string.concat(name, ".controller"), actual, controller));
    }

    function _checkProxy(address proxy, address implementation, address controller, string memory name) internal view {
        _checkManager(proxy, controller, name);
        address actual = address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT))));
        require(
            actual == implementation, _mismatch(string.concat(name, " proxy implementation"), actual, implementation)
        );
    }

    function _checkParam(string memory what, uint256 actual, uint256 expected) internal pure {
        require(
            actual == expected,
            string.concat("check: ", what, " is ", vm.toString(actual), ", expected ", vm.toString(expected))
        );
    }

    function _mismatch(string memory what, address actual, address expected) internal pure returns (string memory) {
        return string.concat("check: ", what, " is ", vm.toString(actual), ", expected ", vm.toString(expected));
    }
}
