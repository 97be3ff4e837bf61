// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../BrokerTest.sol";
import {ProtocolHandler} from "./ProtocolHandler.sol";

/// @notice The whole protocol (real BondingManager, TicketBroker, RoundsManager, Minter) with 3
/// orchestrators and 4 delegators, driven by ProtocolHandler.
abstract contract ProtocolInvariantsBase is BrokerTest {
    uint256 internal constant DELEGATOR_FUNDS = 1_000_000 ether;

    ProtocolHandler internal handler;
    address[] internal orchestrators;
    address[] internal delegators;

    function setUp() public virtual override {
        super.setUp(); // `orchestrator` active
        orchestrators.push(orchestrator);
        for (uint256 i = 2; i <= 3; i++) {
            address o = makeAddr(string.concat("protocolOrchestrator", vm.toString(i)));
            _registerTranscoder(o, 500 ether * i, 200_000, 400_000);
            orchestrators.push(o);
        }
        for (uint256 i = 1; i <= 4; i++) {
            address d = makeAddr(string.concat("protocolDelegator", vm.toString(i)));
            _fund(d, DELEGATOR_FUNDS);
            delegators.push(d);
        }
        _nextRound();
        handler =
            new ProtocolHandler(controller, token, minter, roundsManager, bm, broker, owner, orchestrators, delegators);
        _target();
    }

    /// @dev What the campaign calls: the handler's `_selectors()`.
    function _target() internal virtual {
        targetContract(address(handler));
        bytes4[] memory selectors = _selectors();
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _selectors() internal pure virtual returns (bytes4[] memory);

    function _userSelectors(uint256 extra) internal pure returns (bytes4[] memory s) {
        s = new bytes4[](7 + extra);
        s[0] = ProtocolHandler.bond.selector;
        s[1] = ProtocolHandler.unbond.selector;
        s[2] = ProtocolHandler.reward.selector;
        s[3] = ProtocolHandler.fund.selector;
        s[4] = ProtocolHandler.redeem.selector;
        s[5] = ProtocolHandler.withdrawFees.selector;
        s[6] = ProtocolHandler.advanceRound.selector;
    }

    /* SHARED CHECKS */

    /// @notice The Minter's LPT covers every pending stake (delegators and orchestrators) and unbonding lock.
    function _checkLptCustodyCoversStake() internal view {
        uint256 owed;
        for (uint256 i; i < orchestrators.length; i++) {
            owed += bm.pendingStake(orchestrators[i], 0);
        }
        for (uint256 i; i < delegators.length; i++) {
            owed += bm.pendingStake(delegators[i], 0);
            (,,,,,, uint256 nextId) = bm.getDelegator(delegators[i]);
            for (uint256 id; id < nextId; id++) {
                (uint256 amount,) = bm.getDelegatorUnbondingLock(delegators[i], id);
                owed += amount;
            }
        }
        assertGe(token.balanceOf(address(minter)), owed, "LptCustodyCoversStake: Minter LPT >= stakes + locks");
    }

    /// @notice The Minter's ETH is what was funded minus what was withdrawn, and covers every deposit,
    /// reserve and pending fee.
    function _checkEthCustodyCoversDepositsAndFees() internal view {
        uint256 balance = address(minter).balance;
        assertEq(
            balance, handler.ghostEthIn() - handler.ghostEthOut(), "EthCustodyCoversDepositsAndFees: ETH = in - out"
        );
        (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) =
            broker.getSenderInfo(handler.broadcaster());
        uint256 owed = sender.deposit + reserve.fundsRemaining;
        for (uint256 i; i < orchestrators.length; i++) {
            owed += bm.pendingFees(orchestrators[i], 0);
        }
        assertGe(balance, owed, "EthCustodyCoversDepositsAndFees: ETH >= deposits + reserves + fees");
    }
}

/// @notice The whole-protocol campaign: bonding, rewards, tickets and rounds mixed.
contract WholeProtocolInvariantsTest is ProtocolInvariantsBase {
    function _selectors() internal pure override returns (bytes4[] memory) {
        return _userSelectors(0);
    }

    /// forge-config: default.fuzz.seed = "0x401"
    /// forge-config: deep.fuzz.seed = "0x401"
    function invariant_lptCustodyCoversStake() public view {
        _checkLptCustodyCoversStake();
    }

    /// forge-config: default.fuzz.seed = "0x402"
    /// forge-config: deep.fuzz.seed = "0x402"
    function invariant_ethCustodyCoversDepositsAndFees() public view {
        _checkEthCustodyCoversDepositsAndFees();
    }

    /// forge-config: default.fuzz.seed = "0x403"
    /// forge-config: deep.fuzz.seed = "0x403"
    function invariant_supplyIsGenesisPlusMinted() public view {
        assertEq(
            token.totalSupply(),
            GENESIS_SUPPLY + handler.ghostMinted(),
            "SupplyIsGenesisPlusMinted: supply = genesis + rewards minted"
        );
    }

    /// forge-config: default.fuzz.seed = "0x404"
    /// forge-config: deep.fuzz.seed = "0x404"
    function invariant_poolIsSortedAndSummed() public view {
        uint256 sum;
        uint256 size;
        uint256 previous = type(uint256).max;
        for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
            uint256 stake = bm.transcoderTotalStake(t);
            assertLe(stake, previous, "PoolSortedAndSummed: sorted descending");
            previous = stake;
            sum += stake;
            size++;
        }
        assertEq(size, bm.getTranscoderPoolSize(), "PoolSortedAndSummed: size = walked length");
        assertEq(bm.nextRoundTotalActiveStake(), sum, "PoolSortedAndSummed: next round total = pool sum");
    }

    /// forge-config: default.fuzz.seed = "0x405"
    /// forge-config: deep.fuzz.seed = "0x405"
    function invariant_mintedWithinMintable() public view {
        assertLe(
            minter.currentMintedTokens(), minter.currentMintableTokens(), "MintedWithinMintable: minted <= mintable"
        );
    }

    /// forge-config: default.fuzz.seed = "0x406"
    /// forge-config: deep.fuzz.seed = "0x406"
    function invariant_noTicketRedeemedTwice() public view {
        assertEq(handler.ghostReplaySuccesses(), 0, "NoTicketRedeemedTwice: a replay succeeded");
        uint256 n = handler.redeemedCount();
        if (n != 0) {
            assertTrue(broker.usedTickets(handler.redeemedHashes(n - 1)), "NoTicketRedeemedTwice: marked used");
        }
    }

    /// @notice The round's active stake (what rewards are shared over) is fixed when the round starts.
    /// forge-config: default.fuzz.seed = "0x407"
    /// forge-config: deep.fuzz.seed = "0x407"
    function invariant_roundActiveStakeFixedWithinRound() public view {
        assertEq(
            bm.currentRoundTotalActiveStake(),
            handler.ghostCurrentRoundActiveStake(),
            "RoundActiveStakeFixedWithinRound: = value at initialization"
        );
    }

    /// @notice The handler's actions succeed from the setUp state.
    function test_handler_makesProgress() public {
        handler.bond(0, 1, 100 ether);
        handler.fund(1 ether, 1 ether);
        handler.redeem(0, 0.5 ether);
        handler.reward(1);
        handler.advanceRound(1);
        handler.unbond(0, 10 ether);
        handler.withdrawFees(0);
        assertEq(handler.ghostActions(), 7, "every action succeeded");
        assertEq(handler.redeemedCount(), 1, "one ticket");
        invariant_supplyIsGenesisPlusMinted();
        invariant_lptCustodyCoversStake();
        invariant_ethCustodyCoversDepositsAndFees();
        invariant_poolIsSortedAndSummed();
        invariant_mintedWithinMintable();
        invariant_noTicketRedeemedTwice();
        invariant_roundActiveStakeFixedWithinRound();
    }
}

