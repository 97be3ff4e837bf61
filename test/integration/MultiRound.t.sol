// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolTest} from "../ProtocolTest.sol";

/// @notice Five transcoders and seven delegators over 24 rounds with an active set of 3: rewards
/// every round (t2 and t3 skip some), fees, commission changes, unbond/rebond, redelegation,
/// transferBond to an unbonded and to a bonded receiver, withdrawStake after the unbonding period,
/// withdrawFees, rebondFromUnbonded, and evictions of the tail by bigger newcomers.
///
/// Within each round the transcoders call reward first, then fees are paid, then delegators act:
/// stake that leaves a pool after its reward has been taken for the round, so no reward is orphaned
/// and the only gap between custody and claims is truncation dust.
///
/// Checked after every round (DUST_BOUND = accounts (12) * rounds elapsed wei; truncation loses at most
/// a few wei per reward or claim, always in the protocol's favour):
/// - Minter LPT >= sum of pendingStake of all accounts + sum of unwithdrawn unbonding locks, and the
///   difference is <= DUST_BOUND;
/// - nextRoundTotalActiveStake == sum of transcoderTotalStake over the pool;
/// - the pool walk is sorted descending by transcoderTotalStake, its length is getTranscoderPoolSize
///   and <= getTranscoderPoolMaxSize (3);
/// - each registered transcoder's transcoderTotalStake >= sum of pendingStake of its delegators
///   (itself included), within DUST_BOUND;
/// - Minter ETH >= sum of pendingFees of all accounts (difference <= DUST_BOUND too).
contract MultiRoundTest is ProtocolTest {
    uint256 internal constant ROUNDS = 24;
    uint256 internal constant ACTIVE_SET = 3;
    // Inflation mints ~6,650 LPT a round over ~17,000 bonded, so pool stakes grow fast: the newcomers
    // are sized to beat the tail several rounds in.
    uint256 internal constant D6_TOP_UP = 40_000 ether;
    uint256 internal constant T5_STAKE = 150_000 ether;

    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal t3 = makeAddr("t3");
    address internal t4 = makeAddr("t4");
    address internal t5 = makeAddr("t5");
    address internal d1 = makeAddr("d1");
    address internal d2 = makeAddr("d2");
    address internal d3 = makeAddr("d3");
    address internal d4 = makeAddr("d4");
    address internal d5 = makeAddr("d5");
    address internal d6 = makeAddr("d6");
    address internal d7 = makeAddr("d7");

    address[] internal transcoders;
    address[] internal accounts;

    uint256 internal d5Lock;
    uint256 internal maxLptDust;
    uint256 internal maxEthDust;
    uint256 internal maxPoolDust;
    uint256 internal rewardsCalled;
    uint256 internal rewardsSkipped;

    function setUp() public override {
        super.setUp();
        vm.prank(owner);
        bm.setNumActiveTranscoders(ACTIVE_SET);

        transcoders = [t1, t2, t3, t4, t5];
        accounts = [t1, t2, t3, t4, t5, d1, d2, d3, d4, d5, d6, d7];

        _registerTranscoder(t1, 5000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 4000 ether, 200_000, 400_000);
        _registerTranscoder(t3, 3000 ether, 300_000, 700_000);
        // Pool full and 2000 <= tail (3000): t4 stays out.
        _registerTranscoder(t4, 2000 ether, 50_000, 900_000);
        _bond(d1, 1000 ether, t1);
        _bond(d2, 800 ether, t2);
        _bond(d3, 600 ether, t3);
        _bond(d4, 500 ether, t1);
        _bond(d5, 400 ether, t2);
        _bond(d6, 300 ether, t4);
        _fund(d6, D6_TOP_UP);
        _fund(t5, T5_STAKE);
    }

    function test_multiRound_accountingHoldsEveryRound() public {
        assertEq(bm.getTranscoderPoolSize(), ACTIVE_SET, "pool full at start");
        assertFalse(_inPool(t4), "t4 out of the full pool");
        _checkInvariants(0);

        for (uint256 i = 1; i <= ROUNDS; ++i) {
            _nextRound();
            _rewards(i);
            _fees(i);
            _actions(i);
            _checkInvariants(i);
        }

        emit log_named_uint("rewards called", rewardsCalled);
        emit log_named_uint("rewards skipped", rewardsSkipped);
        emit log_named_uint("max LPT dust (wei)", maxLptDust);
        emit log_named_uint("max ETH dust (wei)", maxEthDust);
        emit log_named_uint("max pool-vs-delegators dust (wei)", maxPoolDust);
        assertGt(rewardsSkipped, 0, "some rounds skipped");
        assertGt(rewardsCalled, 2 * ROUNDS, "rewards were called");
    }

    /* SCHEDULE */

    function _skips(address t, uint256 i) internal view returns (bool) {
        return (t == t2 && i % 4 == 3) || (t == t3 && i % 5 == 2);
    }

    function _rewards(uint256 i) internal {
        for (uint256 k; k < transcoders.length; ++k) {
            address t = transcoders[k];
            if (!bm.isActiveTranscoder(t)) continue;
            if (_skips(t, i)) {
                rewardsSkipped++;
                continue;
            }
            _reward(t);
            rewardsCalled++;
        }
    }

    function _fees(uint256 i) internal {
        // Fees to the pool's head and to t3 whenever it is active (rewarded or not this round).
        _payFees(bm.getFirstTranscoderInPool(), 0.1 ether + i * 0.013 ether);
        if (bm.isActiveTranscoder(t3)) _payFees(t3, 0.05 ether + i * 7 gwei);
    }

    function _actions(uint256 i) internal {
        if (i == 2) {
            _as(d1);
            bm.unbond(200 ether); // d1 lock 0
        } else if (i == 3) {
            _as(t1);
            bm.transcoder(150_000, 450_000); // commission change after this round's reward
        } else if (i == 4) {
            _as(d1);
            bm.rebond(0);
        } else if (i == 5) {
            _as(d2);
            bm.bond(0, t3); // redelegation t2 -> t3
        } else if (i == 6) {
            // transferBond to an unbonded receiver: d7 takes d3's delegate (t3).
            _as(d3);
            bm.transferBond(d7, 200 ether, address(0), address(0), address(0), address(0));
            (,, address delegate,,,,) = bm.getDelegator(d7);
            assertEq(delegate, t3, "d7 delegated to t3");
            _as(d4);
            bm.unbond(100 ether); // d4 lock 0, withdrawable at round i + 7
        } else if (i == 8) {
            // transferBond to a bonded receiver (d5 on t2, which rewarded this round).
            _as(d4);
            bm.transferBond(d5, 100 ether, address(0), address(0), address(0), address(0));
        } else if (i == 9) {
            // t4 grows past the tail: evicts it.
            address tail = _poolTail();
            _as(d6);
            bm.bond(D6_TOP_UP, t4);
            assertTrue(_inPool(t4), "t4 joined");
            assertFalse(_inPool(tail), "tail evicted by t4");
        } else if (i == 10) {
            // A new, bigger transcoder evicts the tail.
            address tail = _poolTail();
            uint256 tailStake = bm.transcoderTotalStake(tail);
            uint256 nextTotal = bm.nextRoundTotalActiveStake();
            _as(t5);
            bm.bond(T5_STAKE, t5);
            _as(t5);
            bm.transcoder(120_000, 600_000);
            assertEq(bm.getFirstTranscoderInPool(), t5, "t5 heads the pool");
            assertFalse(_inPool(tail), "tail evicted by t5");
            assertEq(bm.nextRoundTotalActiveStake(), nextTotal - tailStake + T5_STAKE, "next total after eviction");
            assertTrue(bm.isActiveTranscoder(tail), "evicted tail still active this round");
        } else if (i == 11) {
            _as(t3);
            bm.transcoder(250_000, 750_000);
        } else if (i == 13) {
            uint256 before = token.balanceOf(d4);
            (uint256 amount,) = bm.getDelegatorUnbondingLock(d4, 0);
            _as(d4);
            bm.withdrawStake(0);
            assertEq(token.balanceOf(d4) - before, amount, "d4 withdrew its lock");
        } else if (i == 14) {
            uint256 stake = _pendingStake(d5);
            _as(d5);
            bm.unbond(stake); // full unbond; d5's lock 0 went to transferBond's rebond at i == 8
            (,,,,,, uint256 nextId) = bm.getDelegator(d5);
            d5Lock = nextId - 1;
            assertEq(d5Lock, 1, "d5 lock id");
        } else if (i == 16) {
            _as(d5);
            bm.rebondFromUnbonded(t5, d5Lock);
        } else if (i == 17) {
            _as(d1);
            bm.unbond(300 ether); // d1 lock 1, withdrawable at round i + 7 = the last round
        } else if (i == 18) {
            uint256 fees = _pendingFees(d2);
            _as(d2);
            bm.withdrawFees(payable(d2), fees);
            assertEq(d2.balance, fees, "d2 fees paid");
        } else if (i == 20) {
            _as(d3);
            bm.bond(0, t1);
        } else if (i == 21) {
            uint256 fees = _pendingFees(t1) / 2;
            _as(t1);
            bm.withdrawFees(payable(t1), fees);
        } else if (i == 24) {
            _as(d1);
            bm.withdrawStake(1);
        }
    }

    /* INVARIANTS */

    function _checkInvariants(uint256 i) internal {
        uint256 dustBound = accounts.length * (i + 1);

        // Custody of LPT and ETH.
        uint256 owedLpt;
        uint256 owedEth;
        for (uint256 k; k < accounts.length; ++k) {
            address a = accounts[k];
            owedLpt += _pendingStake(a) + _lockedAmount(a);
            owedEth += _pendingFees(a);
        }
        uint256 lpt = token.balanceOf(address(minter));
        assertGe(lpt, owedLpt, "minter LPT covers stakes and locks");
        assertLe(lpt - owedLpt, dustBound, "minter LPT surplus is dust");
        if (lpt - owedLpt > maxLptDust) maxLptDust = lpt - owedLpt;
        uint256 eth = address(minter).balance;
        assertGe(eth, owedEth, "minter ETH covers fees");
        assertLe(eth - owedEth, dustBound, "minter ETH surplus is dust");
        if (eth - owedEth > maxEthDust) maxEthDust = eth - owedEth;

        // Pool: sorted walk, size, next-round total.
        uint256 size;
        uint256 total;
        uint256 last = type(uint256).max;
        for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
            uint256 stake = bm.transcoderTotalStake(t);
            assertLe(stake, last, "pool sorted descending");
            assertTrue(bm.isRegisteredTranscoder(t), "pool member registered");
            last = stake;
            total += stake;
            size++;
        }
        assertEq(size, bm.getTranscoderPoolSize(), "pool size matches walk");
        assertLe(size, bm.getTranscoderPoolMaxSize(), "pool within max size");
        assertEq(bm.getTranscoderPoolMaxSize(), ACTIVE_SET, "max size");
        assertEq(bm.nextRoundTotalActiveStake(), total, "next round total = sum over pool");

        // Each transcoder's total stake against its delegators' pending stakes.
        for (uint256 k; k < transcoders.length; ++k) {
            address t = transcoders[k];
            uint256 sum;
            for (uint256 j; j < accounts.length; ++j) {
                (uint256 bonded,, address delegate,,,,) = bm.getDelegator(accounts[j]);
                if (bonded != 0 && delegate == t) sum += _pendingStake(accounts[j]);
            }
            uint256 totalStake = bm.transcoderTotalStake(t);
            assertGe(totalStake, sum, "transcoder stake covers its delegators");
            assertLe(totalStake - sum, dustBound, "transcoder stake vs delegators is dust");
            if (totalStake - sum > maxPoolDust) maxPoolDust = totalStake - sum;
        }
    }

    /* HELPERS */

    function _as(address who) internal {
        vm.prank(who);
    }

    function _lockedAmount(address a) internal view returns (uint256 sum) {
        (,,,,,, uint256 nextId) = bm.getDelegator(a);
        for (uint256 id; id < nextId; ++id) {
            (uint256 amount,) = bm.getDelegatorUnbondingLock(a, id);
            sum += amount;
        }
    }

    function _inPool(address t) internal view returns (bool) {
        for (address p = bm.getFirstTranscoderInPool(); p != address(0); p = bm.getNextTranscoderInPool(p)) {
            if (p == t) return true;
        }
        return false;
    }

    function _poolTail() internal view returns (address tail) {
        for (address p = bm.getFirstTranscoderInPool(); p != address(0); p = bm.getNextTranscoderInPool(p)) {
            tail = p;
        }
    }
}
