// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Controller} from "../../contracts/Controller.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../../contracts/ServiceRegistry.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {LivepeerGovernor} from "../../contracts/governance/LivepeerGovernor.sol";
import {IController} from "../../contracts/interfaces/IController.sol";
import {IManager} from "../../contracts/interfaces/IManager.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {DeployBase} from "../../script/lib/DeployBase.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Test} from "forge-std/Test.sol";

/// @notice script/Deploy.s.sol against the in-process EVM: every registry entry and parameter, the
/// deployments file, ownership and pause, the post-deploy checks and the config errors.
contract DeployTest is Test {
    Deploy internal script;
    address internal multisig = makeAddr("multisig");
    /// @dev The script's own list of config keys, read once: `_json` then makes no call that a
    /// `vm.expectRevert` before it would catch.
    string[21] internal configKeys;

    function setUp() public {
        script = new Deploy();
        configKeys = script.configKeys();
    }

    /* run(network) */

    /// @dev The only test that sets DEPLOYMENTS_FILE (env is process-wide; others pass paths).
    function test_run_deploysAndWiresLocalConfig() public {
        string memory path = string.concat("/tmp/livepeer-deploy-test-", vm.toString(address(script)), ".json");
        vm.setEnv("DEPLOYMENTS_FILE", path);
        vm.roll(1000); // round 50 (at block 1 round 0 counts as initialized)
        DeployBase.Deployment memory d = script.run("local");
        // Under forge test the broadcaster is the default sender.
        address deployer = DEFAULT_SENDER;

        Controller controller = Controller(d.controller);
        assertEq(LivepeerGovernor(payable(d.governor)).timelock(), d.treasury, "the governor's Treasury");
        assertEq(address(LivepeerGovernor(payable(d.governor)).token()), d.bondingVotes, "the governor's votes");
        assertEq(BondingManager(d.bondingManager).bondingVotes(), d.bondingVotes, "the BondingManager reports");
        DeployBase.RegistryEntry[] memory entries = script.registryEntries(d);
        _assertListsEveryContract(entries, d);
        for (uint256 i; i < entries.length; i++) {
            assertEq(
                controller.getContract(keccak256(bytes(entries[i].name))),
                entries[i].addr,
                string.concat("registry ", entries[i].name)
            );
        }
        assertEq(controller.owner(), deployer, "owner is the deployer");
        assertFalse(controller.paused(), "not paused");

        LivepeerToken token = LivepeerToken(d.token);
        assertEq(token.minter(), d.minter, "Minter mints");
        assertEq(token.totalSupply(), 10_000_000 ether, "genesis supply");
        assertEq(token.balanceOf(deployer), 10_000_000 ether, "genesis holder");

        Minter minter = Minter(d.minter);
        assertEq(address(minter.controller()), d.controller, "minter controller");
        assertEq(minter.inflation(), 220_500, "inflation");
        assertEq(minter.inflationChange(), 500, "inflationChange");
        assertEq(minter.targetBondingRate(), 500_000_000, "targetBondingRate");

        RoundsManager rm = RoundsManager(d.roundsManager);
        assertEq(address(rm.controller()), d.controller, "rounds controller");
        assertEq(rm.roundLength(), 20, "roundLength");
        assertEq(rm.roundLockAmount(), 100_000, "roundLockAmount");
        assertFalse(rm.currentRoundInitialized(), "round not initialized by the deploy");
        assertEq(rm.lastInitializedRound(), 0, "no round initialized");

        BondingManager bm = BondingManager(d.bondingManager);
        assertEq(address(bm.controller()), d.controller, "bonding controller");
        assertEq(bm.unbondingPeriod(), 2, "unbondingPeriod");
        assertEq(bm.getTranscoderPoolMaxSize(), 10, "numActiveTranscoders");
        assertEq(bm.treasuryRewardCutRate(), 1e26, "treasuryRewardCutRate");
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 1e26, "nextRoundTreasuryRewardCutRate");
        assertEq(bm.treasuryBalanceCeiling(), 750_000 ether, "treasuryBalanceCeiling");

        TicketBroker broker = TicketBroker(payable(d.ticketBroker));
        assertEq(address(broker.controller()), d.controller, "broker controller");
        assertEq(broker.unlockPeriod(), 2, "unlockPeriod");
        assertEq(broker.ticketValidityPeriod(), 2, "ticketValidityPeriod");
        assertEq(address(ServiceRegistry(d.serviceRegistry).controller()), d.controller, "registry controller");

        _assertImplementation(d.roundsManager, d.roundsManagerImpl, "rounds impl");
        _assertImplementation(d.bondingManager, d.bondingManagerImpl, "bonding impl");
        _assertImplementation(d.ticketBroker, d.ticketBrokerImpl, "broker impl");
        _assertImplementation(d.serviceRegistry, d.serviceRegistryImpl, "registry impl");

        // The deployments file says the same.
        string memory json = vm.readFile(path);
        assertEq(vm.parseJsonUint(json, ".chainId"), block.chainid, "file chainId");
        assertEq(vm.parseJsonString(json, ".network"), "local", "file network");
        assertEq(vm.parseJsonAddress(json, ".deployer"), deployer, "file deployer");
        assertEq(vm.parseJsonAddress(json, ".owner"), deployer, "file owner");
        assertEq(vm.parseJsonAddress(json, ".contracts.Controller"), d.controller, "file Controller");
        assertEq(vm.parseJsonAddress(json, ".contracts.BondingManager"), d.bondingManager, "file BondingManager");
        assertEq(
            vm.parseJsonAddress(json, ".contracts.BondingManagerImplementation"), d.bondingManagerImpl, "file impl"
        );
        assertEq(vm.parseJsonUint(json, ".config.roundLength"), 20, "file config");
        assertEq(vm.parseJsonUint(json, ".config.genesisSupply"), 10_000_000 ether, "file genesis");
        (DeployBase.Deployment memory read, DeployBase.Config memory cfg, address readDeployer) =
            script.readDeployments(path);
        assertEq(keccak256(abi.encode(read)), keccak256(abi.encode(d)), "file round-trips");
        assertEq(readDeployer, deployer, "file deployer round-trips");
        assertEq(cfg.owner, deployer, "config owner resolved");
        script.verify(); // DEPLOYMENTS_FILE still points at it
        vm.removeFile(path);
    }

    function test_run_arbitrumLikeParameters() public {
        string memory path = "/tmp/livepeer-deploy-test-arbitrum.json";
        DeployBase.Deployment memory d = script.deployTo("arbitrum-like", path);
        assertEq(RoundsManager(d.roundsManager).roundLength(), 6377, "roundLength");
        assertEq(RoundsManager(d.roundsManager).roundLockAmount(), 100_000, "roundLockAmount");
        assertEq(BondingManager(d.bondingManager).unbondingPeriod(), 7, "unbondingPeriod");
        assertEq(BondingManager(d.bondingManager).getTranscoderPoolMaxSize(), 100, "numActiveTranscoders");
        assertEq(BondingManager(d.bondingManager).treasuryRewardCutRate(), 1e26, "treasury cut");
        assertEq(BondingManager(d.bondingManager).treasuryBalanceCeiling(), 750_000 ether, "ceiling");
        assertEq(Minter(d.minter).inflation(), 220_500, "inflation");
        assertEq(Minter(d.minter).inflationChange(), 500, "inflationChange");
        assertEq(Minter(d.minter).targetBondingRate(), 500_000_000, "targetBondingRate");
        assertEq(TicketBroker(payable(d.ticketBroker)).unlockPeriod(), 2, "unlockPeriod");
        assertEq(TicketBroker(payable(d.ticketBroker)).ticketValidityPeriod(), 2, "ticketValidityPeriod");
        assertEq(vm.parseJsonString(vm.readFile(path), ".network"), "arbitrum-like", "file network");
        vm.removeFile(path);
    }

    /* deploy(cfg): owner, pause */

    function test_deploy_handsOwnershipToConfiguredOwnerAndPauses() public {
        DeployBase.Config memory cfg = _config();
        cfg.owner = multisig;
        cfg.paused = true;
        DeployBase.Deployment memory d = script.deploy(cfg);
        Controller controller = Controller(d.controller);
        assertEq(controller.owner(), multisig, "multisig owns");
        assertTrue(controller.paused(), "paused");

        // The deployer keeps no power.
        vm.prank(address(script));
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, address(script)));
        controller.setContractInfo(keccak256("Minter"), address(1), bytes20(0));
        vm.prank(address(script));
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, address(script)));
        BondingManager(d.bondingManager).upgradeToAndCall(address(1), "");

        vm.prank(multisig);
        controller.unpause();
        assertFalse(controller.paused(), "owner unpauses");
    }

    function test_deploy_genesisToConfiguredHolder() public {
        DeployBase.Config memory cfg = _config();
        cfg.genesisHolder = makeAddr("holder");
        cfg.genesisSupply = 123 ether;
        DeployBase.Deployment memory d = script.deploy(cfg);
        assertEq(LivepeerToken(d.token).balanceOf(cfg.genesisHolder), 123 ether, "holder");
        assertEq(LivepeerToken(d.token).balanceOf(address(script)), 0, "deployer keeps nothing");
    }

    /* checks */

    /// @notice Tampering with any one registry entry (JobsManager included) fails the checks, naming it.
    function test_checkDeployment_revertsOnWrongRegistryEntry() public {
        DeployBase.Config memory cfg = _config();
        DeployBase.Deployment memory d = script.deploy(cfg);
        DeployBase.RegistryEntry[] memory entries = script.registryEntries(d);
        _assertListsEveryContract(entries, d);
        uint256 deployed = vm.snapshotState();
        for (uint256 i; i < entries.length; i++) {
            vm.prank(address(script));
            Controller(d.controller).setContractInfo(keccak256(bytes(entries[i].name)), address(0xBEEF), bytes20(0));
            vm.expectRevert(
                bytes(
                    string.concat(
                        "check: registry entry \"",
                        entries[i].name,
                        "\" is ",
                        vm.toString(address(0xBEEF)),
                        ", expected ",
                        vm.toString(entries[i].addr)
                    )
                )
            );
            script.checkDeployment(d, cfg, true);
            vm.revertToState(deployed);
        }
    }

    function test_checkDeployment_revertsOnWrongParameter() public {
        DeployBase.Config memory cfg = _config();
        DeployBase.Deployment memory d = script.deploy(cfg);
        cfg.unbondingPeriod = 3;
        vm.expectRevert(bytes("check: BondingManager.unbondingPeriod is 2, expected 3"));
        script.checkDeployment(d, cfg, true);
    }

    function test_checkDeployment_revertsOnWrongOwnerOrPause() public {
        DeployBase.Config memory cfg = _config();
        DeployBase.Deployment memory d = script.deploy(cfg);
        cfg.owner = multisig;
        vm.expectRevert(
            bytes(
                string.concat(
                    "check: Controller.owner is ", vm.toString(address(script)), ", expected ", vm.toString(multisig)
                )
            )
        );
        script.checkDeployment(d, cfg, true);

        cfg.owner = address(script);
        cfg.paused = true;
        vm.expectRevert(bytes("check: Controller.paused is false, config says true"));
        script.checkDeployment(d, cfg, true);
    }

    function test_checkDeployment_revertsOnWrongImplementation() public {
        DeployBase.Config memory cfg = _config();
        DeployBase.Deployment memory d = script.deploy(cfg);
        address recorded = d.roundsManagerImpl;
        d.roundsManagerImpl = address(0xCAFE);
        vm.expectRevert(
            bytes(
                string.concat(
                    "check: RoundsManager proxy implementation is ",
                    vm.toString(recorded),
                    ", expected ",
                    vm.toString(address(0xCAFE))
                )
            )
        );
        script.checkDeployment(d, cfg, true);
    }

    /* config errors */

    function test_loadConfig_revertsOnUnknownNetwork() public {
        vm.expectRevert(bytes("config: no file script/config/nope.json"));
        script.loadConfig("nope", address(this));
    }

    function test_parseConfig_acceptsTheLocalShape() public view {
        DeployBase.Config memory cfg = script.parseConfig(_json("", ""), "", "config t", "t", address(this));
        assertEq(cfg.roundLength, 20, "roundLength");
        assertEq(cfg.genesisSupply, 10_000_000 ether, "big value from a string");
        assertEq(cfg.owner, address(this), "deployer resolved");
        assertEq(cfg.proposalThreshold, 100 ether, "threshold from a string");
        assertEq(cfg.quorum, 333_300, "quorum");
    }

    function test_parseConfig_revertsOnMissingKey() public {
        vm.expectRevert(bytes("config t: missing key \"unbondingPeriod\""));
        script.parseConfig(_json("unbondingPeriod", ""), "", "config t", "t", address(this));
    }

    function test_parseConfig_revertsOnUnknownKey() public {
        string memory json = string.concat("{\"roundLenght\":20,", _slice(_json("", "")));
        vm.expectRevert(bytes("config t: unknown key \"roundLenght\""));
        script.parseConfig(json, "", "config t", "t", address(this));
    }

    function test_parseConfig_revertsOnWrongType() public {
        vm.expectRevert(
            bytes("config t: key \"roundLength\" must be an unsigned integer (a JSON number or a decimal string)")
        );
        script.parseConfig(_json("roundLength", "\"twenty\""), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"paused\" must be true or false"));
        script.parseConfig(_json("paused", "\"no\""), "", "config t", "t", address(this));
    }

    function test_parseConfig_revertsOnOutOfRangeValues() public {
        vm.expectRevert(bytes("config t: key \"roundLength\" must be between 1 and 2^40-1 blocks"));
        script.parseConfig(_json("roundLength", "0"), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"roundLockAmount\" must be <= 1000000 (100%)"));
        script.parseConfig(_json("roundLockAmount", "1000001"), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"targetBondingRate\" must be <= 1000000000 (100%)"));
        script.parseConfig(_json("targetBondingRate", "1000000001"), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"unlockPeriod\" must be between 1 and 2^64-1 rounds"));
        script.parseConfig(_json("unlockPeriod", "0"), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"numActiveTranscoders\" must be between 1 and 2^32-1"));
        script.parseConfig(_json("numActiveTranscoders", "4294967296"), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"treasuryRewardCutRate\" must be <= 1e27 (100%)"));
        script.parseConfig(
            _json("treasuryRewardCutRate", "\"1000000000000000000000000001\""), "", "config t", "t", address(this)
        );
    }

    function test_parseConfig_revertsOnBadAddress() public {
        vm.expectRevert(bytes("config t: key \"owner\" must be a 0x address or \"deployer\", got \"0x1234\""));
        script.parseConfig(_json("owner", "\"0x1234\""), "", "config t", "t", address(this));

        vm.expectRevert(bytes("config t: key \"genesisHolder\" must not be the zero address"));
        script.parseConfig(
            _json("genesisHolder", "\"0x0000000000000000000000000000000000000000\""), "", "config t", "t", address(this)
        );
    }

    /* HELPERS */

    /// @dev The shared list (script/lib/DeployBase.sol) must name every registered contract of `d`, the
    /// TicketBroker twice (as "TicketBroker" and "JobsManager"): a contract dropped from it would
    /// otherwise go unchecked by both the deploy's checks and these tests.
    function _assertListsEveryContract(DeployBase.RegistryEntry[] memory entries, DeployBase.Deployment memory d)
        internal
        pure
    {
        assertEq(entries.length, 10, "registry entries");
        address[10] memory expected = [
            d.token,
            d.minter,
            d.roundsManager,
            d.bondingManager,
            d.ticketBroker,
            d.ticketBroker,
            d.serviceRegistry,
            d.treasury,
            d.bondingVotes,
            d.governor
        ];
        uint256 jobsManager;
        for (uint256 i; i < entries.length; i++) {
            assertEq(entries[i].addr, expected[i], string.concat("registry entry ", entries[i].name));
            if (keccak256(bytes(entries[i].name)) == keccak256("JobsManager")) jobsManager++;
        }
        assertEq(jobsManager, 1, "JobsManager listed");
    }

    function _assertImplementation(address proxy, address implementation, string memory label) internal view {
        assertEq(address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT)))), implementation, label);
    }

    /// @dev The local config with "deployer" = the script contract (the deployer of `script.deploy`).
    function _config() internal view returns (DeployBase.Config memory cfg) {
        cfg = script.loadConfig("local", address(script));
    }

    /// @dev A local-shaped config; `key` replaced by raw JSON `value`, or dropped when `value` is "".
    /// The keys are the script's own list (a key it drops fails parseConfig as missing); the values
    /// follow its order.
    function _json(string memory key, string memory value) internal view returns (string memory json) {
        string[21] memory keys = configKeys;
        string[21] memory values = [
            string("20"),
            "100000",
            "2",
            "10",
            "220500",
            "500",
            "500000000",
            "2",
            "2",
            "\"100000000000000000000000000\"",
            "\"750000000000000000000000\"",
            "\"10000000000000000000000000\"",
            "\"deployer\"",
            "\"deployer\"",
            "1",
            "10",
            "\"100000000000000000000\"",
            "333300",
            "500000",
            "0",
            "false"
        ];
        json = "{";
        bool first = true;
        for (uint256 i; i < keys.length; i++) {
            string memory v = values[i];
            if (keccak256(bytes(keys[i])) == keccak256(bytes(key))) {
                if (bytes(value).length == 0) continue;
                v = value;
            }
            json = string.concat(json, first ? "" : ",", "\"", keys[i], "\":", v);
            first = false;
        }
        json = string.concat(json, "}");
    }

    /// @dev `json` without its opening brace.
    function _slice(string memory json) internal pure returns (string memory) {
        bytes memory b = bytes(json);
        bytes memory out = new bytes(b.length - 1);
        for (uint256 i = 1; i < b.length; i++) {
            out[i - 1] = b[i];
        }
        return string(out);
    }
}