/// @notice The upgrade/pause campaign: the same users, plus the owner pausing, unpausing and upgrading
/// the proxies (V1 <-> V2, same storage) and an attacker trying admin calls and re-initializations.
contract UpgradePauseInvariantsTest is ProtocolInvariantsBase {
    function _selectors() internal pure override returns (bytes4[] memory s) {
        s = _userSelectors(5);
        s[7] = ProtocolHandler.pause.selector;
        s[8] = ProtocolHandler.unpause.selector;
        s[9] = ProtocolHandler.upgrade.selector;
        s[10] = ProtocolHandler.attackerAdmin.selector;
        s[11] = ProtocolHandler.reinitialize.selector;
    }

    /// forge-config: default.fuzz.seed = "0x501"
    /// forge-config: deep.fuzz.seed = "0x501"
    function invariant_lptCustodyCoversStake() public view {
        _checkLptCustodyCoversStake();
    }

    /// forge-config: default.fuzz.seed = "0x502"
    /// forge-config: deep.fuzz.seed = "0x502"
    function invariant_ethCustodyCoversDepositsAndFees() public view {
        _checkEthCustodyCoversDepositsAndFees();
    }

    /// forge-config: default.fuzz.seed = "0x503"
    /// forge-config: deep.fuzz.seed = "0x503"
    function invariant_pauseFollowsTheOwner() public view {
        assertEq(controller.paused(), handler.ghostPaused(), "PauseFollowsOwner: paused = owner's last call");
    }

    /// forge-config: default.fuzz.seed = "0x504"
    /// forge-config: deep.fuzz.seed = "0x504"
    function invariant_nothingSucceedsWhilePaused() public view {
        assertEq(handler.ghostPausedSuccesses(), 0, "NothingSucceedsWhilePaused: a user call succeeded");
        assertEq(handler.ghostPausedWrongErrors(), 0, "NothingSucceedsWhilePaused: reverted, not SystemPaused");
    }

    /// forge-config: default.fuzz.seed = "0x505"
    /// forge-config: deep.fuzz.seed = "0x505"
    function invariant_onlyTheOwnerAdministers() public view {
        assertEq(handler.ghostUnauthorizedSuccesses(), 0, "OnlyOwnerAdministers: attacker upgraded or paused");
    }

    /// forge-config: default.fuzz.seed = "0x506"
    /// forge-config: deep.fuzz.seed = "0x506"
    function invariant_noReinitialization() public view {
        assertEq(handler.ghostReinitSuccesses(), 0, "NoReinitialization: an initializer ran again");
    }

    /// forge-config: default.fuzz.seed = "0x507"
    /// forge-config: deep.fuzz.seed = "0x507"
    function invariant_stateSurvivesUpgrades() public view {
        assertEq(handler.ghostUpgradeMismatches(), 0, "StateSurvivesUpgrades: state moved across an upgrade");
    }

    /// forge-config: default.fuzz.seed = "0x508"
    /// forge-config: deep.fuzz.seed = "0x508"
    function invariant_implementationsAreTheOwnersChoice() public view {
        for (uint256 p; p < 3; p++) {
            assertEq(
                handler.implementationOf(p),
                handler.ghostImplementation(p),
                "ImplementationsAreOwnersChoice: implementation = owner's last upgrade"
            );
        }
    }

    /// @notice Pause, user calls while paused, upgrades both ways, attacker admin calls, re-initializations.
    function test_handler_makesProgress() public {
        handler.bond(0, 1, 100 ether);
        handler.pause();
        handler.bond(1, 1, 100 ether);
        handler.fund(1 ether, 0);
        handler.advanceRound(1);
        handler.upgrade(0, true);
        handler.upgrade(1, true);
        handler.upgrade(2, true);
        handler.unpause();
        handler.advanceRound(1);
        handler.upgrade(0, false);
        for (uint8 a; a < 3; a++) {
            handler.attackerAdmin(a, a);
        }
        handler.reinitialize(0, false, true);
        handler.reinitialize(1, true, false);
        handler.reinitialize(2, false, false);
        assertEq(handler.ghostActions(), 2, "bond and round while running");
        assertEq(handler.ghostUpgrades(), 4, "upgrades");
        invariant_pauseFollowsTheOwner();
        invariant_nothingSucceedsWhilePaused();
        invariant_onlyTheOwnerAdministers();
        invariant_noReinitialization();
        invariant_stateSurvivesUpgrades();
        invariant_implementationsAreTheOwnersChoice();
        invariant_lptCustodyCoversStake();
        invariant_ethCustodyCoversDepositsAndFees();
    }
}
