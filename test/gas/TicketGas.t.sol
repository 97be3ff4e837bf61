// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../BrokerTest.sol";
import {GasTable} from "../utils/GasTable.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas of the TicketBroker's user-facing operations in a warm steady state with 100 active
/// transcoders that all called reward this round, next to the live protocol's transaction gas. Run
/// with `forge test --isolate` (as `make gas-check` does): each call is then its own transaction, so
/// figures are transaction gas (21,000 + calldata + cold execution).
contract TicketGasTest is BrokerTest {
    uint256 internal constant POOL = 100;
    uint256 internal constant BATCH = 10;

    address internal newSender;
    uint256 internal newSenderKey;

    function setUp() public override {
        super.setUp(); // `orchestrator` (1,000 LPT) active
        vm.startPrank(owner);
        bm.setNumActiveTranscoders(POOL);
        minter.setInflationChange(0);
        vm.stopPrank();
        // 99 more, stakes 1,000 LPT apart, all above the orchestrator (the tail of the pool).
        for (uint256 i = 1; i < POOL; i++) {
            address t = makeAddr(string.concat("transcoder", vm.toString(i)));
            _registerTranscoder(t, (POOL - i) * 1000 ether + 1 ether, 100_000, 500_000);
        }
        // Steady state: a couple of rounds in which everyone rewarded and the broadcaster paid tickets.
        _fundBroadcaster(10 ether, 10 ether);
        for (uint256 r; r < 2; r++) {
            _nextRound();
            for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
                _reward(t);
            }
            _redeem(_ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 1000 + r, 1), 1);
        }
        _nextRound();
        for (address t = bm.getFirstTranscoderInPool(); t != address(0); t = bm.getNextTranscoderInPool(t)) {
            _reward(t);
        }
        assertEq(bm.getTranscoderPoolSize(), POOL, "pool of 100");
        (newSender, newSenderKey) = makeAddrAndKey("newSender");
        vm.deal(newSender, 100 ether);
    }

    /// @notice The table of the issue: our gas, the reference's, and the ratio.
    function test_gas_table() public {
        console.log("operation                          ours   reference  ratio");

        vm.prank(newSender);
        broker.fundDepositAndReserve{value: 2 ether}(1 ether, 1 ether);
        _row("fundDepositAndReserve (new)", vm.snapshotGasLastCall("fundDepositAndReserve_newSender"), 107_904);

        // First winning ticket of the round for a recipient that already called reward this round.
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 1, 42);
        bytes memory sig = _sign(broadcasterKey, ticket);
        vm.prank(orchestrator);
        broker.redeemWinningTicket(ticket, sig, 42);
        _row("redeemWinningTicket (1st)", vm.snapshotGasLastCall("redeemWinningTicket_firstOfRound"), 241_267);

        // Second ticket of the round to the same (rewarded) recipient.
        ticket = _ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 2, 43);
        sig = _sign(broadcasterKey, ticket);
        vm.prank(orchestrator);
        broker.redeemWinningTicket(ticket, sig, 43);
        _row("redeemWinningTicket (2nd)", vm.snapshotGasLastCall("redeemWinningTicket_secondOfRound"), 182_758);

        // 10 more tickets in one batch, per ticket.
        ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](BATCH);
        bytes[] memory sigs = new bytes[](BATCH);
        uint256[] memory rands = new uint256[](BATCH);
        for (uint256 i; i < BATCH; i++) {
            rands[i] = 100 + i;
            tickets[i] = _ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 10 + i, rands[i]);
            sigs[i] = _sign(broadcasterKey, tickets[i]);
        }
        vm.prank(orchestrator);
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        uint256 batchGas = vm.snapshotGasLastCall("batchRedeemWinningTickets_10");
        for (uint256 i; i < BATCH; i++) {
            assertTrue(broker.usedTickets(broker.getTicketHash(tickets[i])), "every batch ticket redeemed");
        }
        vm.snapshotValue("batchRedeemWinningTickets_perTicket", batchGas / BATCH);
        _row("batchRedeem (10), per ticket", batchGas / BATCH, 96_829);

        vm.prank(broadcaster);
        broker.unlock();
        _row("unlock", vm.snapshotGasLastCall("unlock"), 88_919);

        vm.roll(block.number + UNLOCK_PERIOD * ROUND_LENGTH);
        roundsManager.initializeRound();
        vm.prank(broadcaster);
        broker.withdraw();
        _row("withdraw", vm.snapshotGasLastCall("withdraw"), 88_570);
    }

    /// @notice A funded broadcaster topping up its deposit, then its reserve, each on its own.
    function test_gas_fundDepositAndFundReserve() public {
        (ITicketBroker.Sender memory before, ITicketBroker.ReserveInfo memory reserveBefore) =
            broker.getSenderInfo(broadcaster);
        vm.prank(broadcaster);
        broker.fundDeposit{value: 1 ether}();
        console.log("fundDeposit (top-up)", vm.snapshotGasLastCall("fundDeposit"));

        vm.prank(broadcaster);
        broker.fundReserve{value: 1 ether}();
        console.log("fundReserve (top-up)", vm.snapshotGasLastCall("fundReserve"));

        (ITicketBroker.Sender memory afterFunding, ITicketBroker.ReserveInfo memory reserveAfter) =
            broker.getSenderInfo(broadcaster);
        assertEq(afterFunding.deposit, before.deposit + 1 ether, "deposit topped up");
        assertEq(reserveAfter.fundsRemaining, reserveBefore.fundsRemaining + 1 ether, "reserve topped up");
    }

    /// @notice A broadcaster cancelling the unlock it started.
    function test_gas_cancelUnlock() public {
        vm.prank(broadcaster);
        broker.unlock();
        vm.prank(broadcaster);
        broker.cancelUnlock();
        console.log("cancelUnlock", vm.snapshotGasLastCall("cancelUnlock"));
        assertFalse(broker.isUnlockInProgress(broadcaster), "unlock cancelled");
    }

    /// @notice First ticket of the round for a recipient that has not called reward yet this round
    /// (the fee share then reads the stake as the round started), for comparison with the rewarded case.
    function test_gas_redeemWinningTicket_firstOfRoundBeforeReward() public {
        _nextRound();
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 1, 42);
        bytes memory sig = _sign(broadcasterKey, ticket);
        vm.prank(orchestrator);
        broker.redeemWinningTicket(ticket, sig, 42);
        uint256 gas = vm.snapshotGasLastCall("redeemWinningTicket_firstOfRound_beforeReward");
        console.log("redeemWinningTicket (1st, recipient not yet rewarded)", gas);
        assertLe(gas, 241_267, "no worse than the reference's first ticket");
    }

    /// @notice Per-ticket cost of a batch of 1, 10 and 50 tickets to one recipient, each from the same state.
    function test_gas_batchRedeemPerTicket() public {
        uint256[3] memory sizes = [uint256(1), 10, 50];
        uint256 snapshot = vm.snapshotState();
        for (uint256 s; s < sizes.length; s++) {
            uint256 size = sizes[s];
            ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](size);
            bytes[] memory sigs = new bytes[](size);
            uint256[] memory rands = new uint256[](size);
            for (uint256 i; i < size; i++) {
                rands[i] = 1000 + i;
                tickets[i] = _ticket(orchestrator, 0.01 ether, WIN_ALWAYS, 1000 + i, rands[i]);
                sigs[i] = _sign(broadcasterKey, tickets[i]);
            }
            vm.prank(orchestrator);
            broker.batchRedeemWinningTickets(tickets, sigs, rands);
            uint256 perTicket = vm.snapshotGasLastCall(string.concat("batchRedeem_", vm.toString(size))) / size;
            assertTrue(broker.usedTickets(broker.getTicketHash(tickets[size - 1])), "last ticket redeemed");
            vm.snapshotValue(string.concat("batchRedeem_perTicket_", vm.toString(size)), perTicket);
            console.log(string.concat("batchRedeem per ticket, batch of ", vm.toString(size)), perTicket);
            vm.revertToState(snapshot);
        }
    }

    function _row(string memory name, uint256 ours, uint256 ref) internal pure {
        // Goals of the issue that hold today; the single redemptions (<= 140k 1st, <= 110k 2nd) and
        // withdraw (<= 60k) are reported with where their gas goes (README).
        if (keccak256(bytes(name)) == keccak256("fundDepositAndReserve (new)")) assert(ours <= 80_000);
        if (keccak256(bytes(name)) == keccak256("unlock")) assert(ours <= 60_000);
        if (keccak256(bytes(name)) == keccak256("batchRedeem (10), per ticket")) assert(ours <= 60_000);
        console.log(GasTable.row(name, ours, ref, 33));
    }
}
