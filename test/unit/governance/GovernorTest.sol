// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../../../contracts/Controller.sol";
import {LivepeerToken} from "../../../contracts/LivepeerToken.sol";
import {LivepeerGovernor} from "../../../contracts/governance/LivepeerGovernor.sol";
import {Treasury} from "../../../contracts/governance/Treasury.sol";
import {BondingVotesMock} from "../../mocks/BondingVotesMock.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Governor, Treasury and a Controller with a BondingVotes mock whose clock is the round.
/// Arbitrum One's parameters: 1 round of delay, 10 rounds of voting, 100 LPT to propose, 33.33% quorum,
/// 50% quota, no timelock delay.
abstract contract GovernorTest is Test {
    uint48 internal constant VOTING_DELAY = 1;
    uint32 internal constant VOTING_PERIOD = 10;
    uint256 internal constant PROPOSAL_THRESHOLD = 100 ether;
    uint256 internal constant QUORUM = 333_300;
    uint256 internal constant QUOTA = 500_000;
    uint48 internal constant START_ROUND = 1000;
    uint256 internal constant TREASURY_LPT = 1_000_000 ether;
    /// @dev Total active stake at every round unless a test sets another.
    uint256 internal constant TOTAL_SUPPLY = 10_000 ether;

    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;

    address internal owner = makeAddr("owner");
    address internal proposer = makeAddr("proposer");
    address internal transcoder = makeAddr("transcoder");
    address internal transcoder2 = makeAddr("transcoder2");
    address internal delegator = makeAddr("delegator");
    address internal delegator2 = makeAddr("delegator2");
    address internal recipient = makeAddr("recipient");
    address internal attacker = makeAddr("attacker");

    Controller internal controller;
    LivepeerToken internal lpt;
    BondingVotesMock internal bondingVotes;
    Treasury internal treasury;
    LivepeerGovernor internal governor;

    function setUp() public virtual {
        // A real timestamp: at 1 (forge's default) a scheduled operation with no delay reads as done.
        vm.warp(1_700_000_000);
        vm.startPrank(owner);
        controller = new Controller(owner);
        lpt = new LivepeerToken(owner);
        bondingVotes = new BondingVotesMock();
        bondingVotes.setClock(START_ROUND);

        // The governor must exist to be the proposer, and the Treasury must be registered to
        // initialize the governor: the owner wires the roles in between, then steps down as admin.
        address[] memory anyone = new address[](1);
        treasury = new Treasury(0, new address[](0), anyone, owner);
        _register("BondingVotes", address(bondingVotes));
        _register("Treasury", address(treasury));
        governor = _deployGovernor(QUOTA);
        _register("LivepeerGovernor", address(governor));
        treasury.grantRole(treasury.PROPOSER_ROLE(), address(governor));
        treasury.grantRole(treasury.CANCELLER_ROLE(), address(governor));
        treasury.renounceRole(treasury.DEFAULT_ADMIN_ROLE(), owner);

        lpt.mint(address(treasury), TREASURY_LPT);
        vm.stopPrank();

        vm.label(address(controller), "Controller");
        vm.label(address(lpt), "LivepeerToken");
        vm.label(address(bondingVotes), "BondingVotesMock");
        vm.label(address(treasury), "Treasury");
        vm.label(address(governor), "LivepeerGovernor");
    }

    /* DEPLOYMENT */

    function _deployGovernor(uint256 quota) internal returns (LivepeerGovernor) {
        return LivepeerGovernor(
            payable(address(
                    new ERC1967Proxy(
                        address(new LivepeerGovernor()),
                        abi.encodeCall(
                            LivepeerGovernor.initialize,
                            (address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM, quota)
                        )
                    )
                ))
        );
    }

    function _register(string memory name, address addr) internal {
        controller.setContractInfo(keccak256(bytes(name)), addr, bytes20(keccak256(bytes(name))));
    }

    /* STAKE AT A ROUND */

    /// @dev A registered transcoder at `round`: self-delegated, its weight includes its delegators'.
    function _setTranscoder(address account, uint256 round, uint256 weight) internal {
        bondingVotes.setDelegatedAt(account, round, account);
        bondingVotes.setPastVotes(account, round, weight);
    }

    function _setDelegator(address account, address delegate, uint256 round, uint256 weight) internal {
        bondingVotes.setDelegatedAt(account, round, delegate);
        bondingVotes.setPastVotes(account, round, weight);
    }

    /* PROPOSALS */

    struct Proposal {
        uint256 id;
        address[] targets;
        uint256[] values;
        bytes[] calldatas;
        string description;
        bytes32 descriptionHash;
    }

    /// @dev A proposal that the Treasury run `data` on `target`, by `proposer` (with the threshold's stake).
    function _propose(address target, bytes memory data, string memory description)
        internal
        returns (Proposal memory p)
    {
        p.targets = new address[](1);
        p.targets[0] = target;
        p.values = new uint256[](1);
        p.calldatas = new bytes[](1);
        p.calldatas[0] = data;
        p.description = description;
        p.descriptionHash = keccak256(bytes(description));
        _setTranscoder(proposer, bondingVotes.clock() - 1, PROPOSAL_THRESHOLD);
        bondingVotes.setPastTotalSupply(bondingVotes.clock() + VOTING_DELAY, TOTAL_SUPPLY);
        vm.prank(proposer);
        p.id = governor.propose(p.targets, p.values, p.calldatas, description);
    }

    /// @dev The Treasury pays `amount` LPT to the recipient.
    function _proposeGrant(uint256 amount) internal returns (Proposal memory) {
        return _propose(address(lpt), abi.encodeCall(lpt.transfer, (recipient, amount)), "LIP-X: grant");
    }

    /// @dev First round in which votes count.
    function _activate(uint256 proposalId) internal {
        bondingVotes.setClock(uint48(governor.proposalSnapshot(proposalId) + 1));
    }

    /// @dev First round after the vote.
    function _end(uint256 proposalId) internal {
        bondingVotes.setClock(uint48(governor.proposalDeadline(proposalId) + 1));
    }

    function _vote(uint256 proposalId, address voter, uint8 support) internal {
        vm.prank(voter);
        governor.castVote(proposalId, support);
    }

    function _queue(Proposal memory p) internal {
        governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash);
    }

    function _execute(Proposal memory p) internal {
        governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash);
    }

    /// @dev Proposes `data` on `target`, passes it with a transcoder holding all the stake, queues and executes it.
    function _pass(address target, bytes memory data, string memory description) internal returns (Proposal memory p) {
        p = _passAndQueue(target, data, description);
        _execute(p);
        assertEq(uint8(governor.state(p.id)), uint8(IGovernor.ProposalState.Executed), "executed");
    }

    /// @dev Proposes `data` on `target`, passes it with a transcoder holding all the stake and queues it.
    function _passAndQueue(address target, bytes memory data, string memory description)
        internal
        returns (Proposal memory p)
    {
        p = _propose(target, data, description);
        _setTranscoder(transcoder, governor.proposalSnapshot(p.id), TOTAL_SUPPLY);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _end(p.id);
        _queue(p);
    }

    function _tally(uint256 proposalId)
        internal
        view
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)
    {
        return governor.proposalVotes(proposalId);
    }

    function _snapshot(uint256 proposalId) internal view returns (uint256) {
        return governor.proposalSnapshot(proposalId);
    }
}
