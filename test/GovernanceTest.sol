// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LivepeerGovernor} from "../contracts/governance/LivepeerGovernor.sol";
import {Treasury} from "../contracts/governance/Treasury.sol";
import {ProtocolTest} from "./ProtocolTest.sol";

/// @notice The protocol with its governance as the deploy script wires it: the Treasury (the
/// governor its only proposer, canceller and executor) and the LivepeerGovernor on the real
/// BondingVotes, with Arbitrum One's parameters. Two orchestrators and a delegator are bonded and
/// the Treasury holds LPT.
abstract contract GovernanceTest is ProtocolTest {
    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;
    uint256 internal constant GRANT = 5000 ether;

    LivepeerGovernor internal governor;
    Treasury internal treasuryContract;
    address internal t1 = makeAddr("govTranscoder1");
    address internal t2 = makeAddr("govTranscoder2");
    address internal d1 = makeAddr("govDelegator1");
    address internal grantee = makeAddr("grantee");

    function setUp() public virtual override {
        super.setUp();
        vm.warp(1_700_000_000); // a real timestamp: at 1 a scheduled operation reads as done
        vm.startPrank(owner);
        treasuryContract = new Treasury(0, new address[](0), new address[](0), owner);
        _register("Treasury", address(treasuryContract));
        governor = LivepeerGovernor(
            payable(_proxy(
                    address(new LivepeerGovernor()),
                    abi.encodeCall(
                        LivepeerGovernor.initialize, (address(controller), 1, 10, 100 ether, 333_300, 500_000)
                    )
                ))
        );
        _register("LivepeerGovernor", address(governor));
        treasuryContract.grantRole(treasuryContract.PROPOSER_ROLE(), address(governor));
        treasuryContract.grantRole(treasuryContract.CANCELLER_ROLE(), address(governor));
        treasuryContract.grantRole(treasuryContract.EXECUTOR_ROLE(), address(governor));
        treasuryContract.renounceRole(treasuryContract.DEFAULT_ADMIN_ROLE(), owner);
        token.transfer(address(treasuryContract), 100_000 ether);
        vm.stopPrank();

        _registerTranscoder(t1, 2000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 1000 ether, 100_000, 500_000);
        _bond(d1, 500 ether, t1);
        _nextRound();
        _nextRound();
    }

    /// @dev The grant proposal: the Treasury transfers `GRANT` LPT to `grantee`.
    function _grant() internal view returns (address[] memory targets, uint256[] memory values, bytes[] memory calls) {
        targets = new address[](1);
        values = new uint256[](1);
        calls = new bytes[](1);
        (targets[0], calls[0]) = (address(token), abi.encodeCall(token.transfer, (grantee, GRANT)));
    }

    function _proposeGrant() internal returns (uint256 id) {
        (address[] memory targets, uint256[] memory values, bytes[] memory calls) = _grant();
        vm.prank(t1);
        id = governor.propose(targets, values, calls, "Grant: research");
    }

    /// @dev Rounds until voting is open on `id`.
    function _untilActive(uint256 id) internal {
        while (roundsManager.currentRound() <= governor.proposalSnapshot(id)) {
            _nextRound();
        }
    }

    function _untilOver(uint256 id) internal {
        while (roundsManager.currentRound() <= governor.proposalDeadline(id)) {
            _nextRound();
        }
    }
}
