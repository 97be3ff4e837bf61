// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LivepeerGovernor} from "../../../contracts/governance/LivepeerGovernor.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {GovernorTest} from "./GovernorTest.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";

contract LivepeerGovernorV2 is LivepeerGovernor {
    function upgradedVersion() external pure returns (uint256) {
        return 2;
    }
}

/// @notice UUPS: only the Controller owner upgrades (not even a passed proposal); votes and settings survive.
contract UpgradeTest is GovernorTest {
    function test_upgrade_byControllerOwnerKeepsState() public {
        Proposal memory p = _proposeGrant(1 ether);
        _setTranscoder(transcoder, _snapshot(p.id), 4000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);

        address v2 = address(new LivepeerGovernorV2());
        vm.expectEmit(address(governor));
        emit IERC1967.Upgraded(v2);
        vm.prank(owner);
        governor.upgradeToAndCall(v2, "");

        assertEq(LivepeerGovernorV2(payable(address(governor))).upgradedVersion(), 2, "new code");
        (, uint256 forVotes,) = governor.proposalVotes(p.id);
        assertEq(forVotes, 4000 ether, "tally kept");
        assertTrue(governor.hasVoted(p.id, transcoder), "voter kept");
        assertEq(governor.proposalProposer(p.id), proposer, "proposal kept");
        assertEq(governor.quota(), QUOTA, "quota kept");
        assertEq(governor.quorumNumerator(), QUORUM, "quorum kept");
        assertEq(governor.votingPeriod(), VOTING_PERIOD, "settings kept");
        assertEq(address(governor.token()), address(bondingVotes), "token kept");
        assertEq(governor.timelock(), address(treasury), "timelock kept");
        assertEq(address(governor.controller()), address(controller), "controller kept");
    }

    function test_upgrade_revertsIfNotControllerOwner() public {
        address v2 = address(new LivepeerGovernorV2());
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        governor.upgradeToAndCall(v2, "");
    }

    function test_upgrade_revertsEvenForTheTreasury() public {
        address v2 = address(new LivepeerGovernorV2());
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, address(treasury)));
        vm.prank(address(treasury));
        governor.upgradeToAndCall(v2, "");
    }

    function test_upgrade_cannotReinitialize() public {
        address v2 = address(new LivepeerGovernorV2());
        vm.prank(owner);
        governor.upgradeToAndCall(v2, "");
        vm.expectRevert();
        governor.initialize(address(controller), 0, 1, 0, 0, 0);
    }
}
