// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IMinter} from "../../contracts/interfaces/IMinter.sol";

/// @notice Test double registered as "BondingManager" in the Minter and RoundsManager unit tests, so
/// they control the active stake directly. It models only the hand-over RoundsManager triggers, and
/// records how it was called.
contract BondingManagerMock {
    uint256 public currentRoundTotalActiveStake;
    uint256 public nextRoundTotalActiveStake;

    uint256 public setCalls;
    /// @dev Minter's mintable supply seen when RoundsManager called in: proves the call came first.
    uint256 public mintableSeenAtSet;
    IMinter public immutable minter;

    constructor(IMinter minter_) {
        minter = minter_;
    }

    function setNextRoundTotalActiveStake(uint256 stake) external {
        nextRoundTotalActiveStake = stake;
    }

    function setCurrentRoundTotalActiveStake() external {
        setCalls++;
        mintableSeenAtSet = minter.currentMintableTokens();
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
    }
}
