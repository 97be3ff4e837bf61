// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingVotes} from "../../contracts/interfaces/IBondingVotes.sol";

/// @notice Test double of BondingVotes for the governor's unit tests: the clock is a settable round, and
/// past votes, past total supply and delegates are set per round directly. Past lookups revert for
/// rounds that have not finished, as BondingVotes does; the BondingManager hooks are not modelled.
contract BondingVotesMock is IBondingVotes {
    uint48 internal _round;
    mapping(address account => mapping(uint256 round => uint256)) internal _pastVotes;
    mapping(uint256 round => uint256) internal _pastTotalSupply;
    mapping(address account => mapping(uint256 round => address)) internal _delegatedAt;

    /* SETTERS */

    function setClock(uint48 round) external {
        _round = round;
    }

    function setPastVotes(address account, uint256 round, uint256 amount) external {
        _pastVotes[account][round] = amount;
    }

    function setPastTotalSupply(uint256 round, uint256 amount) external {
        _pastTotalSupply[round] = amount;
    }

    function setDelegatedAt(address account, uint256 round, address delegateAddress) external {
        _delegatedAt[account][round] = delegateAddress;
    }

    /* IBondingVotes */

    function name() external pure returns (string memory) {
        return "Livepeer Voting Power";
    }

    function symbol() external pure returns (string memory) {
        return "vLPT";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function clock() external view returns (uint48) {
        return _round;
    }

    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=livepeer_round";
    }

    function getVotes(address account) external view returns (uint256) {
        return _pastVotes[account][_round];
    }

    function getPastVotes(address account, uint256 round) external view returns (uint256) {
        _requirePast(round);
        return _pastVotes[account][round];
    }

    function totalSupply() external view returns (uint256) {
        return _pastTotalSupply[_round];
    }

    function getPastTotalSupply(uint256 round) external view returns (uint256) {
        _requirePast(round);
        return _pastTotalSupply[round];
    }

    function delegates(address account) external view returns (address) {
        return _delegatedAt[account][_round];
    }

    function delegatedAt(address account, uint256 round) external view returns (address) {
        return _delegatedAt[account][round];
    }

    function delegate(address) external pure {
        revert MustCallBondingManager("bond");
    }

    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert MustCallBondingManager("bond");
    }

    function checkpointBondingState(Phase, uint256, address, Bonding calldata, uint256) external view {
        revert InvalidCaller(msg.sender, address(0));
    }

    function hasCheckpoint(address) external pure returns (bool) {
        return false;
    }

    function getTotalActiveStakeAt(uint256 round) external view returns (uint256) {
        return round == 0 ? 0 : _pastTotalSupply[round - 1];
    }

    function getVotesAndDelegateAtRoundStart(address account, uint256 round) external view returns (uint256, address) {
        return round == 0 ? (0, address(0)) : (_pastVotes[account][round - 1], _delegatedAt[account][round - 1]);
    }

    function _requirePast(uint256 round) internal view {
        require(round < _round, FutureLookup(round, _round == 0 ? 0 : _round - 1));
    }
}
