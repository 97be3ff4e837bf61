// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RoundsManager} from "../../../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../../../contracts/ServiceRegistry.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {BaseTest} from "../../BaseTest.sol";
import {RoundsManagerV2, ServiceRegistryV2} from "../../mocks/UpgradeMocks.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";

/// @notice UUPS upgrades: only the protocol owner upgrades, nobody re-initializes, state survives.
contract UpgradeTest is BaseTest {
    function test_upgrade_roundsManagerKeepsState() public {
        roundsManager.initializeRound();
        vm.roll(START_BLOCK + 130);
        vm.prank(owner);
        roundsManager.setRoundLength(60);
        uint256 round = roundsManager.currentRound();
        bytes32 hash = roundsManager.blockHashForRound(10_000);

        address v2 = address(new RoundsManagerV2());
        vm.expectEmit(address(roundsManager));
        emit IERC1967.Upgraded(v2);
        vm.prank(owner);
        roundsManager.upgradeToAndCall(v2, "");

        assertEq(RoundsManagerV2(address(roundsManager)).version(), 2, "new code");
        assertEq(roundsManager.currentRound(), round, "round");
        assertEq(roundsManager.roundLength(), 60, "length");
        assertEq(roundsManager.lastInitializedRound(), 10_000, "last initialized");
        assertEq(roundsManager.blockHashForRound(10_000), hash, "block hash");
        assertEq(roundsManager.roundLockAmount(), ROUND_LOCK_AMOUNT, "lock");
        assertEq(address(roundsManager.controller()), address(controller), "controller");
    }

    function test_upgrade_serviceRegistryKeepsState() public {
        vm.prank(alice);
        serviceRegistry.setServiceURI("https://alice.example");
        address v2 = address(new ServiceRegistryV2());
        vm.prank(owner);
        serviceRegistry.upgradeToAndCall(v2, "");
        assertEq(ServiceRegistryV2(address(serviceRegistry)).version(), 2, "new code");
        assertEq(serviceRegistry.getServiceURI(alice), "https://alice.example", "uri kept");
    }

    function test_upgrade_revertsIfNotProtocolOwner() public {
        address v2 = address(new RoundsManagerV2());
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        roundsManager.upgradeToAndCall(v2, "");

        address srV2 = address(new ServiceRegistryV2());
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        serviceRegistry.upgradeToAndCall(srV2, "");
    }

    function test_upgrade_followsControllerOwnership() public {
        vm.prank(owner);
        controller.transferOwnership(alice);
        address v2 = address(new RoundsManagerV2());
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, owner));
        vm.prank(owner);
        roundsManager.upgradeToAndCall(v2, "");
        vm.prank(alice);
        roundsManager.upgradeToAndCall(v2, "");
        assertEq(RoundsManagerV2(address(roundsManager)).version(), 2, "upgraded by new owner");
    }

    function test_initialize_revertsOnProxyReinitialization() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vm.prank(attacker);
        roundsManager.initialize(attacker, 1, 0);

        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vm.prank(attacker);
        serviceRegistry.initialize(attacker);
    }

    function test_initialize_revertsOnImplementation() public {
        RoundsManager impl = new RoundsManager();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(attacker, 1, 0);

        ServiceRegistry srImpl = new ServiceRegistry();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        srImpl.initialize(attacker);
    }

    function test_initialize_revertsOnReinitializationAfterUpgrade() public {
        address v2 = address(new RoundsManagerV2());
        vm.prank(owner);
        roundsManager.upgradeToAndCall(v2, "");
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        roundsManager.initialize(attacker, 1, 0);
    }
}
