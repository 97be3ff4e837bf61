// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract WithdrawFeesTest is DelegatorTest {
    // Fees of 1 ETH to t1 (feeShare 50%) over a pool of 2000 LPT (t1 1000 + alice 1000):
    // delegatorsFees = 0.5 ETH; CFF = 1e27 * (0.5e18 * 1e27 / 2000e18) / 1e27 = 2.5e23;
    // alice: 1000e18 * 2.5e23 / 1e27 = 0.25 ETH; t1: 0.25 ETH through the factor + 0.5 ETH commission.
    uint256 internal constant ALICE_FEES = 0.25 ether;
    uint256 internal constant T1_FEES = 0.75 ether;

    address internal recipient = makeAddr("recipient");
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 0, 500_000);
        _bond(alice, 1000 ether, t1);
        _nextRound();
        _payFees(t1, 1 ether);
        round = _nextRound();
    }

    function test_withdrawFees_paysRecipientThroughMinter() public {
        assertEq(_pendingFees(alice), ALICE_FEES, "pending fees");
        assertEq(address(minter).balance, 1 ether, "the Minter holds the fees");

        vm.expectEmit(address(bm));
        emit IBondingManager.WithdrawFees(alice, recipient, ALICE_FEES);
        vm.prank(alice);
        bm.withdrawFees(payable(recipient), ALICE_FEES);

        assertEq(recipient.balance, ALICE_FEES, "recipient paid");
        assertEq(alice.balance, 0, "alice not paid herself");
        assertEq(address(minter).balance, 1 ether - ALICE_FEES, "paid out of the Minter");
        DelegatorView memory d = _del(alice);
        assertEq(d.fees, 0, "fees spent");
        assertEq(d.lastClaimRound, round, "claimed first");
        assertEq(d.bondedAmount, 1000 ether, "stake untouched");
        assertEq(_pendingFees(alice), 0, "nothing pending");
    }

    /// @dev Finding #165 (livepeer/protocol#624): with a treasury cut on the rewards, the fees of
    /// rewarded rounds must stay withdrawable in full by everyone, never more than was paid in.
    function testFuzz_regression_feesWithdrawableUnderTreasuryCut(uint256 fees, uint256 rounds) public {
        rounds = bound(rounds, 1, 6);
        uint256 paid;
        for (uint256 r; r < rounds; r++) {
            _reward(t1);
            uint256 f = bound(uint256(keccak256(abi.encode(fees, r))), 1, 10 ether);
            _payFees(t1, f);
            paid += f;
            _nextRound();
        }
        assertGt(token.balanceOf(treasury), 0, "the treasury took its cut");
        uint256 withdrawn;
        address[2] memory who = [alice, t1];
        for (uint256 i; i < 2; i++) {
            uint256 pending = _pendingFees(who[i]);
            vm.prank(who[i]);
            bm.withdrawFees(payable(recipient), pending);
            withdrawn += pending;
            assertEq(_pendingFees(who[i]), 0, "everything withdrawn");
        }
        // setUp paid 1 ETH before the loop.
        assertLe(withdrawn, paid + 1 ether, "never more than was paid");
        assertLe(paid + 1 ether - withdrawn, 4, "rounding dust only");
    }

    function test_withdrawFees_partial() public {
        vm.startPrank(alice);
        bm.withdrawFees(payable(recipient), 0.1 ether);
        assertEq(_del(alice).fees, ALICE_FEES - 0.1 ether, "0.25 - 0.1 left");
        bm.withdrawFees(payable(alice), 0.15 ether);
        vm.stopPrank();
        assertEq(_del(alice).fees, 0, "all spent");
        assertEq(recipient.balance, 0.1 ether, "first withdrawal");
        assertEq(alice.balance, 0.15 ether, "second withdrawal");
        assertEq(address(minter).balance, 1 ether - ALICE_FEES, "Minter paid 0.25 in total");
    }

    function test_withdrawFees_transcoderGetsCommissionAndShare() public {
        assertEq(_pendingFees(t1), T1_FEES, "t1 pending");
        vm.prank(t1);
        bm.withdrawFees(payable(t1), T1_FEES);
        assertEq(t1.balance, T1_FEES, "t1 paid");
        assertEq(_pendingFees(t1), 0, "nothing left for t1");
        assertEq(address(minter).balance, ALICE_FEES, "only alice's share left in the Minter");
    }

    function test_withdrawFees_zeroAmountOnlyClaims() public {
        vm.prank(alice);
        bm.withdrawFees(payable(recipient), 0);
        assertEq(_del(alice).fees, ALICE_FEES, "claimed into fees");
        assertEq(recipient.balance, 0, "nothing paid");
    }

    /* REVERTS */

    function test_withdrawFees_revertsIfInsufficientFees() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InsufficientFees.selector, ALICE_FEES + 1, ALICE_FEES));
        vm.prank(alice);
        bm.withdrawFees(payable(recipient), ALICE_FEES + 1);
    }

    function test_withdrawFees_revertsIfNoFees() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InsufficientFees.selector, 1, 0));
        vm.prank(bob);
        bm.withdrawFees(payable(bob), 1);
    }

    function test_withdrawFees_revertsIfRecipientIsZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        vm.prank(alice);
        bm.withdrawFees(payable(address(0)), ALICE_FEES);
    }

    function test_withdrawFees_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.withdrawFees(payable(recipient), ALICE_FEES);
    }

    function test_withdrawFees_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.withdrawFees(payable(recipient), ALICE_FEES);
    }
}
