// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerRedeemWinningTicketTest is BrokerUnitTest {
    uint256 internal constant RAND = 42;

    function _expectRedeemRevert(ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand, bytes memory err)
        internal
    {
        vm.expectRevert(err);
        _redeemWith(ticket, sig, rand);
    }

    /// @dev A pool of 4 (slice 1 ether of a 4 ether reserve), a 0.1 ether deposit and a 1.5 ether ticket
    /// created this round: 1.1 ether available, short of its face value.
    function _underfundedTicket() internal returns (ITicketBroker.Ticket memory) {
        _registerMany(3, 1000 ether);
        _nextRound();
        _fundBroadcaster(0.1 ether, 4 ether);
        return _ticket(orchestrator, 1.5 ether, WIN_ALWAYS, 1, RAND);
    }

    /* SUCCESS */

    function test_redeemWinningTicket_paysFromDeposit() public {
        _fundBroadcaster(1 ether, 1 ether);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.3 ether, WIN_ALWAYS, 1, RAND);

        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.3 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketRedeemed(
            broadcaster, orchestrator, 0.3 ether, WIN_ALWAYS, 1, RAND, ticket.auxData
        );
        _redeem(ticket, RAND);

        assertTrue(_used(ticket), "ticket used");
        assertEq(_deposit(broadcaster), 0.7 ether, "deposit debited");
        assertEq(_reserve(broadcaster), 1 ether, "reserve untouched");
        assertEq(broker.claimedReserve(broadcaster, orchestrator), 0, "nothing claimed");
        assertEq(address(minter).balance, 2 ether, "ETH stays with the Minter");
    }

    function test_redeemWinningTicket_anyoneMaySubmit() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.3 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, ticket);
        vm.prank(alice);
        broker.redeemWinningTicket(ticket, sig, RAND);
        assertEq(_deposit(broadcaster), 0.7 ether, "paid to the recipient, not the submitter");
    }

    function test_redeemWinningTicket_feesReachOrchestratorNextRound() public {
        _fundBroadcaster(1 ether, 0);
        _redeem(_ticket(orchestrator, 0.3 ether, WIN_ALWAYS, 1, RAND), RAND);
        _nextRound();
        // The orchestrator is its own only delegator, so commission + delegator share = all of it.
        assertEq(_pendingFees(orchestrator), 0.3 ether, "pending fees");
        vm.prank(orchestrator);
        bm.withdrawFees(payable(orchestrator), 0.3 ether);
        assertEq(orchestrator.balance, 0.3 ether, "paid out by the BondingManager");
        assertEq(address(minter).balance, 0.7 ether, "deposit left with the Minter");
    }

    function test_redeemWinningTicket_validForOneRoundAfterCreation() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _nextRound(); // creationRound + 1 < creationRound + ticketValidityPeriod
        _redeem(ticket, RAND);
        assertTrue(_used(ticket), "redeemed one round later");
    }

    function test_redeemWinningTicket_paysShortfallFromReserveSlice() public {
        address[] memory others = _registerMany(3, 1000 ether);
        _nextRound(); // pool: orchestrator + 3 others
        assertEq(bm.getTranscoderPoolSize(), 4, "pool size");
        _fundBroadcaster(0.5 ether, 4 ether);
        // slice = (4 ether remaining + 0 claimed) / 4 - 0 = 1 ether
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 1 ether, "claimable before");

        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 1.2 ether, WIN_ALWAYS, 1, RAND);
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveClaimed(broadcaster, orchestrator, 0.7 ether);
        vm.expectEmit(address(broker));
        // 0.5 deposit + 0.7 of the 1 ether slice: the full face value
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 1.2 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketRedeemed(
            broadcaster, orchestrator, 1.2 ether, WIN_ALWAYS, 1, RAND, ticket.auxData
        );
        _redeem(ticket, RAND);

        assertEq(_deposit(broadcaster), 0, "deposit emptied");
        ITicketBroker.ReserveInfo memory info = broker.getReserveInfo(broadcaster);
        assertEq(info.fundsRemaining, 3.3 ether, "reserve 4 - 0.7");
        assertEq(info.claimedInCurrentRound, 0.7 ether, "claimed this round");
        assertEq(broker.claimedReserve(broadcaster, orchestrator), 0.7 ether, "claimed by orchestrator");
        // (3.3 + 0.7) / 4 - 0.7 = 0.3
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 0.3 ether, "orchestrator's slice left");
        // (3.3 + 0.7) / 4 - 0 = 1
        assertEq(broker.claimableReserve(broadcaster, others[0]), 1 ether, "others keep their slice");
        assertEq(broker.claimedReserve(broadcaster, others[0]), 0, "others claimed nothing");

        _nextRound(); // fees credited in the redemption round show from the next
        assertEq(_pendingFees(orchestrator), 1.2 ether, "fees = face value");
        // new round: (3.3 + 0) / 4 - 0
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 0.825 ether, "new slice next round");
        assertEq(broker.claimedReserve(broadcaster, orchestrator), 0, "claims are per round");
    }

    function test_redeemWinningTicket_revertsIfDepositAndSliceBelowFaceValue() public {
        ITicketBroker.Ticket memory t = _underfundedTicket();
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(
                ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, 1.5 ether, 1.1 ether
            )
        );
        assertFalse(_used(t), "ticket stays unused");
        assertEq(_deposit(broadcaster), 0.1 ether, "deposit untouched");
        assertEq(_reserve(broadcaster), 4 ether, "reserve untouched");
        assertEq(broker.claimedReserve(broadcaster, orchestrator), 0, "nothing claimed");
    }

    function test_redeemWinningTicket_deferredTicketPaysInFullAfterTopUp() public {
        ITicketBroker.Ticket memory t = _underfundedTicket();
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectPartialRevert(ITicketBroker.InsufficientFunds.selector);
        _redeemWith(t, sig, RAND);

        vm.deal(broadcaster, 0.4 ether);
        vm.prank(broadcaster);
        broker.fundDeposit{value: 0.4 ether}();
        _redeemWith(t, sig, RAND);
        assertTrue(_used(t), "paid once topped up");
        assertEq(_deposit(broadcaster), 0, "deposit 0.5 used");
        assertEq(_reserve(broadcaster), 3 ether, "shortfall 1 from the slice");
        _nextRound();
        assertEq(_pendingFees(orchestrator), 1.5 ether, "the full face value");
    }

    function test_redeemWinningTicket_paysWhatIsClaimableInLastRound() public {
        ITicketBroker.Ticket memory t = _underfundedTicket();
        bytes memory sig = _sign(broadcasterKey, t);
        _nextRound(); // creationRound + 1: the ticket's last round (validity period 2)
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveClaimed(broadcaster, orchestrator, 1 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 1.1 ether);
        _redeemWith(t, sig, RAND);
        assertTrue(_used(t), "settled in its last round");
        assertEq(_deposit(broadcaster), 0, "deposit emptied");
        assertEq(_reserve(broadcaster), 3 ether, "the whole slice");
    }

    function test_redeemWinningTicket_partialSliceClaims() public {
        _registerMany(1, 1000 ether);
        _nextRound(); // pool of 2
        _fundBroadcaster(0, 2 ether);
        // slice = 2 / 2 = 1; first ticket takes 0.4
        _redeem(_ticket(orchestrator, 0.4 ether, WIN_ALWAYS, 1, RAND), RAND);
        assertEq(broker.claimedReserve(broadcaster, orchestrator), 0.4 ether, "claimed 0.4");
        // (1.6 + 0.4) / 2 - 0.4 = 0.6
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 0.6 ether, "claimable 0.6");
        // a second ticket of 1 ether exceeds the 0.6 left: deferred
        ITicketBroker.Ticket memory big = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 2, RAND);
        _expectRedeemRevert(
            big,
            _sign(broadcasterKey, big),
            RAND,
            abi.encodeWithSelector(
                ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, 1 ether, 0.6 ether
            )
        );
        // one of exactly 0.6 takes the rest of the slice
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveClaimed(broadcaster, orchestrator, 0.6 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.6 ether);
        _redeem(_ticket(orchestrator, 0.6 ether, WIN_ALWAYS, 3, RAND), RAND);
        assertEq(_reserve(broadcaster), 1 ether, "2 - 0.4 - 0.6");
    }

    function test_redeemWinningTicket_paysFaceValueExactlyFromDepositAndReserve() public {
        _fundBroadcaster(0.5 ether, 1 ether); // pool of 1: the slice is the whole reserve
        _redeem(_ticket(orchestrator, 0.8 ether, WIN_ALWAYS, 1, RAND), RAND);
        assertEq(_deposit(broadcaster), 0, "deposit used first");
        assertEq(_reserve(broadcaster), 0.7 ether, "shortfall 0.3 from reserve");
    }

    /* VALIDITY, in the order the contract checks */

    function test_redeemWinningTicket_checksInOrder() public {
        _fundBroadcaster(1 ether, 0);
        uint256 oldRound = roundsManager.currentRound();
        bytes32 oldHash = roundsManager.blockHashForRound(oldRound);
        uint256 round = _nextRound();
        round = _nextRound();
        bytes32 recorded = roundsManager.blockHashForRound(round);

        // Everything wrong at once; fixing one field at a time exposes the next rule.
        ITicketBroker.Ticket memory t = ITicketBroker.Ticket({
            recipient: address(0),
            sender: address(0),
            faceValue: 0.1 ether,
            winProb: 0,
            senderNonce: 1,
            recipientRandHash: keccak256(abi.encodePacked(RAND)),
            auxData: ""
        });
        bytes memory badSig = new bytes(65);
        uint256 wrongRand = RAND + 1;

        _expectRedeemRevert(t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.ZeroRecipient.selector));
        t.recipient = orchestrator;
        _expectRedeemRevert(t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.ZeroSender.selector));
        t.sender = broadcaster;
        _expectRedeemRevert(
            t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, 0)
        );
        t.auxData = abi.encode(round + 5, recorded);
        _expectRedeemRevert(
            t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.UnknownCreationRound.selector, round + 5)
        );
        t.auxData = abi.encode(round, bytes32(uint256(1)));
        _expectRedeemRevert(
            t,
            badSig,
            wrongRand,
            abi.encodeWithSelector(
                ITicketBroker.CreationRoundBlockHashMismatch.selector, round, recorded, bytes32(uint256(1))
            )
        );
        t.auxData = abi.encode(oldRound, oldHash);
        _expectRedeemRevert(
            t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.TicketExpired.selector, oldRound, round)
        );
        t.auxData = abi.encode(round, recorded);
        _expectRedeemRevert(t, badSig, wrongRand, abi.encodeWithSelector(ITicketBroker.RecipientRandMismatch.selector));
        _expectRedeemRevert(t, badSig, RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
        bytes memory sig = _sign(broadcasterKey, t);
        _expectRedeemRevert(t, sig, RAND, abi.encodeWithSelector(ITicketBroker.TicketDidNotWin.selector));
        t.winProb = WIN_ALWAYS;
        sig = _sign(broadcasterKey, t);
        _redeemWith(t, sig, RAND);
        assertTrue(_used(t), "valid once every rule holds");
        _expectRedeemRevert(
            t, sig, RAND, abi.encodeWithSelector(ITicketBroker.TicketUsed.selector, broker.getTicketHash(t))
        );
    }

    function test_redeemWinningTicket_revertsIfZeroRecipient() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(address(0), 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.ZeroRecipient.selector)
        );
    }

    function test_redeemWinningTicket_revertsIfZeroSender() public {
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.sender = address(0);
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.ZeroSender.selector)
        );
    }

    function test_redeemWinningTicket_revertsIfAuxDataEmpty() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = "";
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, 0)
        );
    }

    function test_redeemWinningTicket_revertsIfAuxData32Bytes() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = abi.encode(roundsManager.currentRound());
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, 32)
        );
    }

    function test_redeemWinningTicket_revertsIfAuxData96Bytes() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = bytes.concat(t.auxData, bytes32(0)); // a valid 64-byte prefix plus 32 bytes
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, 96)
        );
    }

    function test_redeemWinningTicket_revertsIfUnknownCreationRound() public {
        _fundBroadcaster(1 ether, 0);
        uint256 round = roundsManager.currentRound();
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = abi.encode(round + 1, bytes32(uint256(0xbeef))); // a future round has no block hash
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(ITicketBroker.UnknownCreationRound.selector, round + 1)
        );
    }

    function test_redeemWinningTicket_revertsIfCreationRoundBlockHashMismatch() public {
        _fundBroadcaster(1 ether, 0);
        uint256 round = roundsManager.currentRound();
        bytes32 recorded = roundsManager.blockHashForRound(round);
        bytes32 given = keccak256("not the block hash");
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = abi.encode(round, given);
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(ITicketBroker.CreationRoundBlockHashMismatch.selector, round, recorded, given)
        );
    }

    function test_redeemWinningTicket_revertsIfTicketExpired() public {
        _fundBroadcaster(1 ether, 0);
        uint256 creationRound = roundsManager.currentRound();
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        _nextRound();
        uint256 round = _nextRound(); // creationRound + 2 <= round
        assertEq(round, creationRound + TICKET_VALIDITY_PERIOD, "boundary round");
        _expectRedeemRevert(
            t, sig, RAND, abi.encodeWithSelector(ITicketBroker.TicketExpired.selector, creationRound, round)
        );
    }

    function test_redeemWinningTicket_revertsIfRecipientRandMismatch() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND + 1, abi.encodeWithSelector(ITicketBroker.RecipientRandMismatch.selector)
        );
    }

    function test_redeemWinningTicket_revertsIfTicketUsed() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _redeem(t, RAND);
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(ITicketBroker.TicketUsed.selector, broker.getTicketHash(t))
        );
        assertEq(_deposit(broadcaster), 0.9 ether, "paid once");
    }

    function test_redeemWinningTicket_revertsIfSignedByAnotherKey() public {
        _fundBroadcaster(1 ether, 0);
        (, uint256 otherKey) = makeAddrAndKey("other");
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t, _sign(otherKey, t), RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector)
        );
    }

    function test_redeemWinningTicket_revertsIfSignature64Bytes() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory compact = _compact(_sign(broadcasterKey, t));
        assertEq(compact.length, 64, "EIP-2098 length");
        _expectRedeemRevert(t, compact, RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
    }

    function test_redeemWinningTicket_revertsIfSignatureHighS() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory high = _highS(_sign(broadcasterKey, t));
        (bytes32 r, bytes32 s, uint8 v) = _split(high);
        assertEq(ecrecover(_digest(t), v, r, s), broadcaster, "plain ecrecover accepts the high-s twin");
        _expectRedeemRevert(t, high, RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
    }

    function test_redeemWinningTicket_revertsIfSignatureWrongLength() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory longSig = bytes.concat(_sign(broadcasterKey, t), bytes1(0));
        _expectRedeemRevert(t, longSig, RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
        _expectRedeemRevert(t, "", RAND, abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
    }

    function test_redeemWinningTicket_revertsIfTicketDidNotWin() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, 0, 1, RAND);
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.TicketDidNotWin.selector)
        );
        assertFalse(_used(t), "losing ticket not marked");
    }

    /* SENDER STATE */

    function test_redeemWinningTicket_duringUnlockPeriod() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        _nextRound(); // withdrawRound = start + 2: still locked
        _redeem(_ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND), RAND);
        assertEq(_deposit(broadcaster), 0.9 ether, "paid during the unlock period");
    }

    function test_redeemWinningTicket_revertsIfSenderUnlocked() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        _nextRound();
        _nextRound(); // current == withdrawRound
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(ITicketBroker.SenderUnlocked.selector, broadcaster)
        );
    }

    function test_redeemWinningTicket_revertsIfNoFunds() public {
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t, _sign(broadcasterKey, t), RAND, abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster)
        );
    }

    function test_redeemWinningTicket_revertsIfNothingToPaySliceExhausted() public {
        _registerMany(1, 1000 ether);
        _nextRound(); // pool of 2
        _fundBroadcaster(0, 1 ether);
        _redeem(_ticket(orchestrator, 0.5 ether, WIN_ALWAYS, 1, RAND), RAND); // the whole slice: 1 / 2
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 2, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        ITicketBroker.Ticket memory big = _ticket(orchestrator, 0.5 ether, WIN_ALWAYS, 3, RAND);
        bytes memory bigSig = _sign(broadcasterKey, big);
        // before its last round a ticket that cannot be paid in full is deferred, even with nothing available
        _expectRedeemRevert(
            t,
            sig,
            RAND,
            abi.encodeWithSelector(ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, 0.1 ether, 0)
        );
        assertFalse(_used(t), "left unused for a later round");

        _nextRound(); // the last round of both tickets; a new slice of 0.5 / 2
        _redeemWith(big, bigSig, RAND); // pays the 0.25 slice: its last round
        assertEq(_reserve(broadcaster), 0.25 ether, "slice taken");
        _expectRedeemRevert(
            t, sig, RAND, abi.encodeWithSelector(ITicketBroker.NothingToPay.selector, broadcaster, orchestrator)
        );
        assertFalse(_used(t), "a ticket that pays nothing stays unused");
    }

    function test_redeemWinningTicket_revertsIfNothingAvailableNonActiveRecipient() public {
        address newcomer = makeAddr("newcomer");
        _registerTranscoder(newcomer, 1000 ether, 100_000, 500_000); // active only from next round
        _fundBroadcaster(0, 1 ether);
        assertEq(broker.claimableReserve(broadcaster, newcomer), 0, "non-active claims nothing");
        ITicketBroker.Ticket memory t = _ticket(newcomer, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(ITicketBroker.InsufficientFunds.selector, broadcaster, newcomer, 0.1 ether, 0)
        );
        assertFalse(_used(t), "ticket stays unused");
    }

    function test_redeemWinningTicket_revertsIfRecipientNotActive() public {
        address newcomer = makeAddr("newcomer");
        _registerTranscoder(newcomer, 1000 ether, 100_000, 500_000); // registered, not yet active
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(newcomer, 0.1 ether, WIN_ALWAYS, 1, RAND);
        _expectRedeemRevert(
            t,
            _sign(broadcasterKey, t),
            RAND,
            abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, newcomer)
        );
        assertFalse(_used(t), "ticket stays unused");
        assertEq(_deposit(broadcaster), 1 ether, "deposit untouched");
        _nextRound();
        _redeem(t, RAND);
        assertEq(_deposit(broadcaster), 0.9 ether, "redeemable once active");
    }

    /* ROUND AND PAUSE */

    function test_redeemWinningTicket_revertsIfRoundNotInitialized() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
        uint256 round = roundsManager.currentRound();
        _expectRedeemRevert(t, sig, RAND, abi.encodeWithSelector(ITicketBroker.RoundNotInitialized.selector, round));
    }

    function test_redeemWinningTicket_revertsIfPaused() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        _pause();
        _expectRedeemRevert(t, sig, RAND, abi.encodeWithSelector(IManager.SystemPaused.selector));
    }
}
