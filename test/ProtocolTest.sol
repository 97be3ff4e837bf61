// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../contracts/BondingManager.sol";
import {BondingVotes} from "../contracts/governance/BondingVotes.sol";
import {BaseTest} from "./BaseTest.sol";

/// @notice The whole protocol with the real BondingManager (Arbitrum-like parameters), plus helpers
/// for the actions most tests start from.
abstract contract ProtocolTest is BaseTest {
    uint64 internal constant UNBONDING_PERIOD = 7;
    uint256 internal constant NUM_ACTIVE_TRANSCODERS = 10;
    uint256 internal constant TREASURY_CUT_RATE = 1e26; // 10%
    uint256 internal constant TREASURY_CEILING = 750_000 ether;

    BondingManager internal bm;
    BondingVotes internal bondingVotes;

    function setUp() public virtual override {
        super.setUp();
        bondingVotes = BondingVotes(
            _proxy(address(new BondingVotes()), abi.encodeCall(BondingVotes.initialize, (address(controller))))
        );
        bm = BondingManager(
            _proxy(
                address(
                    new BondingManager(address(token), address(bondingVotes), address(roundsManager), address(minter))
                ),
                abi.encodeCall(
                    BondingManager.initialize,
                    (address(controller), UNBONDING_PERIOD, NUM_ACTIVE_TRANSCODERS, TREASURY_CUT_RATE, TREASURY_CEILING)
                )
            )
        );
        vm.startPrank(owner);
        _register("BondingManager", address(bm));
        _register("BondingVotes", address(bondingVotes));
        vm.stopPrank();
        vm.label(address(bm), "BondingManager");
        vm.label(address(bondingVotes), "BondingVotes");
        roundsManager.initializeRound();
    }

    /* HELPERS */

    /// @dev Gives `who` LPT from the genesis holder and approves the BondingManager.
    function _fund(address who, uint256 amount) internal {
        vm.prank(owner);
        token.transfer(who, amount);
        vm.prank(who);
        token.approve(address(bm), type(uint256).max);
    }

    function _bond(address delegator, uint256 amount, address to) internal {
        _fund(delegator, amount);
        vm.prank(delegator);
        bm.bond(amount, to);
    }

    /// @dev Self-bonds `stake` and sets the commission: active from the next round if there is room.
    function _registerTranscoder(address transcoder, uint256 stake, uint256 rewardCut, uint256 feeShare) internal {
        _bond(transcoder, stake, transcoder);
        vm.prank(transcoder);
        bm.transcoder(rewardCut, feeShare);
    }

    function _reward(address transcoder) internal {
        vm.prank(transcoder);
        bm.reward();
    }

    /// @dev Pays `fees` wei of winning tickets to `transcoder` as the TicketBroker would.
    function _payFees(address transcoder, uint256 fees) internal {
        vm.deal(ticketBroker, fees);
        vm.startPrank(ticketBroker);
        minter.depositETH{value: fees}();
        bm.updateTranscoderWithFees(transcoder, fees, roundsManager.currentRound());
        vm.stopPrank();
    }

    function _pendingStake(address delegator) internal view returns (uint256) {
        return bm.pendingStake(delegator, 0);
    }

    function _pendingFees(address delegator) internal view returns (uint256) {
        return bm.pendingFees(delegator, 0);
    }

    function _bondedAmount(address delegator) internal view returns (uint256 bonded) {
        (bonded,,,,,,) = bm.getDelegator(delegator);
    }
}
