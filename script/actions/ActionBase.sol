// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {IController} from "../../contracts/interfaces/IController.sol";
import {ILivepeerToken} from "../../contracts/interfaces/ILivepeerToken.sol";
import {IMinter} from "../../contracts/interfaces/IMinter.sol";
import {IRoundsManager} from "../../contracts/interfaces/IRoundsManager.sol";
import {IServiceRegistry} from "../../contracts/interfaces/IServiceRegistry.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {DeploymentsFile} from "../lib/DeploymentsFile.sol";

/// @notice What every user script shares: the protocol's addresses, env inputs, the caller, the
/// pre-flight checks and the sorted-pool hints.
/// @dev Addresses: env `CONTROLLER` if set, else `contracts.Controller` of the deployments file
/// (`DEPLOYMENTS_FILE`, default `deployments/<chainId>.json`); every other contract is resolved
/// through `Controller.getContract(keccak256(name))`, so upgrades and re-registrations are followed.
/// A script checks everything the call would revert on and stops with a message naming the problem
/// before anything is broadcast. Amounts are in wei (LPT has 18 decimals, as ETH).
abstract contract ActionBase is DeploymentsFile {
    /// @dev The pool as the script expects it after each simulated change (descending by stake).
    struct Pool {
        address[] ids;
        uint256[] stakes;
        uint256 size;
        uint256 maxSize;
    }

    IController internal controller;
    IBondingManager internal bondingManager;
    IRoundsManager internal roundsManager;
    ITicketBroker internal ticketBroker;
    IServiceRegistry internal serviceRegistry;
    ILivepeerToken internal token;
    IMinter internal minter;

    /// @dev The account that signs (the `--private-key` account under `forge script`).
    address internal sender;
    /// @dev Name of the action, the first word of every message.
    string internal action;

    /// @dev Loads the addresses and the caller. Call first in `run()`.
    function _setUp(string memory name) internal {
        action = name;
        address controllerAddress = vm.envOr("CONTROLLER", address(0));
        if (controllerAddress == address(0)) {
            string memory path = deploymentsPath();
            _check(
                vm.isFile(path),
                string.concat("no deployments file ", path, " (set DEPLOYMENTS_FILE or CONTROLLER, or deploy first)")
            );
            controllerAddress = vm.parseJsonAddress(vm.readFile(path), ".contracts.Controller");
        }
        _check(
            controllerAddress.code.length != 0,
            string.concat("no Controller at ", vm.toString(controllerAddress), " on chain ", vm.toString(block.chainid))
        );
        controller = IController(controllerAddress);
        bondingManager = IBondingManager(_resolve("BondingManager"));
        roundsManager = IRoundsManager(_resolve("RoundsManager"));
        ticketBroker = ITicketBroker(_resolve("TicketBroker"));
        serviceRegistry = IServiceRegistry(_resolve("ServiceRegistry"));
        token = ILivepeerToken(_resolve("LivepeerToken"));
        minter = IMinter(_resolve("Minter"));

        // An empty broadcast tells who signs without sending anything.
        vm.startBroadcast();
        (, sender,) = vm.readCallers();
        vm.stopBroadcast();
    }

    function _resolve(string memory name) internal view returns (address addr) {
        addr = controller.getContract(keccak256(bytes(name)));
        _check(addr != address(0), string.concat("the Controller has no \"", name, "\" entry"));
    }

    /* ENV */

    /// @dev A required unsigned integer from env `name`; `what` says what it is in the error.
    function _envUint(string memory name, string memory what) internal view returns (uint256) {
        try vm.envUint(name) returns (uint256 value) {
            return value;
        } catch {
            revert(_msg(string.concat("set ", name, " to ", what)));
        }
    }

    function _envAddress(string memory name, string memory what) internal view returns (address) {
        try vm.envAddress(name) returns (address value) {
            return value;
        } catch {
            revert(_msg(string.concat("set ", name, " to ", what)));
        }
    }

    /* PRE-FLIGHT */

    /// @dev Reverts with "<action>: <message>".
    function _check(bool ok, string memory message) internal view {
        if (!ok) revert(_msg(message));
    }

    /// @dev "<action>: <message>", or the message alone when it already starts with "<action> "
    /// ("unbond 500 LPT: only 200 LPT bonded").
    function _msg(string memory message) internal view returns (string memory) {
        bytes memory m = bytes(message);
        bytes memory a = bytes(action);
        if (m.length > a.length && m[a.length] == " ") {
            bool same = true;
            for (uint256 i; i < a.length && same; i++) {
                same = m[i] == a[i];
            }
            if (same) return message;
        }
        return string.concat(action, ": ", message);
    }

    function _requireNotPaused() internal view {
        _check(!controller.paused(), "the protocol is paused");
    }

    /// @dev Reward callers (LIP-118) exist on this deployment: the live BondingManager of f225b10 has
    /// none, and its `transcoderToRewardCaller` reverts with empty data.
    function _requireRewardCallers() internal view {
        bool supported;
        try bondingManager.transcoderToRewardCaller(address(0)) {
            supported = true;
        } catch {}
        _check(
            supported,
            "this deployment's BondingManager has no reward caller (LIP-118): call reward with the orchestrator's own key"
        );
    }

    /// @dev Not paused and the current round initialized (every BondingManager action needs both).
    function _requireRunningRound() internal view returns (uint256 round) {
        _requireNotPaused();
        round = roundsManager.currentRound();
        _check(
            roundsManager.currentRoundInitialized(),
            string.concat(
                "round ", vm.toString(round), " is not initialized (anyone may call RoundsManager.initializeRound())"
            )
        );
    }

    /// @dev Bonded amount after the claim the call makes first (pending stake includes unclaimed rewards).
    function _bonded(address delegator) internal view returns (uint256) {
        return bondingManager.pendingStake(delegator, 0);
    }

    function _delegate(address delegator) internal view returns (address delegate) {
        (,, delegate,,,,) = bondingManager.getDelegator(delegator);
    }

    function _startRound(address delegator) internal view returns (uint256 startRound) {
        (,,,, startRound,,) = bondingManager.getDelegator(delegator);
    }

    /// @dev Stops unless `delegator` has a bond that has started.
    function _requireBonded(address delegator, uint256 round) internal view returns (uint256 bonded) {
        bonded = _bonded(delegator);
        _check(bonded != 0, string.concat(vm.toString(delegator), " has nothing bonded"));
        uint256 startRound = _startRound(delegator);
        _check(
            startRound <= round,
            string.concat(
                vm.toString(delegator),
                "'s bond is pending until round ",
                vm.toString(startRound),
                " (current round ",
                vm.toString(round),
                ")"
            )
        );
    }

    /// @dev The unbonding lock `lockId` of `delegator` (amount, withdrawRound); stops if there is none.
    function _requireLock(address delegator, uint256 lockId) internal view returns (uint256 amount, uint256 round) {
        (amount, round) = bondingManager.getDelegatorUnbondingLock(delegator, lockId);
        _check(
            round != 0,
            string.concat(
                vm.toString(delegator),
                " has no unbonding lock ",
                vm.toString(lockId),
                " (never created, rebonded or withdrawn)"
            )
        );
    }

    /* FORMATTING */

    /// @dev `amount` wei as a decimal with `unit` ("1.5 LPT").
    function _fmt(uint256 amount, string memory unit) internal pure returns (string memory) {
        uint256 whole = amount / 1e18;
        uint256 frac = amount % 1e18;
        string memory s = vm.toString(whole);
        if (frac != 0) {
            bytes memory digits = bytes(vm.toString(frac + 1e18)); // "1" + 18 digits
            uint256 end = digits.length;
            while (digits[end - 1] == "0") end--;
            bytes memory fracDigits = new bytes(end - 1);
            for (uint256 i = 1; i < end; i++) {
                fracDigits[i - 1] = digits[i];
            }
            s = string.concat(s, ".", string(fracDigits));
        }
        return string.concat(s, " ", unit);
    }

    function _lpt(uint256 amount) internal pure returns (string memory) {
        return _fmt(amount, "LPT");
    }

    function _eth(uint256 amount) internal pure returns (string memory) {
        return _fmt(amount, "ETH");
    }

    /* HINTS */

    /// @dev The transcoder pool as it is now.
    function _pool() internal view returns (Pool memory p) {
        p.size = bondingManager.getTranscoderPoolSize();
        p.maxSize = bondingManager.getTranscoderPoolMaxSize();
        p.ids = new address[](p.size + 1);
        p.stakes = new uint256[](p.size + 1);
        address id = bondingManager.getFirstTranscoderInPool();
        for (uint256 i; i < p.size; i++) {
            p.ids[i] = id;
            p.stakes[i] = bondingManager.transcoderTotalStake(id);
            id = bondingManager.getNextTranscoderInPool(id);
        }
    }

    /// @dev Hints for `delegate`'s stake becoming `newStake`, and `p` updated as SortedListLib will update
    /// the pool: a member stays put while its neighbours bracket the new stake, else moves; a registered non-member joins (evicting the tail of a full pool if it
    /// beats it); anyone else is not in the pool and needs no hint. Apply changes in the order the
    /// contract makes them (old delegate before new delegate).
    function _hint(Pool memory p, address delegate, uint256 newStake, bool registered)
        internal
        pure
        returns (address prev, address next)
    {
        uint256 at = _indexOf(p, delegate);
        if (at == type(uint256).max) {
            if (!registered || newStake == 0) return (address(0), address(0));
            if (p.size == p.maxSize) {
                if (p.size == 0 || newStake <= p.stakes[p.size - 1]) return (address(0), address(0));
                p.size--; // the tail is evicted
            }
        } else {
            // A member whose neighbours still bracket the new stake stays where it is (ties included).
            if ((at == 0 || p.stakes[at - 1] >= newStake) && (at + 1 == p.size || newStake >= p.stakes[at + 1])) {
                p.stakes[at] = newStake;
                return (at == 0 ? address(0) : p.ids[at - 1], at + 1 == p.size ? address(0) : p.ids[at + 1]);
            }
            _removeAt(p, at);
        }
        // Ties go ahead of existing equal keys: the new position is before the first stake <= newStake.
        uint256 pos;
        while (pos < p.size && p.stakes[pos] > newStake) {
            pos++;
        }
        prev = pos == 0 ? address(0) : p.ids[pos - 1];
        next = pos == p.size ? address(0) : p.ids[pos];
        for (uint256 i = p.size; i > pos; i--) {
            (p.ids[i], p.stakes[i]) = (p.ids[i - 1], p.stakes[i - 1]);
        }
        (p.ids[pos], p.stakes[pos]) = (delegate, newStake);
        p.size++;
    }

    /// @dev Hints of `bondWithHint(amount, to, ...)` by the sender: [old delegate prev, next, new
    /// delegate prev, next]. A bond moving to another delegate leaves the old one first.
    function _bondHints(uint256 amount, address to) internal view returns (address[4] memory h) {
        Pool memory p = _pool();
        uint256 bonded = _bonded(sender);
        address oldDelegate = _delegate(sender);
        bool moving = bonded != 0 && oldDelegate != to;
        if (moving) {
            (h[0], h[1]) = _hint(p, oldDelegate, bondingManager.transcoderTotalStake(oldDelegate) - bonded, false);
        }
        uint256 stake = bondingManager.transcoderTotalStake(to) + amount + (moving ? bonded : 0);
        (h[2], h[3]) = _hint(p, to, stake, to == sender || bondingManager.isRegisteredTranscoder(to));
    }

    /// @dev `delegate` leaves the pool (a transcoder unbonding everything resigns).
    function _leave(Pool memory p, address delegate) internal pure {
        uint256 at = _indexOf(p, delegate);
        if (at != type(uint256).max) _removeAt(p, at);
    }

    function _indexOf(Pool memory p, address id) internal pure returns (uint256) {
        for (uint256 i; i < p.size; i++) {
            if (p.ids[i] == id) return i;
        }
        return type(uint256).max;
    }

    function _removeAt(Pool memory p, uint256 at) internal pure {
        for (uint256 i = at; i + 1 < p.size; i++) {
            (p.ids[i], p.stakes[i]) = (p.ids[i + 1], p.stakes[i + 1]);
        }
        p.size--;
    }
}
