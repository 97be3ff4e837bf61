// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Refuses every ETH transfer.
contract RejectingReceiver {
    receive() external payable {
        revert("no thanks");
    }
}
