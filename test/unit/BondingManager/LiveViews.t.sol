// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice `getTranscoder().lastActiveStakeUpdateRound` and `getTranscoderEarningsPoolForRound` return
/// what the live contracts store, because existing clients compute with them: go-livepeer's reward
/// hints read `pool[lastActiveStakeUpdateRound].totalStake`, explorers read past rounds' pools.
/// Expected values are the live storage writes (docs/compatibility.md, "Views clients read").
contract LiveViewsTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal t3 = makeAddr("t3");

    function _lastActiveStakeUpdateRound(address t) internal view returns (uint256 round) {
        (,,, round,,,,,,) = bm.getTranscoder(t);
    }

    function _poolStake(address t, uint256 round) internal view returns (uint256 stake) {
        (stake,,,,) = bm.getTranscoderEarningsPoolForRound(t, round);
    }

    function _poolShares(address t, uint256 round) internal view returns (uint256 stake, uint256 cut, uint256 share) {
        (stake, cut, share,,) = bm.getTranscoderEarningsPoolForRound(t, round);
    }

    /// @dev The stake a client takes for `t` in the current round (go-livepeer's rule).
    function _clientStake(address t) internal view returns (uint256) {
        uint256 current = roundsManager.currentRound();
        uint256 update = _lastActiveStakeUpdateRound(t);
        return _poolStake(t, update <= current ? update : current);
    }

    /// @dev t1 (3000) and t2 (2000) fill a pool of 2; t3 (1000) waits outside.
    function _fullPoolWithOutsider() internal returns (uint256 round) {
        vm.prank(owner);
        bm.setNumActiveTranscoders(2);
        _registerTranscoder(t1, 3000 ether, 100_000, 400_000);
        _registerTranscoder(t2, 2000 ether, 50_000, 300_000);
        _registerTranscoder(t3, 1000 ether, 0, 0);
        round = _nextRound();
    }

    /* lastActiveStakeUpdateRound */

    function test_lastActiveStakeUpdateRound_activationChangeAndStability() public {
        uint256 round = roundsManager.currentRound();
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        assertEq(_lastActiveStakeUpdateRound(t1), round + 1, "activation round");
        assertEq(_poolStake(t1, round + 1), 1000 ether, "stake written at activation");
        assertEq(_poolStake(t1, round), 0, "joining round not written");

        uint256 r1 = _nextRound();
        _nextRound();
        // No change since: the round and its pool stay.
        assertEq(_lastActiveStakeUpdateRound(t1), r1, "unchanged without stake changes");
        assertEq(_poolStake(t1, r1), 1000 ether, "kept");
        assertEq(_poolStake(t1, r1 + 1), 0, "current round unwritten until reward or fees");
        assertEq(_clientStake(t1), 1000 ether, "client reads the stake from lastActiveStakeUpdateRound");

        _bond(alice, 500 ether, t1);
        uint256 current = roundsManager.currentRound();
        assertEq(_lastActiveStakeUpdateRound(t1), current + 1, "a change moves it to the next round");
        assertEq(_poolStake(t1, current + 1), 1500 ether, "next round's stake");
        assertEq(_poolStake(t1, current), 1000 ether, "the round's stake copied into its pool");
        assertEq(_clientStake(t1), 1000 ether, "client: the current round's stake");
        _bond(bob, 200 ether, t1);
        assertEq(_lastActiveStakeUpdateRound(t1), current + 1, "a second change in the round");
        assertEq(_poolStake(t1, current + 1), 1700 ether, "latest stake");
        assertEq(_poolStake(t1, current), 1000 ether, "round's stake unchanged");
    }

    function test_lastActiveStakeUpdateRound_keptOnEviction() public {
        uint256 round = _fullPoolWithOutsider();
        uint256 t2Update = _lastActiveStakeUpdateRound(t2);
        // t3 grows to 2500 and evicts t2 (no change to t2's stake this round).
        _bond(alice, 1500 ether, t3);
        assertFalse(bm.isActiveTranscoder(t3), "t3 joins next round");
        assertEq(_lastActiveStakeUpdateRound(t2), t2Update, "eviction leaves it");
        assertEq(_poolStake(t2, t2Update), 2000 ether, "stake at eviction");
        // t2's delegator leaves while t2 is out of the pool: the live pool keeps the stake at eviction.
        _bond(bob, 100 ether, t2);
        _nextRound();
        vm.prank(bob);
        bm.unbond(100 ether);
        assertEq(_poolStake(t2, t2Update), 2000 ether, "pool keeps the stake at leaving");
        assertEq(_lastActiveStakeUpdateRound(t3), round + 1, "t3's activation");
        assertEq(_poolStake(t3, round + 1), 2500 ether, "t3's stake");
    }

    function test_lastActiveStakeUpdateRound_keptOnResignation() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        _bond(alice, 500 ether, t1);
        uint256 round = _nextRound();
        _reward(t1);
        uint256 update = _lastActiveStakeUpdateRound(t1);
        assertEq(update, round + 1, "reward moved it");
        uint256 stake = bm.transcoderTotalStake(t1);

        vm.startPrank(t1);
        bm.unbond(bm.pendingStake(t1, 0));
        vm.stopPrank();
        assertFalse(bm.isRegisteredTranscoder(t1), "resigned");
        assertEq(_lastActiveStakeUpdateRound(t1), update, "resignation leaves it");
        assertEq(_poolStake(t1, update), stake, "stake at resignation, before the self-bond left");
    }

    /* getTranscoderEarningsPoolForRound */

    function test_pool_rewardedRoundKeptForever() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        _registerTranscoder(t2, 1000 ether, 0, 0);
        uint256 round = _nextRound();
        (uint256 stake, uint256 cut, uint256 share) = _poolShares(t1, round);
        assertEq(stake, 1000 ether, "activation stake");
        assertEq(cut + share, 0, "commission written only by reward or fees");

        _reward(t1);
        (uint256 crf, uint256 cff) = _factors(t1, round);
        vm.prank(t1);
        bm.transcoder(200_000, 600_000);
        for (uint256 i; i < 5; ++i) {
            _nextRound();
        }
        _bond(alice, 10 ether, t1);
        (stake, cut, share) = _poolShares(t1, round);
        assertEq(stake, 1000 ether, "rewarded round's stake");
        assertEq(cut, 100_000, "rewarded round's cut");
        assertEq(share, 400_000, "rewarded round's share");
        (uint256 crfLater, uint256 cffLater) = _factors(t1, round);
        assertEq(crfLater, crf, "reward factor kept");
        assertEq(cffLater, cff, "fee factor kept");
        (, cut, share) = _poolShares(t1, roundsManager.currentRound());
        assertEq(cut + share, 0, "a round not rewarded has no commission");
    }

    function test_pool_feeOnlyRoundRecordsSharesOnce() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        _nextRound();
        uint256 round = _nextRound(); // lastActiveStakeUpdateRound is the round before
        assertEq(_poolStake(t1, round), 0, "unwritten before fees");
        _payFees(t1, 1 ether);
        _payFees(t1, 1 ether);
        (uint256 stake, uint256 cut, uint256 share) = _poolShares(t1, round);
        assertEq(stake, 1000 ether, "stake recorded by fees");
        assertEq(cut, 100_000, "cut recorded by fees");
        assertEq(share, 400_000, "share recorded by fees");
        // A reward after the fees keeps them.
        _reward(t1);
        (stake, cut, share) = _poolShares(t1, round);
        assertEq(stake, 1000 ether, "stake after reward");
        assertEq(cut, 100_000, "cut after reward");
        _nextRound();
        (stake,,) = _poolShares(t1, round);
        assertEq(stake, 1000 ether, "kept after the round");
    }

    function test_pool_unwrittenRoundsAreZero() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        uint256 round = roundsManager.currentRound();
        assertEq(_poolStake(t1, round), 0, "joining round");
        assertEq(_poolStake(t1, round + 10), 0, "far future");
        assertEq(_poolStake(t2, round + 1), 0, "never a transcoder");
    }

    function testFuzz_clientStake_equalsTheStakeRewardUses(uint256 seed) public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        _registerTranscoder(t2, 700 ether, 0, 0);
        _nextRound();
        // A few rounds of random stake changes, rewards and idle rounds.
        for (uint256 i; i < 6; ++i) {
            uint256 action = uint256(keccak256(abi.encode(seed, i))) % 4;
            if (action == 1) _bond(alice, 10 ether + i, t1);
            if (action == 2) _reward(t1);
            if (action == 3) _bond(bob, 1 ether, t1);
            _nextRound();
        }
        uint256 stake = _clientStake(t1);
        assertGt(stake, 0, "client stake");
        // The mint follows the stake the client computed: mintable * (stake / total).
        uint256 expected = minter.currentMintableTokens() * (stake * 1e9 / bm.getTotalBonded()) / 1e9;
        uint256 supplyBefore = token.totalSupply();
        _reward(t1);
        assertEq(token.totalSupply() - supplyBefore, expected, "minted as the client predicted");
    }

    function test_reward_afterEvictionUsesTheRoundsStake() public {
        _fullPoolWithOutsider();
        _bond(alice, 1500 ether, t3); // evicts t2 with 2000
        _bond(bob, 300 ether, t2); // out of the pool: changes t2's stake, not this round's
        uint256 expected = minter.currentMintableTokens() * (2000 ether * 1e9 / bm.getTotalBonded()) / 1e9;
        uint256 supplyBefore = token.totalSupply();
        _reward(t2);
        assertEq(token.totalSupply() - supplyBefore, expected, "minted on the stake the round started with");
        (uint256 stake,,) = _poolShares(t2, roundsManager.currentRound());
        assertEq(stake, 2000 ether, "recorded stake");
    }

    function _factors(address t, uint256 round) internal view returns (uint256 crf, uint256 cff) {
        (,,, crf, cff) = bm.getTranscoderEarningsPoolForRound(t, round);
    }
}
