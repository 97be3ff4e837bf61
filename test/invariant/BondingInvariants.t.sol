// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolTest} from "../ProtocolTest.sol";
import {BondingHandler} from "./BondingHandler.sol";

/// @notice Stateful invariants of the BondingManager over random bonding, unbonding, rebonding,
/// transfers, rewards, fees, commission changes and (sometimes skipped) rounds, with an active set
/// (3) smaller than the number of transcoders (4) so that evictions happen.
contract BondingInvariantsTest is ProtocolTest {
    uint256 internal constant NUM_ACTIVE = 3;
    uint256 internal constant ACTOR_FUNDS = 1_000_000 ether;
    /// @dev Low enough that the treasury cut switches off during a run.
    uint256 internal constant CEILING = 2000 ether;
    /// @dev Custody not owed to anyone, from rounding down every share (see invariant_minterHoldsEveryBondedToken).
    uint256 internal constant MAX_LPT_DUST = 1e6;
    /// @dev Same for a pool: its delegated amount over the sum of its delegators' pending stake.
    uint256 internal constant MAX_POOL_DUST = 1e6;

    /// @dev Rounds walked back by invariant_cumulativeFactorsNeverDecrease (> the 3 a call can skip).
    uint256 internal constant FACTOR_WINDOW = 5;

    BondingHandler internal handler;
    address[] internal actors;

    function setUp() public override {
        super.setUp();
        vm.startPrank(owner);
        bm.setNumActiveTranscoders(NUM_ACTIVE);
        bm.setTreasuryBalanceCeiling(CEILING);
        vm.stopPrank();

        for (uint256 i = 1; i <= 4; i++) {
            actors.push(makeAddr(string.concat("transcoder", vm.toString(i))));
        }
        for (uint256 i = 1; i <= 6; i++) {
            actors.push(makeAddr(string.concat("delegator", vm.toString(i))));
        }
        for (uint256 i; i < actors.length; i++) {
            _fund(actors[i], ACTOR_FUNDS);
        }
        // Three transcoders active from the next round; the fourth starts unregistered.
        _selfBondAndSetCommission(actors[0], 3000 ether, 100_000, 500_000);
        _selfBondAndSetCommission(actors[1], 2000 ether, 250_000, 250_000);
        _selfBondAndSetCommission(actors[2], 1000 ether, 500_000, 900_000);
        vm.prank(actors[4]);
        bm.bond(500 ether, actors[0]);
        _nextRound();

        handler = new BondingHandler(bm, token, minter, roundsManager, ticketBroker, treasury, actors);
        targetContract(address(handler));
    }

    /* INVARIANTS: one `invariant_` function per property, each its own campaign with its own seed (foundry.toml) */

    /// @notice Custody is exactly what the ghosts say, and covers every pending stake, unwithdrawn lock and
    /// parked commission (see _parked). What is left over is (1) the stranded rewards of stake that
    /// claimed in a round before its delegate's reward (the pool minted for it, nobody can claim it; as
    /// in the reference), tracked by the handler, plus (2) rounding dust: every share rounds down
    /// (factor ratios truncated to 1e27 points, each < 1 wei per claim at these stakes), so the dust is
    /// never negative (assertGe) and stays within MAX_LPT_DUST of the stranded ghost.
    /// forge-config: default.fuzz.seed = "0x101"
    /// forge-config: deep.fuzz.seed = "0x101"
    function invariant_minterHoldsEveryBondedToken() public view {
        uint256 custody = token.balanceOf(address(minter));
        assertEq(
            custody,
            handler.ghostLptIn() + handler.ghostMinted() - handler.ghostLptWithdrawn() - handler.ghostTreasuryPaid(),
            "Minter LPT = in + minted - withdrawn - treasury"
        );
        uint256 owed;
        for (uint256 i; i < actors.length; i++) {
            owed += bm.pendingStake(actors[i], 0) + _unwithdrawnLocks(actors[i]);
            (uint256 parkedStake,) = _parked(actors[i]);
            owed += parkedStake;
        }
        assertGe(custody, owed, "custody >= pending stakes + locks");
        assertApproxEqAbs(
            custody - owed,
            handler.ghostStrandedTotal(),
            _totalDustBound(MAX_LPT_DUST),
            "custody - owed = stranded + dust"
        );
    }

    /// @notice A transcoder address's delegated amount is what its delegators (itself included) can claim,
    /// plus the stranded rewards of stake that claimed before the round's reward (handler ghost) and
    /// any parked commission, within MAX_POOL_DUST.
    /// forge-config: default.fuzz.seed = "0x102"
    /// forge-config: deep.fuzz.seed = "0x102"
    function invariant_delegatedAmountIsWhatDelegatorsCanClaim() public view {
        uint256 numTranscoders = handler.transcoderCount();
        uint256[] memory sums = new uint256[](numTranscoders);
        for (uint256 i; i < actors.length; i++) {
            (,, address delegate,,,,) = bm.getDelegator(actors[i]);
            for (uint256 t; t < numTranscoders; t++) {
                if (delegate == actors[t]) sums[t] += bm.pendingStake(actors[i], 0);
            }
        }
        for (uint256 t; t < numTranscoders; t++) {
            address transcoder = actors[t];
            (uint256 parkedStake,) = _parked(transcoder);
            uint256 sum = sums[t] + parkedStake;
            uint256 total = bm.transcoderTotalStake(transcoder);
            assertGe(total, sum, "delegated amount >= delegators' pending stake");
            assertApproxEqAbs(
                total - sum,
                handler.ghostStranded(transcoder),
                _dustBound(transcoder, MAX_POOL_DUST),
                "delegated - pending = stranded + dust"
            );
        }
    }

    /// forge-config: default.fuzz.seed = "0x103"
    /// forge-config: deep.fuzz.seed = "0x103"
    function invariant_nextRoundTotalActiveStakeIsPoolSum() public view {
        uint256 sum;
        for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
            sum += bm.transcoderTotalStake(t);
        }
        assertEq(bm.nextRoundTotalActiveStake(), sum, "next round total active stake = pool sum");
    }

    /// @notice The pool is sorted by stake (descending), its size is the walked length and at most the
    /// maximum, and every member is registered and active (or about to be) for the next round.
    /// forge-config: default.fuzz.seed = "0x104"
    /// forge-config: deep.fuzz.seed = "0x104"
    function invariant_poolIsSortedBoundedAndActive() public view {
        uint256 size;
        uint256 previous = type(uint256).max;
        uint256 nextRound = roundsManager.currentRound() + 1;
        for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
            uint256 stake = bm.transcoderTotalStake(t);
            assertLe(stake, previous, "pool sorted descending");
            assertGt(stake, 0, "pool member has stake");
            assertTrue(bm.isRegisteredTranscoder(t), "pool member registered");
            (,,,, uint256 activationRound, uint256 deactivationRound,,,,) = bm.getTranscoder(t);
            assertTrue(activationRound <= nextRound && nextRound < deactivationRound, "pool member active next round");
            previous = stake;
            size++;
            assertLe(size, NUM_ACTIVE, "walk stays within max size");
        }
        assertEq(size, bm.getTranscoderPoolSize(), "pool size = walked length");
        assertLe(size, bm.getTranscoderPoolMaxSize(), "pool size <= max");
        assertEq(bm.getTranscoderPoolMaxSize(), NUM_ACTIVE, "max size");
    }

    /// forge-config: default.fuzz.seed = "0x105"
    /// forge-config: deep.fuzz.seed = "0x105"
    function invariant_rewardAtMostOncePerRound() public view {
        assertLe(handler.ghostMaxRewardCount(), 1, "at most one reward per transcoder per round");
        assertEq(handler.ghostDoubleRewards(), 0, "a second reward in a round reverts");
        uint256 round = roundsManager.currentRound();
        for (uint256 t; t < handler.transcoderCount(); t++) {
            (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(actors[t]);
            assertLe(lastRewardRound, round, "last reward round not in the future");
            if (lastRewardRound == round) {
                assertEq(handler.ghostRewardCount(actors[t], round), 1, "rewarded this round exactly once");
            }
        }
    }

    /// forge-config: default.fuzz.seed = "0x106"
    /// forge-config: deep.fuzz.seed = "0x106"
    function invariant_mintedWithinMintable() public view {
        assertLe(minter.currentMintedTokens(), minter.currentMintableTokens(), "minted <= mintable");
    }

    /// @notice The round's minted counter is exactly the rewards minted since the round's initialization.
    /// forge-config: default.fuzz.seed = "0x10b"
    /// forge-config: deep.fuzz.seed = "0x10b"
    function invariant_mintedThisRoundIsTheRoundsRewards() public view {
        assertEq(minter.currentMintedTokens(), handler.ghostMintedThisRound(), "minted this round = ghost");
    }

    /// @notice Each transcoder's factors never decrease: walked over the recent rounds (every round of
    /// the run is recent after some call, as a call advances at most 3 rounds), and at its last reward /
    /// fee round against the values the handler saw after every reward, fee payment and round.
    /// forge-config: default.fuzz.seed = "0x107"
    /// forge-config: deep.fuzz.seed = "0x107"
    function invariant_cumulativeFactorsNeverDecrease() public view {
        assertEq(handler.ghostFactorDecreases(), 0, "no factor decrease seen between calls");
        uint256 current = roundsManager.currentRound();
        for (uint256 t; t < handler.transcoderCount(); t++) {
            address transcoder = actors[t];
            uint256 crf;
            uint256 cff;
            uint256 from =
                current - FACTOR_WINDOW < handler.firstRound() ? handler.firstRound() - 1 : current - FACTOR_WINDOW;
            for (uint256 r = from; r <= current + 1; r++) {
                (,,, uint256 roundCrf, uint256 roundCff) = bm.getTranscoderEarningsPoolForRound(transcoder, r);
                if (roundCrf != 0) {
                    assertGe(roundCrf, crf, "CRF never decreases across rounds");
                    crf = roundCrf;
                }
                if (roundCff != 0) {
                    assertGe(roundCff, cff, "CFF never decreases across rounds");
                    cff = roundCff;
                }
            }
            (uint256 lastRewardRound,,,,,,,,, uint256 lastFeeRound) = bm.getTranscoder(transcoder);
            (,,, uint256 lastCrf,) = bm.getTranscoderEarningsPoolForRound(transcoder, lastRewardRound);
            (,,,, uint256 lastCff) = bm.getTranscoderEarningsPoolForRound(transcoder, lastFeeRound);
            assertGe(lastCrf, handler.ghostLastCrf(transcoder), "CRF at last reward round >= last seen");
            assertGe(lastCff, handler.ghostLastCff(transcoder), "CFF at last fee round >= last seen");
        }
    }

    /// forge-config: default.fuzz.seed = "0x108"
    /// forge-config: deep.fuzz.seed = "0x108"
    function invariant_minterHoldsEveryFee() public view {
        uint256 balance = address(minter).balance;
        assertEq(balance, handler.ghostEthIn() - handler.ghostEthOut(), "Minter ETH = in - out");
        uint256 owed;
        for (uint256 i; i < actors.length; i++) {
            (, uint256 parkedFees) = _parked(actors[i]);
            owed += bm.pendingFees(actors[i], 0) + parkedFees;
        }
        assertGe(balance, owed, "Minter ETH >= pending fees");
    }

    /// @notice Claims of different delegators do not interact: claiming everyone in one order or the
    /// reverse gives the same bonds and fees (to 1 wei each). State is restored afterwards.
    /// forge-config: default.fuzz.seed = "0x109"
    /// forge-config: deep.fuzz.seed = "0x109"
    function invariant_claimOrderDoesNotMatter() public {
        if (roundsManager.lastInitializedRound() != roundsManager.currentRound()) return;
        uint256 n = actors.length;
        uint256[] memory bondedForward = new uint256[](n);
        uint256[] memory feesForward = new uint256[](n);

        // Only claims that move earnings: no delegate, or claimed this round, is a no-op for the others.
        bool[] memory claims = new bool[](n);
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < n; i++) {
            (,, address delegate,,, uint256 lastClaimRound,) = bm.getDelegator(actors[i]);
            claims[i] = delegate != address(0) && lastClaimRound < round;
        }

        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < n; i++) {
            if (!claims[i]) continue;
            vm.prank(actors[i]);
            bm.claimEarnings(0);
        }
        for (uint256 i; i < n; i++) {
            (bondedForward[i], feesForward[i],,,,,) = bm.getDelegator(actors[i]);
        }
        vm.revertToState(snapshot);

        for (uint256 i = n; i > 0; i--) {
            if (!claims[i - 1]) continue;
            vm.prank(actors[i - 1]);
            bm.claimEarnings(0);
        }
        for (uint256 i; i < n; i++) {
            (uint256 bonded, uint256 fees,,,,,) = bm.getDelegator(actors[i]);
            assertApproxEqAbs(bonded, bondedForward[i], 1, "bond independent of claim order");
            assertApproxEqAbs(fees, feesForward[i], 1, "fees independent of claim order");
        }
        vm.revertToState(snapshot);
        vm.deleteStateSnapshot(snapshot);
    }

    /// forge-config: default.fuzz.seed = "0x10a"
    /// forge-config: deep.fuzz.seed = "0x10a"
    function invariant_supplyIsGenesisPlusMinted() public view {
        assertEq(token.totalSupply(), GENESIS_SUPPLY + handler.ghostMinted(), "supply = genesis + minted");
        uint256 held = token.balanceOf(owner) + token.balanceOf(address(minter)) + token.balanceOf(treasury);
        for (uint256 i; i < actors.length; i++) {
            held += token.balanceOf(actors[i]);
        }
        assertEq(held, token.totalSupply(), "every LPT is held by someone we know");
        assertEq(token.balanceOf(treasury), handler.ghostTreasuryPaid(), "treasury = treasury cuts paid");
    }

    /// @notice Every run does something (a run can still see no reward: all transcoders may have unbonded).
    function afterInvariant() public view {
        assertGt(handler.ghostSuccesses(), 0, "some successful actions");
    }

    /// @notice The handler's actions succeed from the setUp state: bond, reward, fees, a new round, claims.
    function test_handler_makesProgress() public {
        handler.bond(4, 0, 100 ether); // delegator1 tops up its bond to transcoder1
        handler.reward(0);
        handler.payFees(1, 1 ether);
        handler.advanceRound(1, 0);
        handler.claimEarnings(4);
        handler.unbond(5, 0, true); // delegator2 has no bond: returns early
        assertEq(handler.ghostBonds(), 1, "bonds");
        assertEq(handler.ghostRewards(), 1, "rewards");
        assertEq(handler.ghostFeePayments(), 1, "fee payments");
        assertEq(handler.ghostRounds(), 1, "rounds");
        assertEq(handler.ghostClaims(), 1, "claims");
        assertEq(handler.ghostUnbonds(), 0, "unbonds");
        assertEq(handler.ghostSuccesses(), 5, "successes");
        invariant_minterHoldsEveryBondedToken();
        invariant_delegatedAmountIsWhatDelegatorsCanClaim();
        invariant_minterHoldsEveryFee();
        invariant_claimOrderDoesNotMatter();
    }

    /* HELPERS */

    function _selfBondAndSetCommission(address t, uint256 stake, uint256 rewardCut, uint256 feeShare) internal {
        vm.startPrank(t);
        bm.bond(stake, t);
        bm.transcoder(rewardCut, feeShare);
        vm.stopPrank();
    }

    /// @dev A transcoder's commission (and reward/fees on it) earned in a round after its claim of that
    /// round is folded into its bond only by its next claim (as in the reference). If it left
    /// self-delegation in between (a full unbond), it waits in the record, counted in its delegated
    /// amount but in no pendingStake / pendingFees, until it self-delegates again.
    function _parked(address transcoder) internal view returns (uint256 stake, uint256 fees) {
        (,, address delegate,,,,) = bm.getDelegator(transcoder);
        if (delegate == transcoder) return (0, 0);
        (,,,,,,, stake, fees,) = bm.getTranscoder(transcoder);
    }

    /// @dev Rounding dust is a few wei of stake per claim, but that stake keeps earning: once a pool's stake
    /// gets tiny (the handler can unbond nearly everything), one round's inflation over a few wei multiplies
    /// them. So the bound is `dust` wei grown by the transcoder's reward factor (seed 115 once showed 1 wei
    /// of dust in a 1,889-wei pool turning into 2.4 LPT after the whole round's inflation went to it).
    function _dustBound(address transcoder, uint256 dust) internal view returns (uint256) {
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(transcoder);
        (,,, uint256 crf,) = bm.getTranscoderEarningsPoolForRound(transcoder, lastRewardRound);
        return dust * (crf / 1e27 + 1);
    }

    function _totalDustBound(uint256 dust) internal view returns (uint256 bound) {
        for (uint256 t; t < handler.transcoderCount(); t++) {
            bound += _dustBound(actors[t], dust);
        }
    }

    function _unwithdrawnLocks(address delegator) internal view returns (uint256 sum) {
        (,,,,,, uint256 nextId) = bm.getDelegator(delegator);
        for (uint256 id; id < nextId; id++) {
            (uint256 amount,) = bm.getDelegatorUnbondingLock(delegator, id);
            sum += amount;
        }
    }
}
