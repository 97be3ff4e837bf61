// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../BaseTest.sol";
import {MinterHandler} from "./MinterHandler.sol";

/// @notice The rounds + inflation invariants: the round clock, round initialization and the Minter's
/// inflation step, with LPT and ETH conserved across every Minter operation. One `invariant_` function
/// per property, each its own campaign over the same handler with its own fuzz seed.
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

    /* INVARIANTS: one `invariant_` function per property, each its own campaign with its own seed (foundry.toml) */

    /// forge-config: default.fuzz.seed = "0x201"
    /// forge-config: deep.fuzz.seed = "0x201"
    function invariant_custodyLptIsFundedPlusMintedLessOut() public view {
        assertEq(
            token.balanceOf(address(minter)),
            handler.ghostFundedIn() + handler.ghostMinted() - handler.ghostTransferredOut() - handler.ghostBurned(),
            "LptCustodyConserved: Minter LPT = in + minted - out - burned"
        );
    }

    /// @notice The supply moves only by mints and burns, and every LPT is held by someone we know.
    /// forge-config: default.fuzz.seed = "0x202"
    /// forge-config: deep.fuzz.seed = "0x202"
    function invariant_supplyIsGenesisPlusMintedLessBurned() public view {
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

    /// forge-config: default.fuzz.seed = "0x203"
    /// forge-config: deep.fuzz.seed = "0x203"
    function invariant_custodyEthIsInLessOut() public view {
        assertEq(
            address(minter).balance, handler.ghostEthIn() - handler.ghostEthOut(), "EthConserved: Minter ETH = in - out"
        );
    }

    /// forge-config: default.fuzz.seed = "0x204"
    /// forge-config: deep.fuzz.seed = "0x204"
    function invariant_mintedWithinMintable() public view {
        assertLe(
            minter.currentMintedTokens(), minter.currentMintableTokens(), "MintedWithinMintable: minted <= mintable"
        );
    }

    /// @notice The round's minted counter is exactly the rewards created since the round's initialization.
    /// forge-config: default.fuzz.seed = "0x205"
    /// forge-config: deep.fuzz.seed = "0x205"
    function invariant_mintedThisRoundIsTheRoundsRewards() public view {
        assertEq(
            minter.currentMintedTokens(),
            handler.ghostMintedThisRound(),
            "MintedThisRoundMatchesRewards: minted = rewards this round"
        );
    }

    /// @notice Each initialized round moves inflation one step toward the target bonding rate (floor 0).
    /// forge-config: default.fuzz.seed = "0x206"
    /// forge-config: deep.fuzz.seed = "0x206"
    function invariant_inflationStepsTowardTheTargetBondingRate() public view {
        assertEq(minter.inflation(), handler.ghostExpectedInflation(), "InflationFollowsBondingRate: inflation step");
    }

    /// @notice The round's mintable is the supply at initialization times the new inflation.
    /// forge-config: default.fuzz.seed = "0x207"
    /// forge-config: deep.fuzz.seed = "0x207"
    function invariant_mintableIsSupplyTimesInflation() public view {
        assertEq(
            minter.currentMintableTokens(),
            handler.ghostExpectedMintable(),
            "MintableIsSupplyTimesInflation: mintable = supply * inflation"
        );
    }

    /// @notice The round length never changes here, and the clock is anchored at genesis: round = block / length.
    /// forge-config: default.fuzz.seed = "0x208"
    /// forge-config: deep.fuzz.seed = "0x208"
    function invariant_roundIsBlockOverLength() public view {
        assertEq(roundsManager.currentRound(), block.number / ROUND_LENGTH, "RoundClock: round = block / length");
        assertEq(
            roundsManager.currentRoundStartBlock(),
            roundsManager.currentRound() * ROUND_LENGTH,
            "RoundClock: start block = round * length"
        );
    }

    /// @notice The handler initializes every round it moves to: the last initialized round is the current one.
    /// forge-config: default.fuzz.seed = "0x209"
    /// forge-config: deep.fuzz.seed = "0x209"
    function invariant_currentRoundIsInitialized() public view {
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

    /// forge-config: default.fuzz.seed = "0x20a"
    /// forge-config: deep.fuzz.seed = "0x20a"
    function invariant_futureRoundsHaveNoBlockHash() public view {
        uint256 round = roundsManager.currentRound();
        assertEq(roundsManager.blockHashForRound(round + 1), bytes32(0), "FutureRoundsHaveNoBlockHash: next round");
        assertEq(roundsManager.blockHashForRound(round + 1000), bytes32(0), "FutureRoundsHaveNoBlockHash: far round");
    }

    function _one(bytes4 selector) internal pure returns (bytes4[] memory selectors) {
        selectors = new bytes4[](1);
        selectors[0] = selector;
    }
}
