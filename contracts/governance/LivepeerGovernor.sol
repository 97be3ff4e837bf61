// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "../ManagerUpgradeable.sol";
import {IBondingVotes} from "../interfaces/IBondingVotes.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {GovernorCountingOverridable} from "./GovernorCountingOverridable.sol";
import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {
    TimelockControllerUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {
    GovernorSettingsUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {
    GovernorTimelockControlUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorTimelockControlUpgradeable.sol";
import {
    GovernorVotesQuorumFractionUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {
    GovernorVotesUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesUpgradeable.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/// @title LivepeerGovernor
/// @notice The stake-weighted governor of the Treasury (see ILivepeerGovernor): OpenZeppelin's Governor
/// with settings, votes and quorum from BondingVotes (rounds as the clock), execution through the
/// Treasury timelock, and overridable counting.
/// @dev Answers every function of ILivepeerGovernor but cannot inherit it: OpenZeppelin's `token()`
/// returns IERC5805 where the interface says `address` (same ABI).
contract LivepeerGovernor is
    ManagerUpgradeable,
    GovernorUpgradeable,
    GovernorSettingsUpgradeable,
    GovernorTimelockControlUpgradeable,
    GovernorVotesUpgradeable,
    GovernorVotesQuorumFractionUpgradeable,
    GovernorCountingOverridable
{
    /// @custom:storage-location erc7201:livepeer.storage.LivepeerGovernor
    struct LivepeerGovernorStorage {
        IERC5805 token;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.LivepeerGovernor")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant GOVERNOR_STORAGE = 0x1de91ffcef1671c042121320e5b26caa4c7c3c1b35a69418d3d0cff209a57900;

    /// @notice Wires the proxy to `controller_`, the BondingVotes and the Treasury registered there,
    /// and sets the parameters (rounds, LPT, and 1e6 fractions for the quorum and the quota).
    function initialize(
        address controller_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumNumerator_,
        uint256 quota_
    ) external initializer {
        __Manager_init(controller_);
        __Governor_init("LivepeerGovernor");
        __GovernorSettings_init(votingDelay_, votingPeriod_, proposalThreshold_);
        address treasury = _contract(TREASURY);
        require(treasury != address(0), ZeroAddress());
        __GovernorTimelockControl_init(TimelockControllerUpgradeable(payable(treasury)));
        // GovernorVotes' own token slot is left unset: `token()` is overridden (see there).
        _bumpToken();
        __GovernorVotesQuorumFraction_init(quorumNumerator_);
        __GovernorCountingOverridable_init(quota_);
    }

    /* VOTES */

    /// @notice Re-reads `BondingVotes` from the Controller (after the Controller owner registered a new one).
    /// @dev Anyone may call it: the address comes from the Controller, which only its owner writes.
    function bumpGovernorVotesTokenAddress() external {
        _bumpToken();
    }

    /// @notice The voting token: the BondingVotes registered at initialization or at the last bump.
    /// @dev OpenZeppelin 5 keeps the token in GovernorVotes' namespace, written only while initializing
    /// and read only through this virtual getter. Overriding the getter over our own slot is the
    /// sanctioned hook; a reinitializer would spend the contract's initializer versions on every bump.
    function token() public view override returns (IERC5805) {
        return _livepeerGovernorStorage().token;
    }

    /// @notice The BondingVotes registered in the Controller now.
    function votes() public view override returns (IBondingVotes) {
        return IBondingVotes(_contract(BONDING_VOTES));
    }

    /// @notice Quorum and quota fractions are over 1e6, as every percentage of the protocol.
    function quorumDenominator() public pure override returns (uint256) {
        return MathLib.PERC_DIVISOR;
    }

    /* OVERRIDES REQUIRED BY SOLIDITY (each defers to OpenZeppelin's order) */

    function state(uint256 proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (ProposalState)
    {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function proposalThreshold()
        public
        view
        override(GovernorUpgradeable, GovernorSettingsUpgradeable)
        returns (uint256)
    {
        return super.proposalThreshold();
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor()
        internal
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (address)
    {
        return super._executor();
    }

    /* INTERNAL */

    function _bumpToken() private {
        IBondingVotes bondingVotes = votes();
        require(address(bondingVotes) != address(0), ZeroAddress());
        _livepeerGovernorStorage().token = IERC5805(address(bondingVotes));
    }

    function _livepeerGovernorStorage() private pure returns (LivepeerGovernorStorage storage $) {
        assembly {
            $.slot := GOVERNOR_STORAGE
        }
    }
}
