// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolTest} from "../ProtocolTest.sol";

/// @notice A pool bootstrapped with 1 wei, run for 1,000 rounds. Orchestrator `t` self-bonds 1 wei and
/// is alone in the active set, so it takes each round's whole inflation: in its first round its reward
/// factor jumps to ~5e48 and it keeps growing with every reward. Before issue 18 the claim math
/// multiplied a factor by 1e27 in 256 bits, which overflows past ~1.2e50: after about 19 rounds every
/// delegator of such a pool was frozen (pendingStake, claims, bond, unbond, transferBond and
/// withdrawFees all reverted). Delegators join early (1,000 LPT in round 2, 1 wei in round 3) and late
/// (500 LPT in round 100, 10,000 LPT in round 900); one claims every 50 rounds (not in the last), the others never; fees
/// are paid every 10 rounds.
///
/// Checked every 100 rounds: custody covers every claim (the Minter holds at least the sum of
/// pendingStake of all accounts, and at least the sum of pendingFees in ETH) and the pool's stake
/// covers its members' pending stakes, each gap within DUST_BOUND. After the 1,000 rounds every
/// account claims what pendingStake and pendingFees showed, votes with that stake, withdraws its fees
/// and unbonds half; bond and transferBond still work, the pool keeps earning, and every lock is
/// withdrawn after the unbonding period.
contract BootstrapPoolTest is ProtocolTest {
    uint256 internal constant ROUNDS = 1000;
    uint256 internal constant FEES = 1 ether;
    /// @dev Truncation loses at most a few wei per reward, fee payment or claim, always to the protocol.
    uint256 internal constant DUST_BOUND = 10 * ROUNDS;

    address internal t = makeAddr("t");
    address internal dEarly = makeAddr("dEarly");
    address internal dDust = makeAddr("dDust");
    address internal dMid = makeAddr("dMid");
    address internal dLate = makeAddr("dLate");
    address internal receiver = makeAddr("receiver");

    address[] internal accounts;
    address[] internal lockOwners;
    uint256[] internal lockIds;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t, 1, 100_000, 500_000);
        accounts = [t, dEarly, dDust, dMid, dLate];
    }

    function test_bootstrapPool_thousandRounds_delegatorsStayFree() public {
        for (uint256 r = 1; r <= ROUNDS; r++) {
            _nextRound();
            _reward(t);
            if (r % 10 == 0) _payFees(t, FEES);
            if (r == 2) _bond(dEarly, 1000 ether, t);
            if (r == 3) _bond(dDust, 1, t);
            if (r == 100) _bond(dMid, 500 ether, t);
            if (r > 100 && r % 50 == 25) {
                vm.prank(dMid);
                bm.claimEarnings(0);
            }
            if (r == 900) _bond(dLate, 10_000 ether, t);
            if (r % 100 == 0) _checkCustody();
        }
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(t);
        (,,, uint256 crf,) = bm.getTranscoderEarningsPoolForRound(t, lastRewardRound);
        assertGt(crf, type(uint256).max / 1e27, "the run reaches factors whose product with 1e27 overflows 256 bits");

        // Every account sees, votes with and claims its stake and fees, withdraws the fees, unbonds half.
        for (uint256 i; i < accounts.length; i++) {
            _claimWithdrawFeesAndUnbondHalf(accounts[i]);
        }
        _checkCustody();

        // Bonding more and moving part of a bond still work.
        _bond(dEarly, 100 ether, t);
        uint256 moved = _bondedAmount(dMid) / 4;
        vm.prank(dMid);
        bm.transferBond(receiver, moved, address(0), address(0), address(0), address(0));
        assertEq(_bondedAmount(receiver), moved, "receiver bonded");
        accounts.push(receiver);

        // The pool keeps earning; after the unbonding period every lock is withdrawn.
        uint256 stakeBefore = _pendingStake(receiver);
        for (uint256 r; r < UNBONDING_PERIOD; r++) {
            _nextRound();
            _reward(t);
            _payFees(t, FEES);
        }
        assertGt(_pendingStake(receiver), stakeBefore, "the receiver earns in the pool");
        _checkCustody();
        for (uint256 i; i < lockIds.length; i++) {
            address a = lockOwners[i];
            (uint256 amount,) = bm.getDelegatorUnbondingLock(a, lockIds[i]);
            uint256 balance = token.balanceOf(a);
            vm.prank(a);
            bm.withdrawStake(lockIds[i]);
            assertEq(token.balanceOf(a) - balance, amount, "withdrew the lock");
        }
        _checkCustody();
    }

    /* HELPERS */

    function _claimWithdrawFeesAndUnbondHalf(address a) internal {
        uint256 stake = _pendingStake(a);
        uint256 fees = _pendingFees(a);
        assertGt(stake, _bondedAmount(a), "earned stake");
        // A transcoder's votes are its pool's stake; a delegator's its own.
        if (a != t) assertEq(bondingVotes.getVotes(a), stake, "votes with its pending stake");
        vm.prank(a);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(a), stake, "claimed what pendingStake showed");
        (, uint256 claimedFees,,,,,) = bm.getDelegator(a);
        assertEq(claimedFees, fees, "claimed what pendingFees showed");

        uint256 balance = a.balance;
        vm.prank(a);
        bm.withdrawFees(payable(a), fees);
        assertEq(a.balance - balance, fees, "fees paid");

        (,,,,,, uint256 lockId) = bm.getDelegator(a);
        vm.prank(a);
        bm.unbond(stake / 2);
        assertEq(_bondedAmount(a), stake - stake / 2, "unbonded half");
        lockOwners.push(a);
        lockIds.push(lockId);
    }

    /// @dev The pool's stake covers its members' pending stakes; custody covers them, the locks not yet
    /// withdrawn and every account's fees. Every gap is truncation dust.
    function _checkCustody() internal view {
        uint256 stakes;
        uint256 fees;
        for (uint256 i; i < accounts.length; i++) {
            stakes += _pendingStake(accounts[i]);
            fees += _pendingFees(accounts[i]);
        }
        uint256 locked;
        for (uint256 i; i < lockIds.length; i++) {
            (uint256 amount,) = bm.getDelegatorUnbondingLock(lockOwners[i], lockIds[i]);
            locked += amount;
        }
        uint256 poolStake = bm.transcoderTotalStake(t);
        assertGe(poolStake, stakes, "the pool covers its members");
        assertLe(poolStake - stakes, DUST_BOUND, "pool dust");
        uint256 custody = token.balanceOf(address(minter));
        assertGe(custody, stakes + locked, "LPT custody covers every claim and lock");
        assertLe(custody - stakes - locked, DUST_BOUND, "LPT dust");
        assertGe(address(minter).balance, fees, "ETH custody covers every fee");
        assertLe(address(minter).balance - fees, DUST_BOUND, "ETH dust");
    }
}
