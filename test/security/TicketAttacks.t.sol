// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "../unit/TicketBroker/BrokerUnitTest.sol";

/// @dev A broadcaster contract whose receive() tries to withdraw again.
contract ReentrantSender {
    TicketBroker internal immutable broker;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;

    constructor(TicketBroker broker_) {
        broker = broker_;
    }

    function fund(uint256 deposit, uint256 reserve) external payable {
        broker.fundDepositAndReserve{value: msg.value}(deposit, reserve);
    }

    function unlock() external {
        broker.unlock();
    }

    function withdraw() external {
        broker.withdraw();
    }

    receive() external payable {
        if (reentryAttempts == 0) {
            reentryAttempts++;
            try broker.withdraw() {
                reentrySucceeded = true;
            } catch {}
        }
    }
}

/// @dev A self-delegated transcoder contract whose receive() tries to withdraw its fees again.
contract ReentrantTranscoder {
    BondingManager internal immutable bm;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;
    uint256 internal amount;

    constructor(BondingManager bm_) {
        bm = bm_;
    }

    function withdrawFees(uint256 amount_) external {
        amount = amount_;
        bm.withdrawFees(payable(address(this)), amount_);
    }

    receive() external payable {
        if (reentryAttempts == 0) {
            reentryAttempts++;
            try bm.withdrawFees(payable(address(this)), amount) {
                reentrySucceeded = true;
            } catch {}
        }
    }
}

