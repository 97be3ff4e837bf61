// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../BaseTest.sol";
import {MinterHandler} from "./MinterHandler.sol";

/// @notice The rounds + inflation campaign: the round clock, round initialization and the Minter's
/// inflation step, with LPT and ETH conserved across every Minter operation.
contract MinterInvariantsTest is BaseTest {
    MinterHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new MinterHandler(token, minter, roundsManager, bondingManager, ticketBroker, owner);
        vm.prank(owner);
        token.approve(address(handler), type(uint256).max);
        roundsManager.initializeRound();
        handler.noteInitialized();
        targetContract(address(handler));
        excludeSelector(FuzzSelector({addr: address(handler), selectors: _one(MinterHandler.noteInitialized.selector)}));
    }

    /* INVARIANTS */

    /// @notice The rounds + inflation campaign (10 invariants), each `_check<Name>` checked after every
    /// call of every run.
    function invariant_roundsAndInflation() public view {
        _checkLptCustodyConserved();
        _checkLptSupplyConserved();
        _checkEthConserved();
        _checkMintedWithinMintable();
        _checkMintedThisRoundMatchesRewards();
        _checkInflationFollowsBondingRate();
        _checkMintableIsSupplyTimesInflation();
        _checkRoundClock();
        _checkCurrentRoundInitialized();
        _checkFutureRoundsHaveNoBlockHash();
    }

    function _checkLptCustodyConserved() internal view {
        assertEq(
            token.balanceOf(address(minter)),
            handler.ghostFundedIn() + handler.ghostMinted() - handler.ghostTransferredOut() - handler.ghostBurned(),
            "LptCustodyConserved: Minter LPT = in + minted - out - burned"
        );
    }

    function _checkLptSupplyConserved() internal view {
        assertEq(
            token.totalSupply(),
            GENESIS_SUPPLY + handler.ghostMinted() - handler.ghostBurned(),
            "LptSupplyConserved: supply = genesis + minted - burned"
        );
        uint256 held = token.balanceOf(owner) + token.balanceOf(address(minter));
        for (uint256 i; i < handler.actorCount(); i++) {
            held += token.balanceOf(handler.actors(i));
        }
        assertEq(held, token.totalSupply(), "LptSupplyConserved: every LPT is held by someone we know");
    }

    function _checkEthConserved() internal view {
        assertEq(
            address(minter).balance, handler.ghostEthIn() - handler.ghostEthOut(), "EthConserved: Minter ETH = in - out"
        );
    }

    function _checkMintedWithinMintable() internal view {
        assertLe(
            minter.currentMintedTokens(), minter.currentMintableTokens(), "MintedWithinMintable: minted <= mintable"
        );
    }

    /// @notice The round's minted counter is exactly the rewards created since the round's initialization.
    function _checkMintedThisRoundMatchesRewards() internal view {
        assertEq(
            minter.currentMintedTokens(),
            handler.ghostMintedThisRound(),
            "MintedThisRoundMatchesRewards: minted = rewards this round"
        );
    }

    /// @notice Each initialized round moves inflation one step toward the target bonding rate (floor 0).
    function _checkInflationFollowsBondingRate() internal view {
        assertEq(minter.inflation(), handler.ghostExpectedInflation(), "InflationFollowsBondingRate: inflation step");
    }

    /// @notice The round's mintable is the supply at initialization times the new inflation.
    function _checkMintableIsSupplyTimesInflation() internal view {
        assertEq(
            minter.currentMintableTokens(),
            handler.ghostExpectedMintable(),
            "MintableIsSupplyTimesInflation: mintable = supply * inflation"
        );
    }

    /// @notice The round length never changes here, and the clock is anchored at genesis: round = block / length.
    function _checkRoundClock() internal view {
        assertEq(roundsManager.currentRound(), block.number / ROUND_LENGTH, "RoundClock: round = block / length");
        assertEq(
            roundsManager.currentRoundStartBlock(),
            roundsManager.currentRound() * ROUND_LENGTH,
            "RoundClock: start block = round * length"
        );
    }

    /// @notice The handler initializes every round it moves to: the last initialized round is the current one.
    function _checkCurrentRoundInitialized() internal view {
        assertEq(
            roundsManager.lastInitializedRound(),
            handler.ghostLastInitializedRound(),
            "CurrentRoundInitialized: last initialized = ghost"
        );
        assertEq(
            roundsManager.lastInitializedRound(), roundsManager.currentRound(), "CurrentRoundInitialized: = current"
        );
        assertTrue(roundsManager.currentRoundInitialized(), "CurrentRoundInitialized: flag");
    }

    function _checkFutureRoundsHaveNoBlockHash() internal view {
        uint256 round = roundsManager.currentRound();
        assertEq(roundsManager.blockHashForRound(round + 1), bytes32(0), "FutureRoundsHaveNoBlockHash: next round");
        assertEq(roundsManager.blockHashForRound(round + 1000), bytes32(0), "FutureRoundsHaveNoBlockHash: far round");
    }

    function _one(bytes4 selector) internal pure returns (bytes4[] memory selectors) {
        selectors = new bytes4[](1);
        selectors[0] = selector;
    }
}
