// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Bounded random use of the BondingManager by 4 transcoders and 6 delegators, with ghost sums
/// of every LPT and ETH movement and a record of every reward and cumulative factor seen.
/// @dev Never reverts: each action bounds its inputs and returns early when its preconditions do not
/// hold, so that `fail_on_revert` turns any unexpected protocol revert into a finding.
contract BondingHandler is Test {
    uint256 internal constant NUM_TRANSCODERS = 4;
    uint256 internal constant NUM_DELEGATORS = 6;
    uint256 internal constant MAX_FEES = 100 ether;

    BondingManager internal immutable bm;
    LivepeerToken internal immutable token;
    Minter internal immutable minter;
    RoundsManager internal immutable roundsManager;
    address internal immutable ticketBroker;
    address internal immutable treasury;

    /// @dev Transcoders first (indices 0..3), then delegators (4..9).
    address[] public actors;

    /* GHOSTS */

    /// @dev LPT that entered custody from wallets (including the setUp bonds, counted at construction).
    uint256 public ghostLptIn;
    uint256 public ghostLptWithdrawn;
    /// @dev Sum of Minter.currentMintedTokens increases over every reward (delegators + treasury).
    uint256 public ghostMinted;
    uint256 public ghostMintedThisRound;
    uint256 public ghostTreasuryPaid;
    uint256 public ghostEthIn;
    uint256 public ghostEthOut;

    uint256 public ghostBonds;
    uint256 public ghostUnbonds;
    uint256 public ghostRebonds;
    uint256 public ghostWithdrawals;
    uint256 public ghostTransfers;
    uint256 public ghostFeeWithdrawals;
    uint256 public ghostClaims;
    uint256 public ghostCommissionChanges;
    uint256 public ghostRewards;
    uint256 public ghostFeePayments;
    uint256 public ghostRounds;
    uint256 public ghostSkippedRounds;

    function ghostSuccesses() external view returns (uint256) {
        return ghostBonds + ghostUnbonds + ghostRebonds + ghostWithdrawals + ghostTransfers + ghostFeeWithdrawals
            + ghostClaims + ghostCommissionChanges + ghostRewards + ghostFeePayments + ghostRounds;
    }

    mapping(address transcoder => mapping(uint256 round => uint256)) public ghostRewardCount;
    uint256 public ghostMaxRewardCount;
    /// @dev A second reward in the same round that did not revert.
    uint256 public ghostDoubleRewards;

    /// @dev Last seen CRF at lastRewardRound and CFF at lastFeeRound, per transcoder.
    mapping(address transcoder => uint256) public ghostLastCrf;
    mapping(address transcoder => uint256) public ghostLastCff;
    uint256 public ghostFactorDecreases;

    /// @dev Round stake that claimed in the round before its delegate's reward, per (delegate, round).
    /// Its pool counted it when the round started, so the reward is minted for it, but its claim already
    /// moved it past the round: its share of the reward is in the delegate's stake and nobody's claim
    /// (LIP-36 as in the reference: hence the griefing guard on third-party claims).
    mapping(address transcoder => mapping(uint256 round => uint256)) public ghostForfeitedStake;
    /// @dev The rewards of that stake, per delegate and in total (estimated to the factor's precision);
    /// they stay in the delegate's stake and earn (stranded) rewards in later rounds too.
    mapping(address transcoder => uint256) public ghostStranded;
    uint256 public ghostStrandedTotal;

    uint256 public immutable firstRound;

    constructor(
        BondingManager bm_,
        LivepeerToken token_,
        Minter minter_,
        RoundsManager roundsManager_,
        address ticketBroker_,
        address treasury_,
        address[] memory actors_
    ) {
        bm = bm_;
        token = token_;
        minter = minter_;
        roundsManager = roundsManager_;
        ticketBroker = ticketBroker_;
        treasury = treasury_;
        require(actors_.length == NUM_TRANSCODERS + NUM_DELEGATORS, "actors");
        actors = actors_;
        ghostLptIn = token_.balanceOf(address(minter_));
        ghostMintedThisRound = minter_.currentMintedTokens();
        firstRound = roundsManager_.currentRound();
        _observeFactors();
    }

    /// @dev On the actions that write factors (reward, fees) or start a round; claims only copy the
    /// latest factors into the current round, observed through claimEarnings.
    modifier observe() {
        _;
        _observeFactors();
    }

    /* VIEWS */

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function transcoderCount() external pure returns (uint256) {
        return NUM_TRANSCODERS;
    }

    function transcoderAt(uint256 i) public view returns (address) {
        return actors[i % NUM_TRANSCODERS];
    }

    /* DELEGATOR ACTIONS */

    /// @dev First bond, top-up or redelegation. Transcoders only bond to themselves; delegators pick
    /// any transcoder address (registered or not).
    function bond(uint256 actorSeed, uint256 toSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        bool isTranscoderActor = actorSeed % actors.length < NUM_TRANSCODERS;
        address to = isTranscoderActor ? actor : transcoderAt(toSeed);
        amount = bound(amount, 0, token.balanceOf(actor));

        (uint256 bonded,, address delegate,,,,) = bm.getDelegator(actor);
        bool moving = bonded != 0 && delegate != to;
        if (bonded == 0 || !moving) {
            if (amount == 0) return; // ZeroDelegationAmount
        }
        // A registered transcoder cannot delegate elsewhere.
        if (moving && bm.isRegisteredTranscoder(actor)) return;

        _noteClaim(actor);
        vm.prank(actor);
        bm.bond(amount, to);
        ghostLptIn += amount;
        ghostBonds++;
    }

    /// @dev Partial or full unbond of a Bonded actor.
    function unbond(uint256 actorSeed, uint256 amount, bool full) external {
        address actor = actors[actorSeed % actors.length];
        if (bm.delegatorStatus(actor) != IBondingManager.DelegatorStatus.Bonded) return;
        uint256 claimable = _claimableStake(actor);
        amount = full ? claimable : bound(amount, 1, claimable);

        _noteClaim(actor);
        vm.prank(actor);
        bm.unbond(amount);
        ghostUnbonds++;
    }

    /// @dev Rebond a lock (to the current delegate), or from Unbonded toward a chosen delegate.
    function rebond(uint256 actorSeed, uint256 lockSeed, uint256 toSeed) external {
        uint256 index = actorSeed % actors.length;
        address actor = actors[index];
        (bool found, uint256 lockId) = _findLock(actor, lockSeed, false);
        if (!found) return;

        (uint256 bonded,,,,,,) = bm.getDelegator(actor);
        _noteClaim(actor);
        if (bonded != 0) {
            vm.prank(actor);
            bm.rebond(lockId);
        } else {
            address to = index < NUM_TRANSCODERS ? actor : transcoderAt(toSeed);
            vm.prank(actor);
            bm.rebondFromUnbonded(to, lockId);
        }
        ghostRebonds++;
    }

    function withdrawStake(uint256 actorSeed, uint256 lockSeed) external {
        address actor = actors[actorSeed % actors.length];
        (bool found, uint256 lockId) = _findLock(actor, lockSeed, true);
        if (!found) return;
        (uint256 amount,) = bm.getDelegatorUnbondingLock(actor, lockId);

        uint256 balanceBefore = token.balanceOf(actor);
        vm.prank(actor);
        bm.withdrawStake(lockId);
        assertEq(token.balanceOf(actor) - balanceBefore, amount, "withdrawStake pays the lock");
        ghostLptWithdrawn += amount;
        ghostWithdrawals++;
    }

    /// @dev Moves part of a Bonded actor's stake to another actor.
    function transferBond(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actors[fromSeed % actors.length];
        address to = actors[toSeed % actors.length];
        if (from == to) return;
        if (bm.delegatorStatus(from) != IBondingManager.DelegatorStatus.Bonded) return;
        (,, address fromDelegate,,,,) = bm.getDelegator(from);
        amount = bound(amount, 1, _claimableStake(from));

        (uint256 toBonded,, address toDelegate,,, uint256 toLastClaim,) = bm.getDelegator(to);
        uint256 round = roundsManager.currentRound();
        // The receiver's claim is forced by a third party: it must not come before its delegate's reward.
        if (toLastClaim < round && toDelegate != address(0) && bm.isActiveTranscoder(toDelegate)) {
            (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(toDelegate);
            if (lastRewardRound != round) return;
        }
        // An unbonded receiver takes the sender's delegate but is never made to self-delegate.
        if (toBonded == 0 && fromDelegate == to) return;

        _noteClaim(from);
        vm.prank(from);
        bm.transferBond(to, amount, address(0), address(0), address(0), address(0));
        ghostTransfers++;
    }

    function withdrawFees(uint256 actorSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        amount = bound(amount, 0, _claimableFees(actor));

        uint256 balanceBefore = actor.balance;
        _noteClaim(actor);
        vm.prank(actor);
        bm.withdrawFees(payable(actor), amount);
        assertEq(actor.balance - balanceBefore, amount, "withdrawFees pays the amount");
        ghostEthOut += amount;
        ghostFeeWithdrawals++;
    }

    function claimEarnings(uint256 actorSeed) external observe {
        address actor = actors[actorSeed % actors.length];
        _noteClaim(actor);
        vm.prank(actor);
        bm.claimEarnings(0);
        ghostClaims++;
    }

    /* TRANSCODER ACTIONS */

    /// @dev Sets a registered transcoder's commission: outside the lock window, and after reward if active.
    function setCommission(uint256 transcoderSeed, uint256 rewardCut, uint256 feeShare) external {
        address t = transcoderAt(transcoderSeed);
        if (!bm.isRegisteredTranscoder(t)) return;
        if (roundsManager.currentRoundLocked()) return;
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(t);
        if (bm.isActiveTranscoder(t) && lastRewardRound != roundsManager.currentRound()) return;
        rewardCut = bound(rewardCut, 0, 1e6);
        feeShare = bound(feeShare, 0, 1e6);

        vm.prank(t);
        bm.transcoder(rewardCut, feeShare);
        ghostCommissionChanges++;
    }

    /// @dev An active registered transcoder that has not rewarded this round calls reward. Starts at
    /// the seeded transcoder and takes the first one that may.
    function reward(uint256 transcoderSeed) external observe {
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < NUM_TRANSCODERS; i++) {
            address t = transcoderAt(transcoderSeed % NUM_TRANSCODERS + i);
            if (!_canReward(t, round)) continue;

            uint256 mintedBefore = minter.currentMintedTokens();
            uint256 treasuryBefore = token.balanceOf(treasury);
            (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(t);
            (,,, uint256 crfBefore,) = bm.getTranscoderEarningsPoolForRound(t, lastRewardRound);
            if (crfBefore == 0) crfBefore = 1e27;
            vm.prank(t);
            bm.reward();
            (,,, uint256 crfAfter,) = bm.getTranscoderEarningsPoolForRound(t, round);
            // Stranded stake from earlier rounds is still pool stake: its rewards are stranded too.
            uint256 stranded = (ghostForfeitedStake[t][round] + ghostStranded[t]) * (crfAfter - crfBefore) / crfBefore;
            ghostStranded[t] += stranded;
            ghostStrandedTotal += stranded;
            uint256 minted = minter.currentMintedTokens() - mintedBefore;
            ghostMinted += minted;
            ghostMintedThisRound += minted;
            ghostTreasuryPaid += token.balanceOf(treasury) - treasuryBefore;
            _countReward(t, round);
            return;
        }
    }

    /// @dev Tries a second reward in a round a transcoder already rewarded: it must revert.
    function rewardAgain(uint256 transcoderSeed) external observe {
        address t = transcoderAt(transcoderSeed);
        uint256 round = roundsManager.currentRound();
        if (ghostRewardCount[t][round] == 0) return;
        vm.prank(t);
        try bm.reward() {
            ghostDoubleRewards++;
            _countReward(t, round);
        } catch {}
    }

    /// @dev The TicketBroker deposits the face value into the Minter and credits an active transcoder.
    function payFees(uint256 transcoderSeed, uint256 fees) external observe {
        address t = transcoderAt(transcoderSeed);
        if (!bm.isRegisteredTranscoder(t) || !bm.isActiveTranscoder(t)) return;
        fees = bound(fees, 1, MAX_FEES);

        uint256 round = roundsManager.currentRound();
        vm.deal(ticketBroker, fees);
        vm.startPrank(ticketBroker);
        minter.depositETH{value: fees}();
        bm.updateTranscoderWithFees(t, fees, round);
        vm.stopPrank();
        ghostEthIn += fees;
        ghostFeePayments++;
    }

    /* CLOCK */

    /// @dev Moves 1-3 rounds ahead (skipped rounds are never initialized) to a random block of the
    /// new round, lock window included, and initializes it.
    function advanceRound(uint256 skip, uint256 offset) external observe {
        uint256 length = roundsManager.roundLength();
        skip = bound(skip, 1, 3);
        offset = bound(offset, 0, length - 1);
        vm.roll(roundsManager.currentRoundStartBlock() + length * skip + offset);
        roundsManager.initializeRound();
        ghostRounds++;
        ghostSkippedRounds += skip - 1;
        ghostMintedThisRound = 0;
    }

    /* INTERNAL */

    function _canReward(address t, uint256 round) internal view returns (bool) {
        // A transcoder that resigned this round is still active until the round ends; it is left out
        // (see the test contract's notes).
        return bm.isRegisteredTranscoder(t) && bm.isActiveTranscoder(t) && ghostRewardCount[t][round] == 0;
    }

    /// @dev Before an action claims `actor`'s earnings: a claim in the round before the delegate's
    /// reward forfeits the round's reward on the actor's whole stake.
    function _noteClaim(address actor) internal {
        (,, address delegate,,, uint256 lastClaimRound,) = bm.getDelegator(actor);
        uint256 round = roundsManager.currentRound();
        if (delegate == address(0) || lastClaimRound >= round || !bm.isActiveTranscoder(delegate)) return;
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(delegate);
        if (lastRewardRound == round) return;
        ghostForfeitedStake[delegate][round] += bm.pendingStake(actor, 0);
    }

    function _countReward(address t, uint256 round) internal {
        uint256 count = ++ghostRewardCount[t][round];
        if (count > ghostMaxRewardCount) ghostMaxRewardCount = count;
        ghostRewards++;
    }

    /// @dev The bond after the claim an action makes first. A transcoder's own commission from this round
    /// shows in pendingStake but is only folded in by the next round's claim (as in the reference).
    function _claimableStake(address actor) internal view returns (uint256) {
        (uint256 bonded,,,,, uint256 lastClaimRound,) = bm.getDelegator(actor);
        return lastClaimRound < roundsManager.currentRound() ? bm.pendingStake(actor, 0) : bonded;
    }

    function _claimableFees(address actor) internal view returns (uint256) {
        (, uint256 fees,,,, uint256 lastClaimRound,) = bm.getDelegator(actor);
        return lastClaimRound < roundsManager.currentRound() ? bm.pendingFees(actor, 0) : fees;
    }

    /// @dev First valid lock of `actor` from a seeded start id; `matured` also requires it withdrawable.
    function _findLock(address actor, uint256 seed, bool matured) internal view returns (bool, uint256) {
        (,,,,,, uint256 nextId) = bm.getDelegator(actor);
        if (nextId == 0) return (false, 0);
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < nextId; i++) {
            uint256 id = (seed % nextId + i) % nextId;
            (, uint256 withdrawRound) = bm.getDelegatorUnbondingLock(actor, id);
            if (withdrawRound == 0) continue;
            if (matured && withdrawRound > round) continue;
            return (true, id);
        }
        return (false, 0);
    }

    /// @dev Records the CRF at lastRewardRound and the CFF at lastFeeRound; counts any decrease.
    function _observeFactors() internal {
        for (uint256 i; i < NUM_TRANSCODERS; i++) {
            address t = actors[i];
            (uint256 lastRewardRound,,,,,,,,, uint256 lastFeeRound) = bm.getTranscoder(t);
            (,,, uint256 crf,) = bm.getTranscoderEarningsPoolForRound(t, lastRewardRound);
            (,,,, uint256 cff) = bm.getTranscoderEarningsPoolForRound(t, lastFeeRound);
            if (crf < ghostLastCrf[t] || cff < ghostLastCff[t]) ghostFactorDecreases++;
            ghostLastCrf[t] = crf;
            ghostLastCff[t] = cff;
        }
    }
}
