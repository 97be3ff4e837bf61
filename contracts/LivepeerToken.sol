// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ILivepeerToken} from "./interfaces/ILivepeerToken.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title LivepeerToken
/// @notice LPT. The deployer holds the right to mint until the genesis supply is out, then hands it
/// to the Minter with `transferMinter`; from then on only inflation rewards create LPT.
contract LivepeerToken is ILivepeerToken, ERC20, ERC20Permit, ERC20Burnable {
    /// @inheritdoc ILivepeerToken
    address public minter;

    constructor(address initialMinter) ERC20("Livepeer Token", "LPT") ERC20Permit("Livepeer Token") {
        require(initialMinter != address(0), ZeroMinter());
        minter = initialMinter;
        emit MinterTransferred(address(0), initialMinter);
    }

    /// @inheritdoc ILivepeerToken
    function mint(address to, uint256 amount) external {
        require(msg.sender == minter, CallerNotMinter(msg.sender));
        _mint(to, amount);
    }

    /// @inheritdoc ILivepeerToken
    function transferMinter(address newMinter) external {
        require(msg.sender == minter, CallerNotMinter(msg.sender));
        require(newMinter != address(0), ZeroMinter());
        emit MinterTransferred(msg.sender, newMinter);
        minter = newMinter;
    }

    /// @inheritdoc ILivepeerToken
    function burn(uint256 amount) public override(ILivepeerToken, ERC20Burnable) {
        super.burn(amount);
    }

    /// @inheritdoc ILivepeerToken
    function burnFrom(address account, uint256 amount) public override(ILivepeerToken, ERC20Burnable) {
        super.burnFrom(account, amount);
    }
}
