// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ILivepeerToken
/// @notice LPT: ERC20 with permit and burn; new supply comes only from the minter.
interface ILivepeerToken is IERC20 {
    /// @notice Emitted when the right to mint moves (genesis deployer -> Minter -> a migrated Minter).
    event MinterTransferred(address indexed previousMinter, address indexed newMinter);

    /// @notice Only the current minter may call this.
    error CallerNotMinter(address caller);
    /// @notice The minter cannot be the zero address.
    error ZeroMinter();

    /// @notice The only address allowed to mint.
    function minter() external view returns (address);

    /// @notice Mints `amount` to `to`. Minter only.
    function mint(address to, uint256 amount) external;

    /// @notice Hands the right to mint to `newMinter`. Minter only.
    function transferMinter(address newMinter) external;

    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external;

    /// @notice Burns `amount` of `account`'s tokens using the caller's allowance.
    function burnFrom(address account, uint256 amount) external;
}
