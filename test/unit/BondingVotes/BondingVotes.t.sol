// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingVotes} from "../../../contracts/governance/BondingVotes.sol";
import {IBondingVotes} from "../../../contracts/interfaces/IBondingVotes.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice BondingVotes on the real BondingManager: metadata, the hook's guards, voting power of
/// transcoders and delegators, past lookups, the total active stake, events, and the governance
/// findings of PROTOCOL.md.
contract BondingVotesTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal d1 = makeAddr("d1");
    address internal d2 = makeAddr("d2");

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 500 ether, 200_000, 500_000);
        _bond(d1, 300 ether, t1);
    }

    /* METADATA */

    function test_metadata() public view {
        assertEq(bondingVotes.name(), "Livepeer Voting Power");
        assertEq(bondingVotes.symbol(), "vLPT");
        assertEq(bondingVotes.decimals(), 18);
        assertEq(bondingVotes.CLOCK_MODE(), "mode=livepeer_round");
        assertEq(bondingVotes.clock(), roundsManager.currentRound(), "clock is the round");
    }

    function test_delegate_revertsMustCallBondingManager() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.MustCallBondingManager.selector, "bond"));
        bondingVotes.delegate(t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.MustCallBondingManager.selector, "bondFor"));
        bondingVotes.delegateBySig(t1, 0, 0, 0, 0, 0);
    }

    function test_initialize_revertsOnSecondCall() public {
        vm.expectRevert();
        bondingVotes.initialize(attacker);
        assertEq(address(bondingVotes.controller()), address(controller));
    }

    function test_upgrade_onlyByControllerOwner() public {
        address v2 = address(new BondingVotesProbe());
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        bondingVotes.upgradeToAndCall(v2, "");
        vm.prank(owner);
        bondingVotes.upgradeToAndCall(v2, "");
        assertEq(BondingVotesProbe(address(bondingVotes)).probe(), 42, "upgraded");
        assertEq(bondingVotes.getVotes(t1), 1300 ether, "history kept");
    }

    /* HOOK */

    function test_checkpointBondingState_revertsIfNotBondingManager() public {
        IBondingVotes.Bonding memory b;
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.InvalidCaller.selector, attacker, address(bm)));
        bondingVotes.checkpointBondingState(IBondingVotes.Phase.Before, 1, attacker, b, 0);
    }

    function test_checkpointBondingState_revertsOnAfterWithoutBefore() public {
        IBondingVotes.Bonding memory b;
        vm.prank(address(bm));
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.MissingBeforeCheckpoint.selector, alice));
        bondingVotes.checkpointBondingState(IBondingVotes.Phase.After, 1, alice, b, 0);
    }

    function test_hasCheckpoint() public view {
        assertTrue(bondingVotes.hasCheckpoint(d1));
        assertFalse(bondingVotes.hasCheckpoint(alice));
    }

    /* VOTES */

    function test_getVotes_transcoderIsItsDelegatedStake() public view {
        assertEq(bondingVotes.getVotes(t1), 1300 ether, "self bond + delegation");
        assertEq(bondingVotes.getVotes(t2), 500 ether);
        assertEq(bondingVotes.delegates(t1), t1);
    }

    function test_getVotes_delegatorIsItsPendingStake() public {
        for (uint256 i; i < 3; i++) {
            _nextRound();
            _reward(t1);
        }
        assertGt(_pendingStake(d1), 300 ether, "rewards accrued");
        assertEq(bondingVotes.getVotes(d1), _pendingStake(d1), "votes = pending stake");
        assertEq(bondingVotes.delegates(d1), t1);
        (, address delegateAddress) = bondingVotes.getVotesAndDelegateAtRoundStart(d1, roundsManager.currentRound() + 1);
        assertEq(delegateAddress, t1);
    }

    function test_getVotes_zeroForAnUnbondedAccount() public view {
        assertEq(bondingVotes.getVotes(alice), 0);
        assertEq(bondingVotes.delegates(alice), address(0));
    }

    /// @dev Finding #625: no votes for an unregistered "transcoder" nor for its delegators.
    function test_regression_noVotesWhenDelegatedToANonTranscoder() public {
        _bond(d2, 100 ether, d1); // d1 is a delegator, not a transcoder
        assertEq(bondingVotes.getVotes(d2), 0, "delegator of a non-transcoder");
        assertEq(bondingVotes.getVotes(d1), 300 ether, "d1 keeps only its own stake");
        _nextRound();
        assertEq(bondingVotes.getPastVotes(d2, roundsManager.currentRound() - 1), 0);
    }

    /// @dev Findings #96/#206: a transcoder that unbonded everything has no votes, and neither have
    /// its delegators; its delegate is no longer itself.
    function test_regression_noVotesAfterTheTranscoderUnbondsEverything() public {
        _nextRound();
        vm.prank(t1);
        bm.unbond(1000 ether);
        assertEq(bondingVotes.getVotes(t1), 0, "unbonded transcoder");
        assertEq(bondingVotes.getVotes(d1), 0, "its delegator");
        assertEq(bondingVotes.delegates(t1), address(0));
        uint256 round = roundsManager.currentRound();
        _nextRound();
        assertEq(bondingVotes.delegatedAt(t1, round), address(0));
        assertEq(bondingVotes.getPastVotes(t1, round - 1), 1300 ether, "before the unbond");
    }

    /// @dev Findings #86/#104: withdrawFees claims, and the claim is checkpointed.
    function test_regression_withdrawFeesCheckpoints() public {
        _nextRound();
        _reward(t1);
        _payFees(t1, 1 ether);
        _nextRound();
        uint256 votesBefore = bondingVotes.getVotes(d1);
        uint256 round = roundsManager.currentRound();
        vm.prank(d1);
        bm.withdrawFees(payable(d1), 1);
        assertEq(bondingVotes.getVotes(d1), _pendingStake(d1), "after the claim");
        assertEq(bondingVotes.getVotes(d1), votesBefore, "a claim moves no votes");
        _nextRound();
        assertEq(bondingVotes.getPastVotes(d1, round - 1), votesBefore, "past round unchanged");
    }

    /// @dev Finding #633 (production): a delegate whose factor for the round was never set must not
    /// make a lookup revert; its delegator's power is its bond.
    function test_regression_noRevertWithoutEarningsPool() public {
        _bond(d2, 100 ether, t2); // t2 never rewarded: no factor anywhere
        _nextRound();
        _nextRound();
        assertEq(bondingVotes.getVotes(d2), 100 ether);
        assertEq(bondingVotes.getPastVotes(d2, roundsManager.currentRound() - 1), 100 ether);
    }

    /* PAST LOOKUPS */

    function test_getPastVotes_revertsForAFutureRound() public {
        uint256 round = roundsManager.currentRound();
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, round, round - 1));
        bondingVotes.getPastVotes(t1, round);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, round, round - 1));
        bondingVotes.getPastTotalSupply(round);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, round, round - 1));
        bondingVotes.delegatedAt(t1, round);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, round + 2, round + 1));
        bondingVotes.getVotesAndDelegateAtRoundStart(t1, round + 2);
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, round + 2, round + 1));
        bondingVotes.getTotalActiveStakeAt(round + 2);
    }

    function test_getPastVotes_beforeTheFirstBondIsZero() public {
        uint256 round = roundsManager.currentRound();
        _nextRound();
        _bond(d2, 100 ether, t1);
        _nextRound();
        _nextRound();
        assertEq(bondingVotes.getPastVotes(d2, round), 0, "not yet bonded");
        assertEq(bondingVotes.getPastVotes(d2, round + 1), 100 ether, "bonded in round + 1: counts from round + 2");
    }

    /// @notice Every round's power and total, read at the round's end, stays what it was while later
    /// rounds bond, unbond, move, claim and reward.
    function test_getPastVotes_pastRoundsNeverChange() public {
        address[4] memory accounts = [t1, t2, d1, d2];
        uint256 first = roundsManager.currentRound();
        uint256[4][8] memory seen;
        uint256[8] memory totals;
        for (uint256 r; r < 8; r++) {
            _act(r);
            for (uint256 i; i < 4; i++) {
                seen[r][i] = bondingVotes.getVotes(accounts[i]);
                assertEq(seen[r][i], _expectedVotes(accounts[i]), "getVotes follows the bonding state");
            }
            totals[r] = bondingVotes.totalSupply();
            assertEq(totals[r], bm.nextRoundTotalActiveStake(), "total supply is next round's active stake");
            _nextRound();
            assertEq(bm.currentRoundTotalActiveStake(), totals[r], "the round starts with it");
        }
        for (uint256 r; r < 8; r++) {
            for (uint256 i; i < 4; i++) {
                assertEq(bondingVotes.getPastVotes(accounts[i], first + r), seen[r][i], "past votes");
            }
            assertEq(bondingVotes.getPastTotalSupply(first + r), totals[r], "past total");
        }
    }

    /// @notice Past lookups against a model (the bonding state read at each round's end), for random
    /// sequences of bonds, unbonds, rebonds, claims and rewards.
    function testFuzz_pastVotesMatchTheModel(uint256 seed) public {
        address[4] memory accounts = [t1, t2, d1, d2];
        uint256 first = roundsManager.currentRound();
        uint256[4][6] memory model;
        uint256[6] memory totals;
        for (uint256 r; r < 6; r++) {
            uint256 actions = 1 + (seed >> (r * 8)) % 4;
            for (uint256 k; k < actions; k++) {
                _randomAction(uint256(keccak256(abi.encode(seed, r, k))));
            }
            for (uint256 i; i < 4; i++) {
                model[r][i] = _expectedVotes(accounts[i]);
            }
            totals[r] = bm.nextRoundTotalActiveStake();
            _nextRound();
        }
        for (uint256 r; r < 6; r++) {
            for (uint256 i; i < 4; i++) {
                assertEq(bondingVotes.getPastVotes(accounts[i], first + r), model[r][i], "model votes");
            }
            assertEq(bondingVotes.getPastTotalSupply(first + r), totals[r], "model total");
        }
    }

    /* EVENTS */

    function test_bond_emitsTheVotesEvents() public {
        _fund(d2, 100 ether);
        vm.expectEmit(address(bondingVotes));
        emit IBondingVotes.DelegateChanged(d2, address(0), t1);
        vm.expectEmit(address(bondingVotes));
        emit IBondingVotes.DelegatorBondedAmountChanged(d2, 0, 0, 100 ether, roundsManager.currentRound());
        vm.expectEmit(address(bondingVotes));
        emit IBondingVotes.DelegateVotesChanged(t1, 1300 ether, 1400 ether);
        vm.prank(d2);
        bm.bond(100 ether, t1);
    }

    function test_reward_emitsDelegateVotesChanged() public {
        _nextRound();
        vm.recordLogs();
        _reward(t2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IBondingVotes.DelegateVotesChanged.selector;
        uint256 found;
        for (uint256 i; i < logs.length; i++) {
            if (logs[i].emitter != address(bondingVotes) || logs[i].topics[0] != topic) continue;
            (uint256 previous, uint256 current) = abi.decode(logs[i].data, (uint256, uint256));
            assertEq(address(uint160(uint256(logs[i].topics[1]))), t2);
            assertEq(previous, 500 ether, "before the reward");
            assertEq(current, bondingVotes.getVotes(t2), "with the reward");
            assertGt(current, previous);
            found++;
        }
        assertEq(found, 1, "one DelegateVotesChanged");
    }

    function test_transferBond_checkpointsBothSides() public {
        _nextRound();
        vm.prank(d1);
        bm.transferBond(d2, 100 ether, address(0), address(0), address(0), address(0));
        assertEq(bondingVotes.getVotes(d1), 200 ether);
        assertEq(bondingVotes.getVotes(d2), 100 ether);
        assertEq(bondingVotes.delegates(d2), t1, "the receiver takes the sender's delegate");
        assertEq(bondingVotes.getVotes(t1), 1300 ether, "stake stays with t1");
    }

    /* HELPERS */

    /// @dev The model: power at the start of the next round from the BondingManager's own views.
    function _expectedVotes(address a) internal view returns (uint256) {
        (uint256 bonded,, address delegateAddress,,,,) = bm.getDelegator(a);
        if (bonded == 0) return 0;
        if (delegateAddress == a) return bm.transcoderTotalStake(a);
        if (!bm.isRegisteredTranscoder(delegateAddress)) return 0;
        return _pendingStake(a);
    }

    function _act(uint256 r) internal {
        if (r == 0) _bond(d2, 50 ether, t2);
        if (r == 1) _rewardBoth();
        if (r == 2) _unbond(d1, 100 ether);
        if (r == 3) _move(d2, t1);
        if (r == 4) _rewardBoth();
        if (r == 5) _claim(d1);
        if (r == 6) _unbond(t2, 500 ether);
        if (r == 7) _rewardBoth();
    }

    function _randomAction(uint256 x) internal {
        uint256 kind = x % 6;
        address who = (x >> 8) % 2 == 0 ? d1 : d2;
        if (kind == 0) _bond(who, 1 ether + (x >> 16) % 100 ether, (x >> 12) % 2 == 0 ? t1 : t2);
        else if (kind == 1) _rewardBoth();
        else if (kind == 2) _unbond(who, 1 + (x >> 16) % 50 ether);
        else if (kind == 3) _claim(who);
        else if (kind == 4) _move(who, (x >> 12) % 2 == 0 ? t1 : t2);
        else _rebondFirstLock(who);
    }

    function _rewardBoth() internal {
        uint256 round = roundsManager.currentRound();
        if (_lastRewardRound(t1) != round && bm.isActiveTranscoder(t1)) _reward(t1);
        if (_lastRewardRound(t2) != round && bm.isActiveTranscoder(t2)) _reward(t2);
    }

    function _lastRewardRound(address t) internal view returns (uint256 lastRewardRound) {
        (lastRewardRound,,,,,,,,,) = bm.getTranscoder(t);
    }

    function _unbond(address who, uint256 amount) internal {
        uint256 bonded = _bondedAmount(who);
        (,,,, uint256 startRound,,) = bm.getDelegator(who);
        if (bonded == 0 || startRound > roundsManager.currentRound()) return;
        if (amount > bonded) amount = bonded;
        vm.prank(who);
        bm.unbond(amount);
    }

    function _claim(address who) internal {
        vm.prank(who);
        bm.claimEarnings(0);
    }

    function _move(address who, address to) internal {
        (uint256 bonded,, address current,,,,) = bm.getDelegator(who);
        if (bonded == 0 || current == to || !bm.isRegisteredTranscoder(to)) return;
        vm.prank(who);
        bm.bond(0, to);
    }

    function _rebondFirstLock(address who) internal {
        (,,,,,, uint256 next) = bm.getDelegator(who);
        for (uint256 id; id < next; id++) {
            if (!bm.isValidUnbondingLock(who, id)) continue;
            bool unbonded = _bondedAmount(who) == 0;
            vm.prank(who);
            if (unbonded) bm.rebondFromUnbonded(t1, id);
            else bm.rebond(id);
            return;
        }
    }
}

/// @dev A second implementation, to show the upgrade keeps the history.
contract BondingVotesProbe is BondingVotes {
    function probe() external pure returns (uint256) {
        return 42;
    }
}
