// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @notice Formats one row of a printed gas table: operation, our gas, the reference's, and the ratio.
library GasTable {
    function row(string memory name, uint256 ours, uint256 ref, uint256 nameWidth)
        internal
        pure
        returns (string memory)
    {
        return string.concat(
            pad(name, nameWidth), pad(Strings.toString(ours), 8), pad(Strings.toString(ref), 11), ratio(ours, ref)
        );
    }

    /// @dev ours / ref with three decimals, truncated.
    function ratio(uint256 ours, uint256 ref) internal pure returns (string memory) {
        uint256 permille = ours * 1000 / ref;
        bytes memory decimals = bytes(Strings.toString(1000 + permille % 1000));
        return string.concat(
            Strings.toString(permille / 1000), ".", string(abi.encodePacked(decimals[1], decimals[2], decimals[3]))
        );
    }

    function pad(string memory s, uint256 width) internal pure returns (string memory) {
        bytes memory b = bytes(s);
        if (b.length >= width) return s;
        bytes memory out = new bytes(width);
        for (uint256 i; i < width; i++) {
            out[i] = i < b.length ? b[i] : bytes1(" ");
        }
        return string(out);
    }
}
