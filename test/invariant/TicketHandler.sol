// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {Test, Vm} from "forge-std/Test.sol";

/// @notice Bounded random use of the TicketBroker by 3 broadcasters (own and third-party funding,
/// unlock, cancel, withdraw), 3 active orchestrators and 1 registered non-active transcoder (single
/// and batch redemption of winning tickets, replays, fee withdrawals) over rounds, with a ghost model
/// of every sender account and reserve slice and ghost sums of every ETH movement.
/// @dev Never reverts: each action bounds its inputs and returns early when its preconditions do not
/// hold (redemptions are predicted with the model), so that `fail_on_revert` turns any unexpected
/// protocol revert into a finding. Redemptions the model says must fail go through try/catch and are
/// counted in ghostUnexpectedSuccesses if they succeed.
contract TicketHandler is Test {
    uint256 internal constant MAX_FUND = 10 ether;
    uint256 internal constant MAX_FACE = 5 ether;

    TicketBroker internal immutable broker;
    BondingManager internal immutable bm;
    Minter internal immutable minter;
    RoundsManager internal immutable roundsManager;
    address internal immutable patron; // third-party funder

    address[] public broadcasters;
    uint256[] internal keys;
    /// @dev The 3 active orchestrators, then the registered non-active transcoder.
    address[] public recipients;

    /* GHOST MODEL */

    struct SenderModel {
        uint256 deposit;
        uint256 reserve;
        uint256 withdrawRound;
    }

    mapping(address sender => SenderModel) public ghostAccount;
    /// @dev Reserve a sender held when the current round started, and funded into it since.
    mapping(address sender => mapping(uint256 round => uint256)) public ghostReserveAtRoundStart;
    mapping(address sender => mapping(uint256 round => uint256)) public ghostReserveFundedInRound;
    mapping(address sender => mapping(uint256 round => uint256)) public ghostClaimedInRound;
    mapping(address sender => mapping(uint256 round => mapping(address recipient => uint256))) public ghostClaimedBy;

    /* GHOST SUMS */

    uint256 public ghostEthFunded;
    uint256 public ghostEthWithdrawnBySenders;
    uint256 public ghostFeesWithdrawn;
    uint256 public ghostPaid;
    /// @dev Fees a recipient will never see because it claimed earlier in the same round (every
    /// withdrawFees claims): the delegator share of later fees that round accrues to the round's fee
    /// factor, which its claim already took as its start (LIP-36; see TicketInvariants). Measured as
    /// amount paid - pendingFees increase, only for such redemptions; 0 otherwise (asserted to 2 wei).
    uint256 public ghostFeesStranded;
    uint256 public ghostStrandingRedemptions;

    /// @dev Every redeemed ticket hash, what it paid and how many redemptions of it succeeded.
    bytes32[] public redeemedHashes;
    mapping(bytes32 ticketHash => uint256) public ghostPaidPerTicket;
    mapping(bytes32 ticketHash => uint256) public ghostRedemptions;
    /// @dev Every ticket the handler signed (winning or not, paid or not), its face value, and whether a
    /// successful redemption of it happened in its last redeemable round.
    bytes32[] public createdHashes;
    /// @dev Index in createdHashes of the first ticket signed by the latest redeem or batchRedeem call.
    uint256 public latestCallFirstTicket;
    mapping(bytes32 ticketHash => uint256) public ghostFaceValue;
    mapping(bytes32 ticketHash => bool) public ghostPaidInLastRound;
    /// @dev Per sender, from the calls and the events: what was funded for it, what its tickets paid (the
    /// WinningTicketTransfer amounts) and what it withdrew itself.
    mapping(address sender => uint256) public ghostFundedFor;
    mapping(address sender => uint256) public ghostPaidBy;
    mapping(address sender => uint256) public ghostWithdrawnBy;
    /// @dev Redemptions that succeeded though the model said they must fail (replays, standby, losers).
    uint256 public ghostUnexpectedSuccesses;

    /// @dev Stored winning tickets, for replays.
    ITicketBroker.Ticket[] internal tickets;
    bytes[] internal sigs;
    uint256[] internal rands;

    uint256 internal nonce;

    /* CALL COUNTERS */

    uint256 public ghostFundings;
    uint256 public ghostUnlocks;
    uint256 public ghostCancels;
    uint256 public ghostWithdrawals;
    uint256 public ghostRedeems;
    uint256 public ghostReserveClaims;
    uint256 public ghostBatchRedeems;
    uint256 public ghostBatchSkips;
    uint256 public ghostExpectedFailures;
    uint256 public ghostFeeWithdrawals;
    uint256 public ghostRounds;

    constructor(
        TicketBroker broker_,
        BondingManager bm_,
        Minter minter_,
        RoundsManager roundsManager_,
        address[] memory recipients_,
        address patron_
    ) {
        broker = broker_;
        bm = bm_;
        minter = minter_;
        roundsManager = roundsManager_;
        recipients = recipients_;
        patron = patron_;
        for (uint256 i = 1; i <= 3; i++) {
            (address b, uint256 key) = makeAddrAndKey(string.concat("broadcaster", vm.toString(i)));
            broadcasters.push(b);
            keys.push(key);
        }
    }

    /* VIEWS */

    function broadcasterCount() external view returns (uint256) {
        return broadcasters.length;
    }

    function recipientCount() external view returns (uint256) {
        return recipients.length;
    }

    function redeemedCount() external view returns (uint256) {
        return redeemedHashes.length;
    }

    function createdCount() external view returns (uint256) {
        return createdHashes.length;
    }

    /// @dev The tickets a call signs are its own: the handler never submits an unpaid ticket again (replays
    /// resubmit paid ones), so only a call's own tickets can change from unused to used.
    modifier notingTickets() {
        latestCallFirstTicket = createdHashes.length;
        _;
    }

    /* SENDER ACTIONS */

    /// @dev mode 0: fundDeposit, 1: fundReserve, 2: fundDepositAndReserve, 3: fundDepositAndReserveFor by a
    /// third party (never cancels the unlock).
    function fund(uint256 senderSeed, uint256 deposit, uint256 reserve, uint8 mode) external {
        address b = broadcasters[senderSeed % broadcasters.length];
        mode %= 4;
        deposit = mode == 1 ? 0 : bound(deposit, 0, MAX_FUND);
        reserve = mode == 0 ? 0 : bound(reserve, 0, MAX_FUND);
        uint256 value = deposit + reserve;
        address payer = mode == 3 ? patron : b;
        vm.deal(payer, value);
        vm.prank(payer);
        if (mode == 0) broker.fundDeposit{value: value}();
        else if (mode == 1) broker.fundReserve{value: value}();
        else if (mode == 2) broker.fundDepositAndReserve{value: value}(deposit, reserve);
        else broker.fundDepositAndReserveFor{value: value}(b, deposit, reserve);

        SenderModel storage a = ghostAccount[b];
        a.deposit += deposit;
        a.reserve += reserve;
        if (payer == b) a.withdrawRound = 0;
        ghostReserveFundedInRound[b][roundsManager.currentRound()] += reserve;
        ghostFundedFor[b] += value;
        ghostEthFunded += value;
        ghostFundings++;
    }

    function unlock(uint256 senderSeed) external {
        address b = broadcasters[senderSeed % broadcasters.length];
        SenderModel storage a = ghostAccount[b];
        if (a.deposit == 0 && a.reserve == 0) return;
        if (a.withdrawRound != 0) return;
        vm.prank(b);
        broker.unlock();
        a.withdrawRound = roundsManager.currentRound() + broker.unlockPeriod();
        ghostUnlocks++;
    }

    function cancelUnlock(uint256 senderSeed) external {
        address b = broadcasters[senderSeed % broadcasters.length];
        SenderModel storage a = ghostAccount[b];
        if (a.withdrawRound == 0) return;
        vm.prank(b);
        broker.cancelUnlock();
        a.withdrawRound = 0;
        ghostCancels++;
    }

    function withdraw(uint256 senderSeed) external {
        address b = broadcasters[senderSeed % broadcasters.length];
        SenderModel memory a = ghostAccount[b];
        if (a.deposit == 0 && a.reserve == 0) return;
        if (a.withdrawRound == 0 || roundsManager.currentRound() < a.withdrawRound) return;
        uint256 balanceBefore = b.balance;
        vm.prank(b);
        broker.withdraw();
        assertEq(b.balance - balanceBefore, a.deposit + a.reserve, "withdraw pays deposit + reserve");
        delete ghostAccount[b];
        ghostWithdrawnBy[b] += a.deposit + a.reserve;
        ghostEthWithdrawnBySenders += a.deposit + a.reserve;
        ghostWithdrawals++;
    }

    /* RECIPIENT ACTIONS */

    /// @dev One winning ticket (winProb max, fresh nonce) from a broadcaster to an orchestrator or the
    /// standby transcoder, created this round or (if it was initialized) the previous one.
    function redeem(uint256 senderSeed, uint256 recipientSeed, uint256 faceValue, bool previousRound)
        external
        notingTickets
    {
        uint256 s = senderSeed % broadcasters.length;
        address recipient = recipients[recipientSeed % recipients.length];
        faceValue = bound(faceValue, 1, MAX_FACE);
        (ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand) =
            _makeTicket(s, recipient, faceValue, type(uint256).max, previousRound);

        (bool ok, uint256 amount) = _predict(ticket, recipient, faceValue);
        if (!ok) {
            _expectFailure(ticket, sig, rand);
            return;
        }
        uint256 feesBefore = bm.pendingFees(recipient, 0);
        vm.recordLogs();
        vm.prank(recipient);
        broker.redeemWinningTicket(ticket, sig, rand);
        assertEq(_transferred(), amount, "pays faceValue, or deposit + claimable in its last round");
        _noteFees(recipient, feesBefore, amount, 1);
        _record(ticket, sig, rand, amount);
        ghostRedeems++;
    }

    /// @dev 1 to 6 tickets from one broadcaster to one recipient in a batch, one of them (maybe) a loser, all
    /// created this round or (odd faceSeed) the previous one: the batch never reverts, each ticket pays what
    /// the model says in order, the loser and the underfunded are skipped.
    function batchRedeem(uint256 senderSeed, uint256 recipientSeed, uint256 count, uint256 faceSeed, uint256 loser)
        external
        notingTickets
    {
        uint256 s = senderSeed % broadcasters.length;
        address recipient = recipients[recipientSeed % recipients.length];
        count = bound(count, 1, 6);
        loser = bound(loser, 0, count); // == count: no loser
        ITicketBroker.Ticket[] memory batch = new ITicketBroker.Ticket[](count);
        bytes[] memory batchSigs = new bytes[](count);
        uint256[] memory batchRands = new uint256[](count);
        for (uint256 i; i < count; i++) {
            uint256 face = bound(uint256(keccak256(abi.encode(faceSeed, i))), 1, MAX_FACE);
            // winProb 0 never wins: that ticket is skipped by the batch and left unused.
            (batch[i], batchSigs[i], batchRands[i]) =
                _makeTicket(s, recipient, face, i == loser ? 0 : type(uint256).max, faceSeed % 2 == 1);
        }
        uint256 feesBefore = bm.pendingFees(recipient, 0);
        vm.recordLogs();
        vm.prank(recipient);
        broker.batchRedeemWinningTickets(batch, batchSigs, batchRands);
        uint256 total = _checkBatch(batch, batchSigs, batchRands, loser, vm.getRecordedLogs());
        _noteFees(recipient, feesBefore, total, count);
        ghostBatchRedeems++;
    }

    /// @dev Applies the model to the batch in order (as the broker does): exactly the tickets it says
    /// redeem, each paying what it says (the i-th transfer event is the i-th paid ticket's).
    function _checkBatch(
        ITicketBroker.Ticket[] memory batch,
        bytes[] memory batchSigs,
        uint256[] memory batchRands,
        uint256 loser,
        Vm.Log[] memory logs
    ) internal returns (uint256 total) {
        uint256 li;
        for (uint256 i; i < batch.length; i++) {
            bool ok;
            uint256 amount;
            if (i != loser) (ok, amount) = _predict(batch[i], batch[i].recipient, batch[i].faceValue);
            assertEq(broker.usedTickets(broker.getTicketHash(batch[i])), ok, "batch redeems exactly the valid tickets");
            if (!ok) {
                ghostBatchSkips++;
                continue;
            }
            while (logs[li].topics[0] != ITicketBroker.WinningTicketTransfer.selector) li++;
            assertEq(abi.decode(logs[li].data, (uint256)), amount, "batch ticket pays what the model says");
            li++;
            _record(batch[i], batchSigs[i], batchRands[i], amount);
            total += amount;
        }
    }

    /// @dev A stored, already redeemed ticket again: must fail.
    function replay(uint256 ticketSeed) external {
        if (tickets.length == 0) return;
        uint256 i = ticketSeed % tickets.length;
        _expectFailure(tickets[i], sigs[i], rands[i]);
    }

    function withdrawFees(uint256 recipientSeed, uint256 amount) external {
        address recipient = recipients[recipientSeed % recipients.length];
        uint256 pending = bm.pendingFees(recipient, 0);
        if (pending == 0) return;
        amount = bound(amount, 1, pending);
        uint256 balanceBefore = recipient.balance;
        vm.prank(recipient);
        bm.withdrawFees(payable(recipient), amount);
        assertEq(recipient.balance - balanceBefore, amount, "withdrawFees pays");
        ghostFeesWithdrawn += amount;
        ghostFeeWithdrawals++;
    }

    /// @dev Next round (1 or 2 ahead), initialized; the orchestrators reward so they stay active.
    function advanceRound(uint256 skip) external {
        vm.roll(roundsManager.currentRoundStartBlock() + roundsManager.roundLength() * bound(skip, 1, 2));
        roundsManager.initializeRound();
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < 3; i++) {
            vm.prank(recipients[i]);
            bm.reward();
        }
        for (uint256 i; i < broadcasters.length; i++) {
            ghostReserveAtRoundStart[broadcasters[i]][round] = ghostAccount[broadcasters[i]].reserve;
        }
        ghostRounds++;
    }

    /* INTERNAL */

    function _makeTicket(uint256 s, address recipient, uint256 faceValue, uint256 winProb, bool previousRound)
        internal
        returns (ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand)
    {
        uint256 round = roundsManager.currentRound();
        // Tickets stay valid for ticketValidityPeriod (2) rounds if their round was initialized.
        if (previousRound && roundsManager.blockHashForRound(round - 1) != bytes32(0)) round--;
        nonce++;
        rand = uint256(keccak256(abi.encode("rand", nonce)));
        ticket = ITicketBroker.Ticket({
            recipient: recipient,
            sender: broadcasters[s],
            faceValue: faceValue,
            winProb: winProb,
            senderNonce: nonce,
            recipientRandHash: keccak256(abi.encodePacked(rand)),
            auxData: abi.encode(round, roundsManager.blockHashForRound(round))
        });
        sig = _signAndNote(keys[s], ticket);
    }

    /// @dev Signs `ticket` and notes it among the created tickets.
    function _signAndNote(uint256 key, ITicketBroker.Ticket memory ticket) internal returns (bytes memory) {
        bytes32 ticketHash = broker.getTicketHash(ticket);
        createdHashes.push(ticketHash);
        ghostFaceValue[ticketHash] = ticket.faceValue;
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", ticketHash));
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(key, digest);
        return abi.encodePacked(r, sv, v);
    }

    /// @dev creationRound + ticketValidityPeriod == currentRound + 1.
    function _inLastRound(ITicketBroker.Ticket memory ticket) internal view returns (bool) {
        (uint256 creationRound,) = abi.decode(ticket.auxData, (uint256, bytes32));
        return creationRound + broker.ticketValidityPeriod() == roundsManager.currentRound() + 1;
    }

    /// @dev Whether the model says a winning, valid ticket redeems now, and for how much: its face value
    /// when deposit + the recipient's claimable slice covers it, else (only in its last round) all of that;
    /// on success applies it to the model (deposit first, then the recipient's reserve slice).
    function _predict(ITicketBroker.Ticket memory ticket, address recipient, uint256 faceValue)
        internal
        returns (bool, uint256)
    {
        address sender = ticket.sender;
        SenderModel storage a = ghostAccount[sender];
        uint256 round = roundsManager.currentRound();
        if (a.withdrawRound != 0 && round >= a.withdrawRound) return (false, 0); // SenderUnlocked
        if (a.deposit == 0 && a.reserve == 0) return (false, 0); // NoFunds
        if (!bm.isActiveTranscoder(recipient)) return (false, 0); // no slice, and no fees for it
        if (faceValue <= a.deposit) {
            a.deposit -= faceValue;
            return (true, faceValue);
        }
        uint256 slice = (a.reserve + ghostClaimedInRound[sender][round]) / bm.getTranscoderPoolSize();
        uint256 already = ghostClaimedBy[sender][round][recipient];
        uint256 claimable = slice > already ? slice - already : 0;
        uint256 shortfall = faceValue - a.deposit;
        if (claimable < shortfall && !_inLastRound(ticket)) return (false, 0); // InsufficientFunds
        uint256 fromReserve = shortfall < claimable ? shortfall : claimable;
        uint256 amount = a.deposit + fromReserve;
        if (amount == 0) return (false, 0); // NothingToPay
        a.deposit = 0;
        a.reserve -= fromReserve;
        if (fromReserve != 0) {
            ghostClaimedInRound[sender][round] += fromReserve;
            ghostClaimedBy[sender][round][recipient] += fromReserve;
            ghostReserveClaims++;
        }
        return (true, amount);
    }

    /// @dev Checks that `paid` wei of `n` redemptions reached `recipient`'s pending fees (2 wei of rounding
    /// per redemption at most: the pool share and the reward-stake share each round down), unless it
    /// claimed this round: then the shortfall is stranded (see above).
    function _noteFees(address recipient, uint256 feesBefore, uint256 paid, uint256 n) internal {
        uint256 increase = bm.pendingFees(recipient, 0) - feesBefore;
        assertLe(increase, paid, "pending fees grow by at most the amount paid");
        (,,,,, uint256 lastClaimRound,) = bm.getDelegator(recipient);
        if (lastClaimRound == roundsManager.currentRound()) {
            ghostFeesStranded += paid - increase;
            if (paid - increase > 2 * n) ghostStrandingRedemptions++;
        } else {
            assertApproxEqAbs(increase, paid, 2 * n, "pending fees grow by the amount paid, to 2 wei a ticket");
        }
    }

    function _expectFailure(ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand) internal {
        vm.prank(ticket.recipient);
        try broker.redeemWinningTicket(ticket, sig, rand) {
            ghostUnexpectedSuccesses++;
        } catch {
            ghostExpectedFailures++;
        }
    }

    function _record(ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand, uint256 amount) internal {
        bytes32 ticketHash = broker.getTicketHash(ticket);
        if (ghostRedemptions[ticketHash] == 0) redeemedHashes.push(ticketHash);
        ghostRedemptions[ticketHash]++;
        ghostPaidPerTicket[ticketHash] += amount;
        if (_inLastRound(ticket)) ghostPaidInLastRound[ticketHash] = true;
        ghostPaidBy[ticket.sender] += amount;
        ghostPaid += amount;
        tickets.push(ticket);
        sigs.push(sig);
        rands.push(rand);
    }

    /// @dev The amount of the single WinningTicketTransfer of the last recorded call.
    function _transferred() internal returns (uint256 amount) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 found;
        for (uint256 i; i < logs.length; i++) {
            if (logs[i].topics[0] == ITicketBroker.WinningTicketTransfer.selector) {
                amount = abi.decode(logs[i].data, (uint256));
                found++;
            }
        }
        assertEq(found, 1, "one transfer per redemption");
    }
}
