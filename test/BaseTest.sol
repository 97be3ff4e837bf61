// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../contracts/Controller.sol";
import {LivepeerToken} from "../contracts/LivepeerToken.sol";
import {Minter} from "../contracts/Minter.sol";
import {RoundsManager} from "../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../contracts/ServiceRegistry.sol";
import {BondingManagerMock} from "./mocks/BondingManagerMock.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Deploys and wires the protocol's first half with named actors and Arbitrum-like parameters
/// (short rounds so tests move quickly).
abstract contract BaseTest is Test {
    uint256 internal constant ROUND_LENGTH = 100;
    uint256 internal constant ROUND_LOCK_AMOUNT = 100_000; // 10%
    uint256 internal constant INFLATION = 220_500; // 0.02205% per round, 1e9 scale
    uint256 internal constant INFLATION_CHANGE = 500;
    uint256 internal constant TARGET_BONDING_RATE = 500_000_000; // 50%
    uint256 internal constant GENESIS_SUPPLY = 30_000_000 ether;
    uint256 internal constant START_BLOCK = 1_000_000;

    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal attacker = makeAddr("attacker");
    address internal ticketBroker = makeAddr("ticketBroker");
    address internal treasury = makeAddr("treasury");

    Controller internal controller;
    LivepeerToken internal token;
    Minter internal minter;
    RoundsManager internal roundsManager;
    ServiceRegistry internal serviceRegistry;
    BondingManagerMock internal bondingManager;

    function setUp() public virtual {
        vm.roll(START_BLOCK);
        vm.startPrank(owner);
        controller = new Controller(owner);
        token = new LivepeerToken(owner);
        token.mint(owner, GENESIS_SUPPLY);
        minter = new Minter(address(controller), address(token), INFLATION, INFLATION_CHANGE, TARGET_BONDING_RATE);
        token.transferMinter(address(minter));

        roundsManager = RoundsManager(
            _proxy(
                address(new RoundsManager()),
                abi.encodeCall(RoundsManager.initialize, (address(controller), ROUND_LENGTH, ROUND_LOCK_AMOUNT))
            )
        );
        serviceRegistry = ServiceRegistry(
            _proxy(address(new ServiceRegistry()), abi.encodeCall(ServiceRegistry.initialize, (address(controller))))
        );
        bondingManager = new BondingManagerMock(minter);

        _register("LivepeerToken", address(token));
        _register("Minter", address(minter));
        _register("RoundsManager", address(roundsManager));
        _register("ServiceRegistry", address(serviceRegistry));
        _register("BondingManager", address(bondingManager));
        _register("TicketBroker", ticketBroker);
        _register("JobsManager", ticketBroker);
        _register("Treasury", treasury);
        vm.stopPrank();

        vm.label(address(controller), "Controller");
        vm.label(address(token), "LivepeerToken");
        vm.label(address(minter), "Minter");
        vm.label(address(roundsManager), "RoundsManager");
        vm.label(address(serviceRegistry), "ServiceRegistry");
        vm.label(address(bondingManager), "BondingManagerMock");
    }

    /* HELPERS */

    function _proxy(address implementation, bytes memory initData) internal returns (address) {
        return address(new ERC1967Proxy(implementation, initData));
    }

    function _register(string memory name, address addr) internal {
        controller.setContractInfo(keccak256(bytes(name)), addr, bytes20(keccak256(bytes(name))));
    }

    /// @dev Rolls to the first block of the next round and initializes it.
    function _nextRound() internal returns (uint256 round) {
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
        roundsManager.initializeRound();
        return roundsManager.currentRound();
    }

    /// @dev Gives the Minter `amount` LPT of custody (as bonding would), out of the owner's genesis supply.
    function _fundMinter(uint256 amount) internal {
        vm.prank(owner);
        token.transfer(address(minter), amount);
    }

    function _pause() internal {
        vm.prank(owner);
        controller.pause();
    }
}
