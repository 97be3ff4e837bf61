// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LivepeerGovernor} from "../../../contracts/governance/LivepeerGovernor.sol";
import {Treasury} from "../../../contracts/governance/Treasury.sol";
import {Test} from "forge-std/Test.sol";

/// @notice The governor and the Treasury must fit EIP-170 (24,576 bytes of runtime code) to be deployable.
contract GovernanceCodeSizeTest is Test {
    uint256 internal constant EIP170_LIMIT = 24_576;

    function test_codeSize_governanceFitsEip170() public {
        assertLe(address(new LivepeerGovernor()).code.length, EIP170_LIMIT, "LivepeerGovernor");
        assertLe(
            address(new Treasury(0, new address[](0), new address[](0), address(this))).code.length,
            EIP170_LIMIT,
            "Treasury"
        );
    }
}
