// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {ProtocolTest} from "../ProtocolTest.sol";
import {GasTable} from "../utils/GasTable.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas of every user-facing BondingManager operation in a warm steady state with 100 active
/// transcoders, next to the live protocol's transaction gas. Run with `forge test --isolate` (as
/// `make gas-check` does): each call is then its own transaction, so figures are transaction gas
/// (21,000 + calldata + cold execution). Figures are committed in test/snapshots/BondingGasTest.json.
contract BondingGasTest is ProtocolTest {
    uint256 internal constant POOL = 100;

    address[] internal transcoders;
    address internal target; // mid-pool transcoder every operation is aimed at
    address internal delegator = makeAddr("delegator");
    address internal newcomer = makeAddr("newcomer");

    function setUp() public override {
        super.setUp();
        vm.startPrank(owner);
        bm.setNumActiveTranscoders(POOL);
        minter.setInflationChange(0);
        vm.stopPrank();

        // Stakes 1,000 LPT apart, descending: a reward never reorders the pool.
        for (uint256 i; i < POOL; i++) {
            address t = makeAddr(string.concat("transcoder", vm.toString(i)));
            transcoders.push(t);
            _registerTranscoder(t, (POOL - i) * 1000 ether, 100_000, 500_000);
        }
        target = transcoders[POOL / 2];
        _bond(delegator, 1000 ether, target);
        _fund(newcomer, 1000 ether);

        // Steady state: a couple of rounds in which everyone rewarded.
        for (uint256 r; r < 2; r++) {
            _nextRound();
            for (uint256 i; i < POOL; i++) {
                _reward(transcoders[i]);
            }
        }
        vm.prank(delegator);
        bm.unbond(100 ether); // lock 0, for rebond
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH); // next round, not yet initialized
    }

    /// @notice The table of the issue: our gas, the reference's, and the ratio.
    function test_gas_table() public {
        console.log("operation                     ours   reference  ratio");

        roundsManager.initializeRound();
        _row("initializeRound", vm.snapshotGasLastCall("initializeRound"), 233_635);

        // A reward of ~0.02% never moves a transcoder across a 1,000 LPT gap: its neighbours are the hints.
        (address prev, address next) = _hintsFor(target, bm.transcoderTotalStake(target));
        vm.prank(target);
        bm.rewardWithHint(prev, next);
        _row("rewardWithHint", vm.snapshotGasLastCall("rewardWithHint"), 518_638);

        vm.prank(target);
        bm.transcoderWithHint(200_000, 400_000, address(0), address(0));
        _row("transcoder", vm.snapshotGasLastCall("transcoder"), 108_024);

        (prev, next) = _hintsFor(target, bm.transcoderTotalStake(target) + 1000 ether);
        vm.prank(newcomer);
        bm.bondWithHint(1000 ether, target, address(0), address(0), prev, next);
        _row("bondWithHint (new delegator)", vm.snapshotGasLastCall("bondWithHint_newDelegator"), 467_130);

        (prev, next) = _hintsFor(target, bm.transcoderTotalStake(target) - 100 ether);
        vm.prank(delegator);
        bm.unbondWithHint(100 ether, prev, next);
        _row("unbondWithHint (partial)", vm.snapshotGasLastCall("unbondWithHint_partial"), 453_852);

        (prev, next) = _hintsFor(target, bm.transcoderTotalStake(target) + 100 ether);
        vm.prank(delegator);
        bm.rebondWithHint(0, prev, next);
        _row("rebondWithHint", vm.snapshotGasLastCall("rebondWithHint"), 255_000);

        vm.roll(block.number + UNBONDING_PERIOD * ROUND_LENGTH);
        roundsManager.initializeRound();
        vm.prank(delegator);
        bm.withdrawStake(1);
        _row("withdrawStake", vm.snapshotGasLastCall("withdrawStake"), 119_344);
    }

    /// @notice Claiming costs the same whatever the number of unclaimed rounds (LIP-36).
    function test_gas_claimEarnings_after1Round() public {
        _claimAfter(1, "claimEarnings_after1Round");
    }

    function test_gas_claimEarnings_after10Rounds() public {
        _claimAfter(10, "claimEarnings_after10Rounds");
    }

    function test_gas_claimEarnings_after100Rounds() public {
        _claimAfter(100, "claimEarnings_after100Rounds");
    }

    /// @notice A bonded delegator adding stake to its transcoder.
    function test_gas_bondWithHint_addStake() public {
        _initializeRoundAndReward();
        _fund(delegator, 1000 ether);
        uint256 bondedBefore = bm.pendingStake(delegator, 0);
        (address prev, address next) = _hintsFor(target, bm.transcoderTotalStake(target) + 1000 ether);
        vm.prank(delegator);
        bm.bondWithHint(1000 ether, target, address(0), address(0), prev, next);
        console.log("bondWithHint (add stake)", vm.snapshotGasLastCall("bondWithHint_addStake"));
        assertEq(_bondedAmount(delegator), bondedBefore + 1000 ether, "stake added");
    }

    /// @notice A bonded delegator moving its whole bond to another transcoder of the pool.
    function test_gas_bondWithHint_changeDelegate() public {
        _initializeRoundAndReward();
        address other = transcoders[POOL / 2 + 10];
        uint256 stake = bm.pendingStake(delegator, 0);
        (address oldPrev, address oldNext) = _hintsFor(target, bm.transcoderTotalStake(target) - stake);
        (address newPrev, address newNext) = _hintsFor(other, bm.transcoderTotalStake(other) + stake);
        vm.prank(delegator);
        bm.bondWithHint(0, other, oldPrev, oldNext, newPrev, newNext);
        console.log("bondWithHint (change delegate)", vm.snapshotGasLastCall("bondWithHint_changeDelegate"));
        (,, address delegate,,,,) = bm.getDelegator(delegator);
        assertEq(delegate, other, "delegate changed");
    }

    /// @notice A third party bonding for an address that has no bond yet.
    function test_gas_bondForWithHint_newDelegator() public {
        _initializeRoundAndReward();
        address beneficiary = makeAddr("beneficiary");
        (address prev, address next) = _hintsFor(target, bm.transcoderTotalStake(target) + 1000 ether);
        vm.prank(newcomer);
        bm.bondForWithHint(1000 ether, beneficiary, target, address(0), address(0), prev, next);
        console.log("bondForWithHint (new delegator)", vm.snapshotGasLastCall("bondForWithHint_newDelegator"));
        assertEq(_bondedAmount(beneficiary), 1000 ether, "beneficiary bonded");
    }

    /// @notice A delegator handing part of its bond to an address that has none (same transcoder).
    function test_gas_transferBond_newDelegator() public {
        _initializeRoundAndReward();
        address receiver = makeAddr("receiver");
        uint256 total = bm.transcoderTotalStake(target);
        (address oldPrev, address oldNext) = _hintsFor(target, total - 100 ether);
        (address newPrev, address newNext) = _hintsFor(target, total);
        vm.prank(delegator);
        bm.transferBond(receiver, 100 ether, oldPrev, oldNext, newPrev, newNext);
        console.log("transferBond (new delegator)", vm.snapshotGasLastCall("transferBond_newDelegator"));
        assertEq(_bondedAmount(receiver), 100 ether, "receiver bonded");
        assertEq(bm.transcoderTotalStake(target), total, "transcoder stake unchanged");
    }

    /// @notice A delegator unbonding its whole stake, then bonding it again from the unbonded state.
    function test_gas_unbondWithHint_full() public {
        _initializeRoundAndReward();
        uint256 stake = bm.pendingStake(delegator, 0);
        (address prev, address next) = _hintsFor(target, bm.transcoderTotalStake(target) - stake);
        vm.prank(delegator);
        bm.unbondWithHint(stake, prev, next);
        console.log("unbondWithHint (full)", vm.snapshotGasLastCall("unbondWithHint_full"));
        assertEq(uint256(bm.delegatorStatus(delegator)), uint256(IBondingManager.DelegatorStatus.Unbonded), "unbonded");

        (prev, next) = _hintsFor(target, bm.transcoderTotalStake(target) + stake);
        vm.prank(delegator);
        bm.rebondFromUnbondedWithHint(target, 1, prev, next);
        console.log("rebondFromUnbondedWithHint", vm.snapshotGasLastCall("rebondFromUnbondedWithHint"));
        assertEq(_bondedAmount(delegator), stake, "rebonded");
    }

    /// @notice An orchestrator unbonding its whole self-bond: it resigns and leaves the pool.
    function test_gas_unbond_transcoderResigns() public {
        _initializeRoundAndReward();
        uint256 stake = bm.pendingStake(target, 0);
        vm.prank(target);
        bm.unbond(stake);
        console.log("unbond (transcoder resigns)", vm.snapshotGasLastCall("unbond_transcoderResigns"));
        assertFalse(bm.isRegisteredTranscoder(target), "resigned");
        assertEq(bm.getTranscoderPoolSize(), POOL - 1, "left the pool");
    }

    /// @notice A delegator withdrawing its fees of the last round (claimed in the same call) to its wallet.
    function test_gas_withdrawFees() public {
        _initializeRoundAndReward();
        _payFees(target, 1 ether);
        _nextRound();
        _reward(target);
        uint256 fees = bm.pendingFees(delegator, 0);
        assertGt(fees, 0, "fees to withdraw");
        vm.deal(delegator, 1 ether); // the caller's wallet holds ETH for gas
        vm.prank(delegator);
        bm.withdrawFees(payable(delegator), fees);
        console.log("withdrawFees", vm.snapshotGasLastCall("withdrawFees"));
        assertEq(delegator.balance, 1 ether + fees, "fees received");
    }

    /// @notice An orchestrator authorizing a reward caller (LIP-118), which then calls reward for it.
    function test_gas_rewardCaller() public {
        roundsManager.initializeRound();
        address caller = makeAddr("rewardCaller");
        vm.prank(target);
        bm.setRewardCaller(caller);
        console.log("setRewardCaller", vm.snapshotGasLastCall("setRewardCaller"));
        assertEq(bm.transcoderToRewardCaller(target), caller, "caller set");

        (address prev, address next) = _hintsFor(target, bm.transcoderTotalStake(target));
        vm.prank(caller);
        bm.rewardForTranscoderWithHint(target, prev, next);
        console.log("rewardForTranscoderWithHint", vm.snapshotGasLastCall("rewardForTranscoderWithHint"));
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(target);
        assertEq(lastRewardRound, roundsManager.currentRound(), "rewarded this round");
    }

    function _claimAfter(uint256 rounds, string memory name) internal {
        roundsManager.initializeRound();
        vm.prank(delegator);
        bm.claimEarnings(0);
        for (uint256 i; i < rounds; i++) {
            _nextRound();
            _reward(target);
        }
        vm.prank(delegator);
        bm.claimEarnings(0);
        uint256 gas = vm.snapshotGasLastCall(name);
        console.log(name, gas);
        assertLe(gas, 131_000, "claim goal (0.5x the reference, checkpoint included)");
    }

    /// @dev The state every delegator operation of test_gas_table is measured in: the round
    /// initialized and `target` rewarded in it.
    function _initializeRoundAndReward() internal {
        roundsManager.initializeRound();
        _reward(target);
    }

    function _row(string memory name, uint256 ours, uint256 ref) internal pure {
        // Issue 17's limits with the BondingVotes reports: every staking operation <= 0.5x the reference,
        // whose figures include its own checkpoints. rewardWithHint (<= 259,000) and bondWithHint for a
        // new delegator (<= 233,000) are not met yet: BENCHMARKS.md reports what they spend. initializeRound (<= 100k) and withdrawStake
        // (<= 70k) are reported there too.
        if (keccak256(bytes(name)) == keccak256("transcoder")) assert(ours <= 80_000);
        if (keccak256(bytes(name)) == keccak256("unbondWithHint (partial)")) assert(ours <= 227_000);
        if (keccak256(bytes(name)) == keccak256("rebondWithHint")) assert(ours <= 127_000);
        console.log(GasTable.row(name, ours, ref, 28));
    }

    /// @dev Neighbours `t` will have once its stake is `newStake`: the correct hints for that update.
    function _hintsFor(address t, uint256 newStake) internal view returns (address prev, address next) {
        address cur = bm.getFirstTranscoderInPool();
        while (cur != address(0) && (cur == t || bm.transcoderTotalStake(cur) >= newStake)) {
            if (cur != t) prev = cur;
            cur = bm.getNextTranscoderInPool(cur);
        }
        next = cur;
    }
}

