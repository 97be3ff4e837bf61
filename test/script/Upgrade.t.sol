// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Controller} from "../../contracts/Controller.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {Upgrade} from "../../script/Upgrade.s.sol";
import {DeployBase} from "../../script/lib/DeployBase.sol";
import {Test} from "forge-std/Test.sol";

/// @notice script/Upgrade.s.sol: a BondingManager upgrade keeps every bond, the deployments file
/// follows, and only the protocol owner may run it.
contract UpgradeScriptTest is Test {
    Upgrade internal upgrader;
    DeployBase.Deployment internal d;
    string internal path;
    address internal deployer = DEFAULT_SENDER; // the broadcaster under forge test
    address internal transcoder = makeAddr("transcoder");
    address internal delegator = makeAddr("delegator");

    /// @dev Each test its own file: tests run in parallel and share the file system.
    function _deploy(string memory tag) internal {
        vm.roll(1000);
        path = string.concat("/tmp/livepeer-upgrade-test-", tag, ".json");
        d = new Deploy().deployTo("local", path);
        upgrader = new Upgrade();
    }

    function test_upgrade_bondingManagerKeepsState() public {
        _deploy("keepsState");
        BondingManager bm = BondingManager(d.bondingManager);
        RoundsManager rm = RoundsManager(d.roundsManager);
        rm.initializeRound();
        _bond(transcoder, 1000 ether, transcoder);
        vm.prank(transcoder);
        bm.transcoder(100_000, 500_000);
        _bond(delegator, 500 ether, transcoder);
        vm.roll(block.number + 20);
        rm.initializeRound();
        vm.prank(transcoder);
        bm.reward();

        uint256 delegatorStake = bm.pendingStake(delegator, 0);
        uint256 transcoderStake = bm.transcoderTotalStake(transcoder);
        uint256 totalBonded = bm.getTotalBonded();
        (uint256 bonded,, address delegate,, uint256 startRound,,) = bm.getDelegator(delegator);
        assertGt(delegatorStake, 500 ether, "delegator earned before the upgrade");

        address oldImpl = d.bondingManagerImpl;
        address newImpl = upgrader.upgradeAt(path, "BondingManager");

        assertTrue(newImpl != oldImpl && newImpl.code.length != 0, "new implementation");
        assertEq(
            address(
                uint160(
                    uint256(
                        vm.load(d.bondingManager, 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc)
                    )
                )
            ),
            newImpl,
            "proxy points at it"
        );
        assertEq(
            vm.parseJsonAddress(vm.readFile(path), ".contracts.BondingManagerImplementation"), newImpl, "file updated"
        );
        assertEq(vm.parseJsonAddress(vm.readFile(path), ".contracts.BondingManager"), d.bondingManager, "proxy kept");

        assertEq(bm.pendingStake(delegator, 0), delegatorStake, "pending stake");
        assertEq(bm.transcoderTotalStake(transcoder), transcoderStake, "transcoder stake");
        assertEq(bm.getTotalBonded(), totalBonded, "total bonded");
        assertEq(bm.getFirstTranscoderInPool(), transcoder, "pool");
        assertTrue(bm.isActiveTranscoder(transcoder), "still active");
        (uint256 bondedAfter,, address delegateAfter,, uint256 startRoundAfter,,) = bm.getDelegator(delegator);
        assertEq(bondedAfter, bonded, "bonded");
        assertEq(delegateAfter, delegate, "delegate");
        assertEq(startRoundAfter, startRound, "start round");
        assertEq(bm.unbondingPeriod(), 2, "parameters");

        // And it keeps working.
        vm.prank(delegator);
        bm.unbond(100 ether);
        assertEq(bm.pendingStake(delegator, 0), delegatorStake - 100 ether, "unbond after upgrade");
        vm.removeFile(path);
    }

    function test_upgrade_revertsIfBroadcasterIsNotOwner() public {
        _deploy("notOwner");
        address multisig = makeAddr("multisig");
        vm.prank(deployer);
        Controller(d.controller).transferOwnership(multisig);
        vm.expectRevert(
            bytes(
                string.concat(
                    "upgrade BondingManager: broadcaster ",
                    vm.toString(deployer),
                    " is not the protocol owner ",
                    vm.toString(multisig)
                )
            )
        );
        upgrader.upgradeAt(path, "BondingManager");
        vm.removeFile(path);
    }

    function test_upgrade_revertsOnUnknownContract() public {
        _deploy("unknown");
        vm.expectRevert(
            bytes(
                "upgrade: \"Minter\" is not upgradeable (RoundsManager, BondingManager, TicketBroker, ServiceRegistry, BondingVotes or LivepeerGovernor)"
            )
        );
        upgrader.upgradeAt(path, "Minter");
        vm.removeFile(path);
    }

    function _bond(address who, uint256 amount, address to) internal {
        vm.prank(deployer);
        assertTrue(LivepeerToken(d.token).transfer(who, amount), "funded");
        vm.startPrank(who);
        LivepeerToken(d.token).approve(d.bondingManager, amount);
        BondingManager(d.bondingManager).bond(amount, to);
        vm.stopPrank();
    }
}
