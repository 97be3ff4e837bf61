// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IMinter
/// @notice Custodian of all bonded and unbonding LPT and of protocol ETH, and the inflation controller.
/// @dev Inflation, inflationChange and targetBondingRate use a 1e9 divisor (100% = 1,000,000,000).
interface IMinter {
    /// @notice Emitted once per round when the round's mintable supply is fixed.
    event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation);
    /// @notice Emitted when the owner changes the target bonding rate.
    event TargetBondingRateSet(uint256 targetBondingRate);
    /// @notice Emitted when the owner changes the per-round inflation step.
    event InflationChangeSet(uint256 inflationChange);
    /// @notice Emitted when custody and minting rights move to `newMinter`.
    event MinterMigrated(address indexed newMinter, uint256 tokens, uint256 eth);

    /// @notice A 1e9-scaled rate above 100% (1e9) was given.
    error RateAboveOne(uint256 rate);
    /// @notice `createReward` was asked for a fraction with a zero denominator.
    error ZeroDenominator();
    /// @notice Minting `requested` would take the round's minted total past its mintable supply.
    error MintableExceeded(uint256 requested, uint256 remaining);
    /// @notice Sending `amount` wei to `to` failed.
    error EthTransferFailed(address to, uint256 amount);
    /// @notice The migration target is this Minter, or a Minter wired to another Controller.
    error InvalidNewMinter(address newMinter);

    /// @notice Mints the `fracNum / fracDenom` share of the round's mintable supply to the Minter.
    /// @dev BondingManager only, not while paused. Amount = mintable * (num * 1e9 / den) / 1e9.
    /// @return The amount minted.
    function createReward(uint256 fracNum, uint256 fracDenom) external returns (uint256);

    /// @notice Sends `amount` LPT held by the Minter to `to`. BondingManager only, not while paused.
    /// @dev Also grants the calling BondingManager an unlimited allowance over the Minter's LPT (and
    /// takes back that of a BondingManager registered before): the BondingManager pays later payouts
    /// out of the Minter's custody with `transferFrom`, which costs less than a call here.
    function trustedTransferTokens(address to, uint256 amount) external;

    /// @notice Burns `amount` LPT held by the Minter. BondingManager only, not while paused.
    function trustedBurnTokens(uint256 amount) external;

    /// @notice Sends `amount` wei held by the Minter to `to`.
    /// @dev BondingManager or TicketBroker (registered as JobsManager) only, not while paused.
    function trustedWithdrawETH(address payable to, uint256 amount) external;

    /// @notice Deposits ETH into the Minter. TicketBroker (JobsManager) or the registered Minter only.
    function depositETH() external payable returns (bool);

    /// @notice Moves inflation one step toward the target bonding rate and fixes the round's mintable supply.
    /// @dev RoundsManager only, during `initializeRound`, not while paused.
    function setCurrentRewardTokens() external;

    /// @notice Sets the target bonding rate (1e9 scale, <= 1e9). Owner only.
    function setTargetBondingRate(uint256 targetBondingRate) external;

    /// @notice Sets the per-round inflation step (1e9 scale, <= 1e9). Owner only.
    function setInflationChange(uint256 inflationChange) external;

    /// @notice Moves minting rights, every LPT and all ETH to `newMinter`. Owner only, while paused.
    function migrateToNewMinter(address newMinter) external;

    /// @notice Current per-round inflation (1e9 scale).
    function inflation() external view returns (uint256);

    /// @notice Step by which inflation moves each round.
    function inflationChange() external view returns (uint256);

    /// @notice Bonding rate the inflation steers toward (1e9 scale).
    function targetBondingRate() external view returns (uint256);

    /// @notice LPT mintable as rewards in the current round.
    function currentMintableTokens() external view returns (uint256);

    /// @notice LPT already minted as rewards in the current round.
    function currentMintedTokens() external view returns (uint256);

    /// @notice Total LPT supply the inflation is computed on.
    function getGlobalTotalSupply() external view returns (uint256);
}
