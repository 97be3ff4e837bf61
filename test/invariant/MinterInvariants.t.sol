// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../BaseTest.sol";
import {MinterHandler} from "./MinterHandler.sol";

/// @notice LPT and ETH are conserved across every Minter operation.
contract MinterInvariantsTest is BaseTest {
    MinterHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new MinterHandler(token, minter, roundsManager, bondingManager, ticketBroker, owner);
        vm.prank(owner);
        token.approve(address(handler), type(uint256).max);
        roundsManager.initializeRound();
        targetContract(address(handler));
    }

    function invariant_lptCustodyConserved() public view {
        assertEq(
            token.balanceOf(address(minter)),
            handler.ghostFundedIn() + handler.ghostMinted() - handler.ghostTransferredOut() - handler.ghostBurned(),
            "Minter LPT = in + minted - out - burned"
        );
    }

    function invariant_lptSupplyConserved() public view {
        assertEq(
            token.totalSupply(),
            GENESIS_SUPPLY + handler.ghostMinted() - handler.ghostBurned(),
            "supply = genesis + minted - burned"
        );
        uint256 held = token.balanceOf(owner) + token.balanceOf(address(minter));
        for (uint256 i; i < handler.actorCount(); i++) {
            held += token.balanceOf(handler.actors(i));
        }
        assertEq(held, token.totalSupply(), "every LPT is held by someone we know");
    }

    function invariant_ethConserved() public view {
        assertEq(address(minter).balance, handler.ghostEthIn() - handler.ghostEthOut(), "Minter ETH = in - out");
    }

    function invariant_mintedWithinMintable() public view {
        assertLe(minter.currentMintedTokens(), minter.currentMintableTokens(), "minted <= mintable");
    }
}
