// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {BondingManagerMock} from "../mocks/BondingManagerMock.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Bounded random use of the Minter by its trusted callers, with ghost sums of every LPT and
/// ETH movement in and out of custody.
contract MinterHandler is Test {
    LivepeerToken internal immutable token;
    Minter internal immutable minter;
    RoundsManager internal immutable roundsManager;
    BondingManagerMock internal immutable bondingManager;
    address internal immutable ticketBroker;
    address internal immutable funder;

    address[] public actors;

    uint256 public ghostFundedIn;
    uint256 public ghostMinted;
    uint256 public ghostTransferredOut;
    uint256 public ghostBurned;
    uint256 public ghostEthIn;
    uint256 public ghostEthOut;
    uint256 public ghostRounds;
    uint256 public ghostMintedThisRound;
    /// @dev What the last initializeRound must have set (the Minter's inflation step, recomputed here).
    uint256 public ghostExpectedInflation;
    uint256 public ghostExpectedMintable;
    uint256 public ghostLastInitializedRound;

    constructor(
        LivepeerToken token_,
        Minter minter_,
        RoundsManager roundsManager_,
        BondingManagerMock bondingManager_,
        address ticketBroker_,
        address funder_
    ) {
        token = token_;
        minter = minter_;
        roundsManager = roundsManager_;
        bondingManager = bondingManager_;
        ticketBroker = ticketBroker_;
        funder = funder_;
        actors.push(makeAddr("delegator1"));
        actors.push(makeAddr("delegator2"));
        actors.push(makeAddr("delegator3"));
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    /// @dev A delegator bonds: LPT moves from the funder into custody.
    function fund(uint256 amount) external {
        amount = bound(amount, 0, token.balanceOf(funder));
        vm.prank(funder);
        token.transfer(address(minter), amount);
        ghostFundedIn += amount;
    }

    function createReward(uint256 num, uint256 den) external {
        den = bound(den, 1, 1e30);
        uint256 remaining = minter.currentMintableTokens() - minter.currentMintedTokens();
        uint256 mintable = minter.currentMintableTokens();
        num = bound(num, 0, den);
        // Keep the request inside the round's budget; the cap itself is fuzzed elsewhere.
        if (mintable * (num * 1e9 / den) / 1e9 > remaining) return;
        vm.prank(address(bondingManager));
        uint256 minted = minter.createReward(num, den);
        ghostMinted += minted;
        ghostMintedThisRound += minted;
    }

    function transferOut(uint256 actorSeed, uint256 amount) external {
        amount = bound(amount, 0, token.balanceOf(address(minter)));
        vm.prank(address(bondingManager));
        minter.trustedTransferTokens(actors[actorSeed % actors.length], amount);
        ghostTransferredOut += amount;
    }

    function burn(uint256 amount) external {
        amount = bound(amount, 0, token.balanceOf(address(minter)));
        vm.prank(address(bondingManager));
        minter.trustedBurnTokens(amount);
        ghostBurned += amount;
    }

    function depositEth(uint256 amount) external {
        amount = bound(amount, 0, 1000 ether);
        vm.deal(ticketBroker, amount);
        vm.prank(ticketBroker);
        minter.depositETH{value: amount}();
        ghostEthIn += amount;
    }

    function withdrawEth(uint256 actorSeed, uint256 amount, bool viaBroker) external {
        amount = bound(amount, 0, address(minter).balance);
        vm.prank(viaBroker ? ticketBroker : address(bondingManager));
        minter.trustedWithdrawETH(payable(actors[actorSeed % actors.length]), amount);
        ghostEthOut += amount;
    }

    /// @dev Moves 1-3 rounds ahead (skipped rounds stay uninitialized) with a new active stake, and
    /// recomputes the inflation step the Minter must take.
    function nextRound(uint256 stake, uint256 skip) external {
        stake = bound(stake, 0, token.totalSupply());
        bondingManager.setNextRoundTotalActiveStake(stake);
        uint256 length = roundsManager.roundLength();
        vm.roll(roundsManager.currentRoundStartBlock() + length * bound(skip, 1, 3));

        uint256 supply = token.totalSupply();
        uint256 rate = supply == 0 ? 0 : stake * 1e9 / supply;
        uint256 inflation = minter.inflation();
        uint256 change = minter.inflationChange();
        if (rate < minter.targetBondingRate()) inflation += change;
        else if (rate > minter.targetBondingRate()) inflation = inflation > change ? inflation - change : 0;
        ghostExpectedInflation = inflation;
        ghostExpectedMintable = supply * inflation / 1e9;

        roundsManager.initializeRound();
        ghostLastInitializedRound = roundsManager.currentRound();
        ghostMintedThisRound = 0;
        ghostRounds++;
    }

    /// @dev Records what setUp's initializeRound set.
    function noteInitialized() external {
        ghostExpectedInflation = minter.inflation();
        ghostExpectedMintable = minter.currentMintableTokens();
        ghostLastInitializedRound = roundsManager.currentRound();
    }
}
