// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingVotes} from "../../contracts/interfaces/IBondingVotes.sol";
import {ILivepeerGovernor} from "../../contracts/interfaces/ILivepeerGovernor.sol";
import {ActionBase} from "./ActionBase.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice What the governance scripts share: the governor and its votes, the treasury grant every
/// proposal script rebuilds from the same inputs, and the proposal-state checks.
/// @dev The LivepeerGovernor and BondingVotes are resolved through the Controller; the Treasury is the
/// governor's timelock (the account that holds the treasury LPT and runs what passed). Timepoints are
/// rounds: a proposal's votes are the stake at the end of its snapshot round, and voting is open from
/// the round after the snapshot through the deadline round.
abstract contract GovernanceBase is ActionBase {
    /// @dev A treasury grant as a proposal: the Treasury calls `LivepeerToken.transfer(recipient, amount)`.
    struct Grant {
        uint256 amount;
        address recipient;
        string description;
        address[] targets;
        uint256[] values;
        bytes[] calldatas;
        bytes32 descriptionHash;
        uint256 id;
    }

    ILivepeerGovernor internal governor;
    IBondingVotes internal bondingVotes;
    /// @dev The governor's timelock (the Controller's "Treasury" on a wired deployment).
    address internal treasury;

    /// @dev `_setUp` plus the governance contracts. Call first in `run()`.
    function _setUpGovernance(string memory name) internal {
        _setUp(name);
        governor = ILivepeerGovernor(_resolve("LivepeerGovernor"));
        bondingVotes = IBondingVotes(_resolve("BondingVotes"));
        treasury = governor.timelock();
    }

    /* ENV */

    function _envString(string memory name, string memory what) internal view returns (string memory value) {
        try vm.envString(name) returns (string memory v) {
            value = v;
        } catch {
            revert(_msg(string.concat("set ", name, " to ", what)));
        }
        _check(bytes(value).length != 0, string.concat(name, " is empty: set it to ", what));
    }

    /// @dev The grant from env AMOUNT, RECIPIENT and DESCRIPTION (the same three for every proposal script).
    function _envGrant() internal view returns (Grant memory) {
        uint256 amount = _envUint("AMOUNT", "the LPT the Treasury pays, in wei");
        address recipient = _envAddress("RECIPIENT", "the account the Treasury pays");
        string memory description = _envString("DESCRIPTION", "the proposal's text (exactly as proposed)");
        _check(amount != 0, "AMOUNT is 0");
        _check(recipient != address(0), "RECIPIENT is the zero address");
        return _grant(amount, recipient, description);
    }

    /// @dev SUPPORT as the governor counts it: against 0, for 1, abstain 2.
    function _envSupport() internal view returns (uint8) {
        string memory word;
        try vm.envString("SUPPORT") returns (string memory v) {
            word = v;
        } catch {
            revert(_msg("set SUPPORT to for, against or abstain"));
        }
        return _support(word);
    }

    function _support(string memory word) internal view returns (uint8) {
        bytes32 w = keccak256(bytes(word));
        if (w == keccak256("against")) return 0;
        if (w == keccak256("for")) return 1;
        if (w == keccak256("abstain")) return 2;
        revert(_msg(string.concat("SUPPORT is \"", word, "\": set it to for, against or abstain")));
    }

    /* PROPOSALS */

    /// @dev The proposal that pays `amount` LPT from the Treasury to `recipient`, and its id.
    function _grant(uint256 amount, address recipient, string memory description)
        internal
        view
        returns (Grant memory g)
    {
        g.amount = amount;
        g.recipient = recipient;
        g.description = description;
        g.targets = new address[](1);
        g.targets[0] = address(token);
        g.values = new uint256[](1);
        g.calldatas = new bytes[](1);
        g.calldatas[0] = abi.encodeCall(IERC20.transfer, (recipient, amount));
        g.descriptionHash = keccak256(bytes(description));
        g.id = governor.hashProposal(g.targets, g.values, g.calldatas, g.descriptionHash);
    }

    /// @dev Stops unless proposal `id` exists; `hint` says which inputs name it.
    function _requireProposal(uint256 id, string memory hint) internal view {
        _check(
            governor.proposalSnapshot(id) != 0,
            string.concat("no proposal ", vm.toString(id), " on this governor (", hint, ")")
        );
    }

    /// @dev Stops unless proposal `id` is in state `expected`, saying its state, its voting rounds and,
    /// once voting has closed, its tally.
    function _requireState(uint256 id, IGovernor.ProposalState expected) internal view {
        IGovernor.ProposalState s = governor.state(id);
        if (s == expected) return;
        uint256 snapshot = governor.proposalSnapshot(id);
        uint256 deadline = governor.proposalDeadline(id);
        string memory message = string.concat(
            "proposal ",
            vm.toString(id),
            " is ",
            _stateName(s),
            ", not ",
            _stateName(expected),
            ": voting is open from round ",
            vm.toString(snapshot + 1),
            " through round ",
            vm.toString(deadline),
            " (current round ",
            vm.toString(governor.clock()),
            ")"
        );
        if (s == IGovernor.ProposalState.Defeated) message = string.concat(message, "; ", _tally(id));
        if (s == IGovernor.ProposalState.Succeeded && expected == IGovernor.ProposalState.Queued) {
            message = string.concat(message, "; queue it first (QueueProposal.s.sol)");
        }
        revert(_msg(message));
    }

    /// @dev "for X, against Y, abstain Z; quorum Q".
    function _tally(uint256 id) internal view returns (string memory) {
        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = governor.proposalVotes(id);
        return string.concat(
            "for ",
            _lpt(forVotes),
            ", against ",
            _lpt(againstVotes),
            ", abstain ",
            _lpt(abstainVotes),
            "; quorum ",
            _lpt(governor.quorum(governor.proposalSnapshot(id))),
            ", and for needs ",
            vm.toString(governor.quota() / 1e4),
            "% of for + against"
        );
    }

    function _stateName(IGovernor.ProposalState s) internal pure returns (string memory) {
        string[8] memory names =
            [string("Pending"), "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];
        return names[uint8(s)];
    }

    /// @dev The Treasury can pay the grant now.
    function _requireTreasuryFunds(uint256 amount) internal view {
        uint256 balance = token.balanceOf(treasury);
        _check(
            balance >= amount, string.concat("the Treasury holds only ", _lpt(balance), ", the grant is ", _lpt(amount))
        );
    }

    /// @dev The transcoder whose vote `voter`'s vote overrides on a proposal with this snapshot: its
    /// delegate at the snapshot when that delegate was self-delegated then, else none (a transcoder
    /// votes its own stake; stake bonded to a non-transcoder overrides nobody), as the governor counts.
    function _overridden(address voter, uint256 snapshot) internal view returns (address) {
        address delegate = bondingVotes.delegatedAt(voter, snapshot);
        if (delegate == voter || delegate == address(0)) return address(0);
        return bondingVotes.delegatedAt(delegate, snapshot) == delegate ? delegate : address(0);
    }
}