/// @notice Each test is one attack on the TicketBroker and shows that it fails.
contract TicketAttacksTest is BrokerUnitTest {
    uint256 internal constant RAND = 0xC0FFEE;

    /* SIGNATURES */

    /// The compact (EIP-2098) form of a valid signature is a second, different byte string for the same
    /// ticket: accepting it would give the recipient a second lottery draw keccak256(sig64 ‖ rand).
    function test_attack_eip2098SignatureGivesNoSecondDraw() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        bytes memory compact = _compact(sig);
        // The compact form does encode a valid signature by the sender.
        (bytes32 r, bytes32 vs) = abi.decode(compact, (bytes32, bytes32));
        bytes32 s = vs & bytes32(uint256(type(uint256).max >> 1));
        uint8 v = uint8((uint256(vs) >> 255) + 27);
        assertEq(ecrecover(_digest(t), v, r, s), broadcaster, "compact form is a real signature");
        assertTrue(
            keccak256(abi.encodePacked(compact, RAND)) != keccak256(abi.encodePacked(sig, RAND)), "a different draw"
        );

        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
        _redeemWith(t, compact, RAND);
        assertFalse(_used(t), "not redeemed");
        assertEq(_deposit(broadcaster), 1 ether, "nothing paid");
    }

    function test_attack_highSMalleatedSignatureRejected() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        bytes memory high = _highS(sig);
        (bytes32 r, bytes32 s, uint8 v) = _split(high);
        assertEq(ecrecover(_digest(t), v, r, s), broadcaster, "malleated signature recovers");

        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
        _redeemWith(t, high, RAND);
        assertEq(_deposit(broadcaster), 1 ether, "nothing paid");
    }

    function test_attack_signatureByNonSenderRejected() public {
        _fundBroadcaster(1 ether, 0);
        (, uint256 attackerKey) = makeAddrAndKey("attackerKey");
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.5 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(attackerKey, t);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector));
        _redeemWith(t, sig, RAND);
        assertEq(_deposit(broadcaster), 1 ether, "nothing paid");
    }

    /* TICKET VALIDITY */

    function test_attack_replayOfUsedTicket() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        _redeemWith(t, sig, RAND);
        bytes32 h = broker.getTicketHash(t);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.TicketUsed.selector, h));
        _redeemWith(t, sig, RAND);
        // Also in the next round (still valid by age) and through a batch.
        _nextRound();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.TicketUsed.selector, h));
        _redeemWith(t, sig, RAND);
        ITicketBroker.Ticket[] memory ts = new ITicketBroker.Ticket[](1);
        bytes[] memory sigs = new bytes[](1);
        uint256[] memory rands = new uint256[](1);
        (ts[0], sigs[0], rands[0]) = (t, sig, RAND);
        broker.batchRedeemWinningTickets(ts, sigs, rands);
        assertEq(_deposit(broadcaster), 0.9 ether, "paid exactly once");
    }

    function test_attack_wrongBlockHashInAuxData() public {
        _fundBroadcaster(1 ether, 0);
        uint256 round = roundsManager.currentRound();
        bytes32 recorded = roundsManager.blockHashForRound(round);
        bytes32 forged = keccak256("grinding a favourable hash");
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        t.auxData = abi.encode(round, forged);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectRevert(
            abi.encodeWithSelector(ITicketBroker.CreationRoundBlockHashMismatch.selector, round, recorded, forged)
        );
        _redeemWith(t, sig, RAND);
    }

    function test_attack_expiredTicket() public {
        _fundBroadcaster(1 ether, 0);
        uint256 creationRound = roundsManager.currentRound();
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        for (uint256 i; i < 5; i++) {
            _nextRound();
        }
        uint256 round = roundsManager.currentRound();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.TicketExpired.selector, creationRound, round));
        _redeemWith(t, sig, RAND);
    }

    function test_attack_wrongRecipientRand() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.RecipientRandMismatch.selector));
        _redeemWith(t, sig, RAND + 1);
    }

    /* FUNDING AND EXIT */

    function test_attack_thirdPartyFundingCannotCancelUnlock() public {
        _fundBroadcaster(1 ether, 1 ether);
        vm.prank(broadcaster);
        broker.unlock();
        vm.deal(attacker, 1 ether);
        _nextRound();
        // Griefing attempt: a dust top-up in the last round before the withdraw.
        vm.prank(attacker);
        broker.fundDepositAndReserveFor{value: 1}(broadcaster, 1, 0);
        assertTrue(broker.isUnlockInProgress(broadcaster), "unlock survives");
        _nextRound();
        uint256 before = broadcaster.balance;
        vm.prank(broadcaster);
        broker.withdraw();
        assertEq(broadcaster.balance, before + 2 ether + 1, "withdrew on schedule, dust included");
    }

    function test_attack_withdrawnSenderCannotBePaidFrom() public {
        _fundBroadcaster(1 ether, 1 ether);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.5 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.prank(broadcaster);
        broker.unlock();
        _nextRound();
        _nextRound();
        // After the unlock period, before withdrawing: a fresh ticket cannot be paid.
        ITicketBroker.Ticket memory fresh = _ticket(orchestrator, 0.5 ether, WIN_ALWAYS, 2, RAND);
        bytes memory freshSig = _sign(broadcasterKey, fresh);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.SenderUnlocked.selector, broadcaster));
        _redeemWith(fresh, freshSig, RAND);
        vm.prank(broadcaster);
        broker.withdraw();
        // After withdrawing: nothing left to pay from, and the Minter holds nothing for the sender.
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster));
        _redeemWith(fresh, freshSig, RAND);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITicketBroker.TicketExpired.selector, roundsManager.currentRound() - 2, roundsManager.currentRound()
            )
        );
        _redeemWith(t, sig, RAND);
        assertEq(address(minter).balance, 0, "no ETH left to take");
    }

    /* NO BURN FOR DUST */

    function test_attack_unpayableTicketRevertsAndStaysUnused() public {
        _registerMany(3, 1000 ether);
        _nextRound(); // pool of 4
        _fundBroadcaster(0, 3); // 3 wei of reserve: slice 3 / 4 = 0
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectRevert(
            abi.encodeWithSelector(ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, 1 ether, 0)
        );
        _redeemWith(t, sig, RAND);
        assertFalse(_used(t), "not burned");
        // Once the sender tops up, the same ticket pays.
        _fundBroadcaster(1 ether, 0);
        _redeemWith(t, sig, RAND);
        assertTrue(_used(t), "redeemed later");
        assertEq(_deposit(broadcaster), 0, "face value paid from the deposit");
    }

    /// Whatever an attacker adds to the sender's deposit and reserve just before a redemption, as long as it
    /// stays below the ticket's shortfall, the ticket reverts unused and the sender keeps every wei; once the
    /// sender covers the shortfall the same ticket pays its face value.
    function testFuzz_attack_frontRunBelowShortfallCannotBurnTicket(
        uint256 deposit,
        uint256 reserve,
        uint256 faceValue,
        uint256 extraTranscoders,
        uint256 frontRun,
        uint256 toReserve
    ) public {
        extraTranscoders = bound(extraTranscoders, 0, 3);
        _registerMany(extraTranscoders, 1000 ether);
        _nextRound();
        uint256 poolSize = extraTranscoders + 1;
        deposit = bound(deposit, 0, 10 ether);
        reserve = bound(reserve, deposit == 0 ? 1 : 0, 10 ether);
        uint256 available = deposit + reserve / poolSize; // nothing claimed yet this round
        faceValue = bound(faceValue, available + 1, 25 ether);
        // The attacker's top-up, split between deposit and reserve; what it adds to the slice stays short.
        frontRun = bound(frontRun, 1, faceValue - available);
        toReserve = bound(toReserve, 0, frontRun);
        vm.deal(broadcaster, deposit + reserve);
        _fundBroadcaster(deposit, reserve);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, faceValue, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);

        vm.deal(attacker, frontRun);
        vm.prank(attacker);
        broker.fundDepositAndReserveFor{value: frontRun}(broadcaster, frontRun - toReserve, toReserve);
        uint256 availableNow = deposit + frontRun - toReserve + (reserve + toReserve) / poolSize;
        vm.assume(availableNow < faceValue); // the slice rounds down: a top-up below the shortfall stays below
        vm.expectRevert(
            abi.encodeWithSelector(
                ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, faceValue, availableNow
            )
        );
        _redeemWith(t, sig, RAND);
        assertFalse(_used(t), "not burned");
        assertEq(_deposit(broadcaster), deposit + frontRun - toReserve, "deposit kept, top-up included");
        assertEq(_reserve(broadcaster), reserve + toReserve, "reserve kept, top-up included");

        vm.deal(broadcaster, faceValue);
        _fundBroadcaster(faceValue, 0);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, faceValue);
        _redeemWith(t, sig, RAND);
        assertTrue(_used(t), "paid in full once covered");
        assertEq(address(minter).balance, deposit + reserve + frontRun + faceValue, "redemption moves no ETH");
    }

    /* SYBIL RECIPIENTS */

    function test_attack_sybilRecipientsCannotExceedSlice() public {
        // The attacker fills the active set with 9 Sybils next to the honest orchestrator.
        address[] memory sybils = _registerMany(NUM_ACTIVE_TRANSCODERS - 1, 1000 ether);
        // An 11th Sybil with less stake does not fit: registered but never active.
        address outsider = makeAddr("outsider");
        _registerTranscoder(outsider, 1 ether, 100_000, 500_000);
        _nextRound();
        assertEq(bm.getTranscoderPoolSize(), NUM_ACTIVE_TRANSCODERS, "pool full");
        assertFalse(bm.isActiveTranscoder(outsider), "outsider not active");

        _fundBroadcaster(0, 10 ether); // slice = 10 / 10 = 1 ether
        uint256 nonce;
        for (uint256 i; i < sybils.length; i++) {
            // Each Sybil asks for the whole reserve, then for its slice, then for more.
            _expectInsufficient(_ticket(sybils[i], 10 ether, WIN_ALWAYS, ++nonce, RAND), 1 ether);
            _redeem(_ticket(sybils[i], 1 ether, WIN_ALWAYS, ++nonce, RAND), RAND);
            _expectInsufficient(_ticket(sybils[i], 1, WIN_ALWAYS, ++nonce, RAND), 0);
            assertEq(broker.claimedReserve(broadcaster, sybils[i]), 1 ether, "one slice per Sybil");
        }
        assertEq(_reserve(broadcaster), 1 ether, "the honest orchestrator's slice is intact");
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 1 ether, "orchestrator can still claim");

        assertEq(broker.claimableReserve(broadcaster, outsider), 0, "non-active claims nothing");
        _expectInsufficient(_ticket(outsider, 1 ether, WIN_ALWAYS, ++nonce, RAND), 0);

        _redeem(_ticket(orchestrator, 1 ether, WIN_ALWAYS, ++nonce, RAND), RAND);
        assertEq(_reserve(broadcaster), 0, "orchestrator took its slice");
    }

    function _expectInsufficient(ITicketBroker.Ticket memory t, uint256 available) internal {
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITicketBroker.InsufficientFunds.selector, broadcaster, t.recipient, t.faceValue, available
            )
        );
        _redeemWith(t, sig, RAND);
        assertFalse(_used(t), "deferred, not burned");
    }

    /// Sybils that resign mid-round leave the pool at once yet stay active until the round ends, so the
    /// pool size the slice divides by shrinks while they can still claim: one Sybil then takes more than
    /// the slice every active transcoder had at the start of the round, and the coalition takes the honest
    /// orchestrator's slice too. Spec: the slice divides by the active pool size of the round.
    function test_attack_sybilResignationMidRoundCannotGrowSlice() public {
        address[] memory sybils = _registerMany(NUM_ACTIVE_TRANSCODERS - 1, 1000 ether);
        _nextRound();
        _fundBroadcaster(0, 10 ether); // slice = 10 / 10 = 1 ether per active transcoder this round
        // Eight Sybils resign (full unbond); all nine remain active for the rest of this round.
        for (uint256 i = 1; i < sybils.length; i++) {
            vm.prank(sybils[i]);
            bm.unbond(1000 ether);
            assertTrue(bm.isActiveTranscoder(sybils[i]), "resigned Sybil still active this round");
        }
        uint256 nonce;
        for (uint256 i; i < sybils.length; i++) {
            // The largest ticket that pays shows the slice this Sybil was given.
            for (uint256 faceValue = 10 ether; faceValue >= 0.01 ether; faceValue /= 2) {
                _tryRedeem(_ticket(sybils[i], faceValue, WIN_ALWAYS, ++nonce, RAND));
            }
            assertLe(broker.claimedReserve(broadcaster, sybils[i]), 1 ether, "no Sybil exceeds the round's slice");
        }
        assertGe(broker.claimableReserve(broadcaster, orchestrator), 1 ether, "honest orchestrator keeps its slice");
    }

    function _tryRedeem(ITicketBroker.Ticket memory t) internal {
        bytes memory sig = _sign(broadcasterKey, t);
        vm.prank(t.recipient);
        try broker.redeemWinningTicket(t, sig, RAND) {} catch {}
    }

    /* REENTRANCY */

    function test_attack_reentrantWithdrawPaysOnce() public {
        ReentrantSender evil = new ReentrantSender(broker);
        vm.deal(address(evil), 2 ether);
        vm.prank(address(evil));
        evil.fund{value: 2 ether}(1 ether, 1 ether);
        _fundBroadcaster(5 ether, 5 ether); // other ETH in the Minter to steal
        evil.unlock();
        _nextRound();
        _nextRound();

        evil.withdraw();
        assertEq(evil.reentryAttempts(), 1, "re-entry attempted");
        assertFalse(evil.reentrySucceeded(), "re-entry failed");
        assertEq(address(evil).balance, 2 ether, "paid exactly once");
        assertEq(address(minter).balance, 10 ether, "other funds intact");
        assertEq(_deposit(address(evil)) + _reserve(address(evil)), 0, "account cleared");
    }

    function test_attack_reentrantWithdrawFeesPaysOnce() public {
        ReentrantTranscoder evil = new ReentrantTranscoder(bm);
        _registerTranscoder(address(evil), 1000 ether, 0, 1_000_000);
        _nextRound();
        _fundBroadcaster(5 ether, 0);
        _redeem(_ticket(address(evil), 1 ether, WIN_ALWAYS, 1, RAND), RAND);
        _redeem(_ticket(orchestrator, 1 ether, WIN_ALWAYS, 2, RAND), RAND); // someone else's fees to steal
        _nextRound();
        uint256 fees = _pendingFees(address(evil));
        assertEq(fees, 1 ether, "self-delegated: all fees");

        evil.withdrawFees(fees);
        assertEq(evil.reentryAttempts(), 1, "re-entry attempted");
        assertFalse(evil.reentrySucceeded(), "re-entry failed");
        assertEq(address(evil).balance, 1 ether, "paid exactly once");
        assertEq(_pendingFees(address(evil)), 0, "fees cleared");
        assertEq(address(minter).balance, 4 ether, "5 funded - 1 paid out");
    }
}
