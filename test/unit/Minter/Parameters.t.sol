// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Minter} from "../../../contracts/Minter.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../../BaseTest.sol";

/// @notice Constructor, setTargetBondingRate, setInflationChange and the views.
contract ParametersTest is BaseTest {
    function test_constructor_setsParameters() public view {
        assertEq(minter.inflation(), INFLATION, "inflation");
        assertEq(minter.inflationChange(), INFLATION_CHANGE, "change");
        assertEq(minter.targetBondingRate(), TARGET_BONDING_RATE, "target");
        assertEq(address(minter.controller()), address(controller), "controller");
        assertEq(minter.getGlobalTotalSupply(), GENESIS_SUPPLY, "supply");
    }

    function test_constructor_revertsOnRatesAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(IMinter.RateAboveOne.selector, 1e9 + 1));
        new Minter(address(controller), address(token), 1e9 + 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IMinter.RateAboveOne.selector, 1e9 + 1));
        new Minter(address(controller), address(token), 0, 1e9 + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IMinter.RateAboveOne.selector, 1e9 + 1));
        new Minter(address(controller), address(token), 0, 0, 1e9 + 1);
    }

    function test_constructor_revertsOnZeroToken() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        new Minter(address(controller), address(0), 0, 0, 0);
    }

    function test_constructor_revertsOnZeroController() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        new Minter(address(0), address(token), 0, 0, 0);
    }

    function test_setTargetBondingRate() public {
        vm.expectEmit(address(minter));
        emit IMinter.TargetBondingRateSet(1e9);
        vm.prank(owner);
        minter.setTargetBondingRate(1e9);
        assertEq(minter.targetBondingRate(), 1e9, "target");
    }

    function test_setTargetBondingRate_revertsAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(IMinter.RateAboveOne.selector, 1e9 + 1));
        vm.prank(owner);
        minter.setTargetBondingRate(1e9 + 1);
    }

    function test_setTargetBondingRate_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        minter.setTargetBondingRate(1);
    }

    function test_setInflationChange() public {
        vm.expectEmit(address(minter));
        emit IMinter.InflationChangeSet(1000);
        vm.prank(owner);
        minter.setInflationChange(1000);
        assertEq(minter.inflationChange(), 1000, "change");
    }

    function test_setInflationChange_revertsAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(IMinter.RateAboveOne.selector, 1e9 + 1));
        vm.prank(owner);
        minter.setInflationChange(1e9 + 1);
    }

    function test_setInflationChange_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        minter.setInflationChange(1);
    }
}