/// @notice Cost of walking the pool when no hint is given, per position passed, at pool sizes
/// 10/50/100: a transcoder joining at the tail with no hint vs with the correct one.
contract BondingWalkGasTest is ProtocolTest {
    function test_gas_noHintWalk_pool10() public {
        _walk(10);
    }

    function test_gas_noHintWalk_pool50() public {
        _walk(50);
    }

    function test_gas_noHintWalk_pool100() public {
        _walk(100);
    }

    function _walk(uint256 size) internal {
        vm.prank(owner);
        bm.setNumActiveTranscoders(size + 1);
        address tail;
        for (uint256 i; i < size; i++) {
            tail = makeAddr(string.concat("transcoder", vm.toString(i)));
            _bond(tail, (size - i + 1) * 1000 ether, tail);
        }
        address joiner = makeAddr("joiner");
        _fund(joiner, 1000 ether);

        uint256 snapshot = vm.snapshotState();
        vm.prank(joiner);
        bm.bondWithHint(1000 ether, joiner, address(0), address(0), tail, address(0));
        uint256 hinted = vm.snapshotGasLastCall(string.concat("joinTail_hinted_pool", vm.toString(size)));
        vm.revertToState(snapshot);
        vm.prank(joiner);
        bm.bond(1000 ether, joiner);
        uint256 walked = vm.snapshotGasLastCall(string.concat("joinTail_noHint_pool", vm.toString(size)));

        uint256 perPosition = (walked - hinted) / size;
        vm.snapshotValue(string.concat("noHintWalkPerPosition_pool", vm.toString(size)), perPosition);
        console.log("pool", size, "no-hint walk gas per position", perPosition);
        assertLe(perPosition, 2600, "walk goal");
    }
}
