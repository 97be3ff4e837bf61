// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../BaseTest.sol";

/// @notice Committed gas snapshots (test/snapshots/ProtocolGasTest.json), compared in CI.
/// Run with `forge test --isolate` (as `make test` and `make snapshot` do): every call is then its own
/// transaction, so a figure is the transaction gas (21,000 + calldata + cold execution) and compares
/// directly with the live protocol's. initializeRound and the BondingManager operations are measured
/// against the real BondingManager in BondingGas.t.sol.
contract ProtocolGasTest is BaseTest {
    function setUp() public override {
        super.setUp();
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY / 2);
        _nextRound(); // steady state: one round already initialized
        _fundMinter(1000 ether);
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
    }

    function test_gas_createReward() public {
        roundsManager.initializeRound();
        vm.prank(address(bondingManager));
        minter.createReward(1, 100);
        vm.snapshotGasLastCall("createReward");
    }

    function test_gas_tokenTransfer() public {
        vm.prank(owner);
        token.transfer(alice, 1 ether);
        vm.snapshotGasLastCall("tokenTransfer");
    }

    /// @notice A first allowance (what a delegator gives the BondingManager before bonding).
    function test_gas_tokenApprove() public {
        vm.prank(alice);
        token.approve(bob, 1 ether);
        vm.snapshotGasLastCall("tokenApprove");
        assertEq(token.allowance(alice, bob), 1 ether, "allowance set");
    }

    function test_gas_setServiceURI() public {
        vm.prank(alice);
        serviceRegistry.setServiceURI("https://orchestrator.example.com:8935");
        vm.snapshotGasLastCall("setServiceURI");
    }
}
