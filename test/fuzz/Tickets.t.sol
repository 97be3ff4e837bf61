// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../BrokerTest.sol";

/// @notice Fuzzed ticket hashing, exact redemption amounts for any deposit/reserve/face value, the win
/// rule against the contract, and the win rule's statistics over many signed tickets.
contract TicketsFuzzTest is BrokerTest {
    /// @dev A second active orchestrator: the reserve is split in slices of 1/2.
    address internal orchestrator2 = makeAddr("orchestrator2");

    uint256 internal constant MAX_FUNDS = 1000 ether;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(orchestrator2, 500 ether, 100_000, 500_000);
        _nextRound(); // both active, pool size 2
        vm.deal(broadcaster, 2 * MAX_FUNDS);
    }

    /* HASH */

    function testFuzz_getTicketHash_isPackedKeccak(
        address recipient,
        address sender,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        bytes32 recipientRandHash,
        bytes memory auxData
    ) public view {
        if (auxData.length > 256) {
            assembly ("memory-safe") {
                mstore(auxData, 256) // bound the length: truncate in place
            }
        }
        ITicketBroker.Ticket memory ticket =
            ITicketBroker.Ticket(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData);
        bytes32 expected =
            keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData));
        assertEq(broker.getTicketHash(ticket), expected, "hash = keccak256(abi.encodePacked(fields))");
    }

    /* AMOUNTS */

    /// @notice A winning ticket pays its face value when deposit + claimable reserve covers it and otherwise
    /// reverts InsufficientFunds, unused, except in its last round, where it pays deposit + claimable. The
    /// claimable reserve is the recipient's slice (remaining + claimed this round) / 2 minus what it already
    /// took, after an optional earlier ticket of the round to the other orchestrator or to itself.
    function testFuzz_redeemWinningTicket_paysFaceValueOrReverts(
        uint256 deposit,
        uint256 reserve,
        uint256 faceValue,
        uint256 earlierFaceValue,
        uint8 earlierTo,
        bool lastRound
    ) public {
        Model memory m;
        m.deposit = bound(deposit, 0, MAX_FUNDS);
        m.reserve = bound(reserve, 0, MAX_FUNDS);
        faceValue = bound(faceValue, 1, 3 * MAX_FUNDS);
        earlierFaceValue = bound(earlierFaceValue, 1, 3 * MAX_FUNDS);
        if (m.deposit == 0 && m.reserve == 0) m.reserve = 1; // NoFunds is a unit test elsewhere
        address earlierRecipient = earlierTo % 3 == 1 ? orchestrator : orchestrator2;
        ITicketBroker.Ticket memory earlier = _ticket(earlierRecipient, earlierFaceValue, WIN_ALWAYS, 1, 7);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, faceValue, WIN_ALWAYS, 2, 8);
        if (lastRound) _nextRound(); // both tickets were created in the previous round: this is their last
        _fundBroadcaster(m.deposit, m.reserve);
        if (earlierTo % 3 != 0) _redeemModelled(m, earlier, 7, lastRound);

        uint256 slice = (m.reserve + m.claimedRound) / 2;
        uint256 claimable = slice > m.claimedByO1 ? slice - m.claimedByO1 : 0;
        assertEq(broker.claimableReserve(broadcaster, orchestrator), claimable, "claimable = slice - claimed");
        (uint256 expected, uint256 available) = _expectedPay(m, faceValue, m.claimedByO1, lastRound);
        assertEq(available, m.deposit + claimable, "available = deposit + claimable");
        if (!lastRound && expected != 0) assertEq(expected, faceValue, "before its last round: face value or nothing");

        uint256 minterBefore = address(minter).balance;
        _redeemModelled(m, ticket, 8, lastRound);
        (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory info) = broker.getSenderInfo(broadcaster);
        assertEq(sender.deposit, m.deposit, "deposit debited first, untouched if unpaid");
        assertEq(info.fundsRemaining, m.reserve, "reserve debited for the shortfall, untouched if unpaid");
        assertEq(broker.usedTickets(broker.getTicketHash(ticket)), expected != 0, "used iff paid");
        assertEq(address(minter).balance, minterBefore, "redemption moves no ETH");
    }

    /// @notice The contract's win decision is exactly the rule keccak256(sig ‖ recipientRand) < winProb.
    function testFuzz_redeemWinningTicket_winsIffRule(uint256 winProb, uint256 recipientRand, uint256 nonce) public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.1 ether, winProb, nonce, recipientRand);
        bytes memory sig = _sign(broadcasterKey, ticket);
        bool wins = uint256(keccak256(abi.encodePacked(sig, recipientRand))) < winProb;
        if (!wins) vm.expectRevert(ITicketBroker.TicketDidNotWin.selector);
        vm.prank(orchestrator);
        broker.redeemWinningTicket(ticket, sig, recipientRand);
        assertEq(broker.usedTickets(broker.getTicketHash(ticket)), wins, "used iff won");
    }

    /* STATISTICS */

    /// @notice Over N = 2000 tickets signed by one key with pseudo-random recipientRand (keccak chain,
    /// so the test is deterministic), the share of winners under winProb = p * 2^256 is within 4
    /// standard deviations of p, for p = 1/2 and p = 1/10. Binomial: sd = sqrt(N p (1 - p)), i.e.
    /// 22.4 (4 sd = 89 of the expected 1000) and 13.4 (4 sd = 54 of the expected 200).
    function test_winRule_statisticsMatchWinProb() public {
        _checkWinRate(1, 2, 2000, 1);
        _checkWinRate(1, 10, 2000, 2);
    }

    /// @dev p = num/den; the ticket carries winProb = floor((2^256 - 1) * num / den) ~ p * 2^256.
    function _checkWinRate(uint256 num, uint256 den, uint256 n, uint256 seed) internal {
        uint256 winProb = type(uint256).max / den * num;
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 1 ether, winProb, 0, 0);
        uint256 wins;
        bytes32 state = keccak256(abi.encode("tickets", seed));
        for (uint256 i; i < n; i++) {
            state = keccak256(abi.encode(state));
            uint256 recipientRand = uint256(state);
            ticket.senderNonce = i;
            ticket.recipientRandHash = keccak256(abi.encodePacked(recipientRand));
            bytes32 digest =
                keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", broker.getTicketHash(ticket)));
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(broadcasterKey, digest);
            if (uint256(keccak256(abi.encodePacked(r, s, v, recipientRand))) < winProb) wins++;
        }
        // |wins - n num/den| <= 4 sd  <=>  (wins den - n num)^2 <= 16 n num (den - num)
        int256 diff = int256(wins * den) - int256(n * num);
        emit log_named_uint("winners", wins);
        assertLe(uint256(diff * diff), 16 * n * num * (den - num), "winners within 4 standard deviations of n p");
    }

    /* HELPERS */

    /// @dev The sender's account and the reserve claims of the round, as the test expects them.
    struct Model {
        uint256 deposit;
        uint256 reserve;
        uint256 claimedRound;
        uint256 claimedByO1;
    }

    /// @dev Redeems `ticket` (to either orchestrator) expecting the model's outcome, and applies it.
    function _redeemModelled(Model memory m, ITicketBroker.Ticket memory ticket, uint256 rand, bool lastRound)
        internal
    {
        uint256 claimedBy = ticket.recipient == orchestrator ? m.claimedByO1 : m.claimedRound - m.claimedByO1;
        (uint256 paid, uint256 available) = _expectedPay(m, ticket.faceValue, claimedBy, lastRound);
        bytes memory sig = _sign(broadcasterKey, ticket);
        if (paid == 0) {
            vm.expectRevert(_unpaidError(m, ticket, available, lastRound));
            broker.redeemWinningTicket(ticket, sig, rand);
            return;
        }
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, ticket.recipient, paid);
        broker.redeemWinningTicket(ticket, sig, rand);
        if (paid <= m.deposit) {
            m.deposit -= paid;
            return;
        }
        uint256 fromReserve = paid - m.deposit;
        (m.deposit, m.reserve, m.claimedRound) = (0, m.reserve - fromReserve, m.claimedRound + fromReserve);
        if (ticket.recipient == orchestrator) m.claimedByO1 += fromReserve;
    }

    /// @dev What a ticket of `faceValue` to a recipient that took `claimedBy` this round pays (pool of 2; 0:
    /// it reverts), and what is available to it: the deposit plus its claimable slice.
    function _expectedPay(Model memory m, uint256 faceValue, uint256 claimedBy, bool lastRound)
        internal
        pure
        returns (uint256 paid, uint256 available)
    {
        uint256 slice = (m.reserve + m.claimedRound) / 2;
        available = m.deposit + (slice > claimedBy ? slice - claimedBy : 0);
        if (available >= faceValue) return (faceValue, available);
        return (lastRound ? available : 0, available);
    }

    /// @dev The error the contract names for a ticket the model says is unpaid.
    function _unpaidError(Model memory m, ITicketBroker.Ticket memory ticket, uint256 available, bool lastRound)
        internal
        view
        returns (bytes memory)
    {
        // An emptied account fails the funds check before the slice is looked at.
        if (m.deposit == 0 && m.reserve == 0) {
            return abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster);
        }
        if (lastRound) {
            return abi.encodeWithSelector(ITicketBroker.NothingToPay.selector, broadcaster, ticket.recipient);
        }
        return abi.encodeWithSelector(
            ITicketBroker.InsufficientFunds.selector, broadcaster, ticket.recipient, ticket.faceValue, available
        );
    }
}
