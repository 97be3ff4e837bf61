// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IServiceRegistry} from "../../../contracts/interfaces/IServiceRegistry.sol";
import {BaseTest} from "../../BaseTest.sol";

contract SetServiceURITest is BaseTest {
    function test_setServiceURI_storesPerCaller() public {
        vm.expectEmit(address(serviceRegistry));
        emit IServiceRegistry.ServiceURIUpdate(alice, "https://orch.example:8935");
        vm.prank(alice);
        serviceRegistry.setServiceURI("https://orch.example:8935");

        assertEq(serviceRegistry.getServiceURI(alice), "https://orch.example:8935", "alice");
        assertEq(serviceRegistry.getServiceURI(bob), "", "bob has none");
    }

    function test_setServiceURI_overwrites() public {
        vm.startPrank(alice);
        serviceRegistry.setServiceURI("https://a.example");
        serviceRegistry.setServiceURI("");
        vm.stopPrank();
        assertEq(serviceRegistry.getServiceURI(alice), "", "cleared");
    }

    function testFuzz_setServiceURI_roundTrips(address caller, string calldata uri) public {
        vm.prank(caller);
        serviceRegistry.setServiceURI(uri);
        assertEq(serviceRegistry.getServiceURI(caller), uri, "round trip");
    }
}
