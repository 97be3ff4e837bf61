// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Controller} from "../../contracts/Controller.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {RoundsManagerV2} from "../mocks/UpgradeMocks.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Next versions with the same storage, for upgrade campaigns.
contract BondingManagerV2 is BondingManager {
    constructor(address token_, address votes_, address rounds_, address minter_)
        BondingManager(token_, votes_, rounds_, minter_)
    {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract TicketBrokerV2 is TicketBroker {
    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice The whole protocol used at random: delegators bond and unbond, orchestrators reward and
/// withdraw fees, a broadcaster funds and pays winning tickets (replays attempted), rounds pass; and,
/// for the upgrade/pause campaign, the owner pauses, unpauses and upgrades the proxies (to V2s with
/// the same storage and back) while an attacker tries the same and re-initializations.
/// @dev Never reverts while the protocol runs (`fail_on_revert`); while paused every user action must
/// revert with SystemPaused, and a success is recorded as a violation.
contract ProtocolHandler is Test {
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    uint256 internal constant MAX_FACE = 1 ether;

    Controller internal immutable controller;
    LivepeerToken internal immutable token;
    Minter internal immutable minter;
    RoundsManager internal immutable rm;
    BondingManager internal immutable bm;
    TicketBroker internal immutable broker;
    address internal immutable owner;
    address internal immutable attacker = makeAddr("protocolAttacker");

    address[] public orchestrators;
    address[] public delegators;
    address public immutable broadcaster;
    uint256 internal immutable broadcasterKey;

    /// @dev Implementations the owner may pick, per proxy (0: BondingManager, 1: TicketBroker, 2: RoundsManager).
    address[2][3] internal implementations;

    /* GHOSTS */

    uint256 public ghostMinted;
    uint256 public ghostEthIn;
    uint256 public ghostEthOut;
    uint256 public ghostCurrentRoundActiveStake;
    bytes32[] public redeemedHashes;
    uint256 public ghostReplaySuccesses;
    bool public ghostPaused;
    uint256 public ghostPausedSuccesses;
    uint256 public ghostPausedWrongErrors;
    uint256 public ghostUnauthorizedSuccesses;
    uint256 public ghostReinitSuccesses;
    uint256 public ghostUpgradeMismatches;
    mapping(uint256 proxy => address) public ghostImplementation;

    uint256 public ghostActions;
    uint256 public ghostUpgrades;
    uint256 public ghostPauses;

    uint256 internal nonce;

    constructor(
        Controller controller_,
        LivepeerToken token_,
        Minter minter_,
        RoundsManager rm_,
        BondingManager bm_,
        TicketBroker broker_,
        address owner_,
        address[] memory orchestrators_,
        address[] memory delegators_
    ) {
        (controller, token, minter, rm, bm, broker, owner) = (controller_, token_, minter_, rm_, bm_, broker_, owner_);
        orchestrators = orchestrators_;
        delegators = delegators_;
        (broadcaster, broadcasterKey) = makeAddrAndKey("protocolBroadcaster");
        implementations[0] = [
            address(new BondingManager(address(token_), bm_.bondingVotes(), address(rm_), address(minter_))),
            address(new BondingManagerV2(address(token_), bm_.bondingVotes(), address(rm_), address(minter_)))
        ];
        implementations[1] = [address(new TicketBroker()), address(new TicketBrokerV2())];
        implementations[2] = [address(new RoundsManager()), address(new RoundsManagerV2())];
        for (uint256 p; p < 3; p++) {
            ghostImplementation[p] = implementationOf(p);
        }
        ghostCurrentRoundActiveStake = bm_.currentRoundTotalActiveStake();
    }

    /* VIEWS */

    function proxy(uint256 p) public view returns (address) {
        return p == 0 ? address(bm) : p == 1 ? address(broker) : address(rm);
    }

    function implementationOf(uint256 p) public view returns (address) {
        return address(uint160(uint256(vm.load(proxy(p), IMPLEMENTATION_SLOT))));
    }

    function redeemedCount() external view returns (uint256) {
        return redeemedHashes.length;
    }

    function orchestratorCount() external view returns (uint256) {
        return orchestrators.length;
    }

    function delegatorCount() external view returns (uint256) {
        return delegators.length;
    }

    /* USER ACTIONS */

    function bond(uint256 delegatorSeed, uint256 toSeed, uint256 amount) external {
        address d = delegators[delegatorSeed % delegators.length];
        address to = orchestrators[toSeed % orchestrators.length];
        amount = bound(amount, 1, 10_000 ether);
        (uint256 bonded,, address delegate,,,,) = bm.getDelegator(d);
        if (bonded != 0) to = delegate; // top-up only: moving stake is the bonding campaign's
        if (_paused(d, address(bm), abi.encodeCall(BondingManager.bond, (amount, to)))) return;
        vm.prank(d);
        bm.bond(amount, to);
        ghostActions++;
    }

    function unbond(uint256 delegatorSeed, uint256 amount) external {
        address d = delegators[delegatorSeed % delegators.length];
        // A bond counts from the next round: before that the delegator is Pending and cannot unbond.
        if (bm.delegatorStatus(d) != IBondingManager.DelegatorStatus.Bonded) return;
        (uint256 bonded,,,,,,) = bm.getDelegator(d);
        amount = bound(amount, 1, bonded);
        if (_paused(d, address(bm), abi.encodeCall(BondingManager.unbond, (amount)))) return;
        vm.prank(d);
        bm.unbond(amount);
        ghostActions++;
    }

    function reward(uint256 orchestratorSeed) external {
        address o = orchestrators[orchestratorSeed % orchestrators.length];
        if (_paused(o, address(bm), abi.encodeCall(BondingManager.reward, ()))) return;
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(o);
        if (lastRewardRound == rm.currentRound() || !bm.isActiveTranscoder(o)) return;
        uint256 before = minter.currentMintedTokens();
        vm.prank(o);
        bm.reward();
        ghostMinted += minter.currentMintedTokens() - before;
        ghostActions++;
    }

    function fund(uint256 deposit, uint256 reserve) external {
        deposit = bound(deposit, 0, 10 ether);
        reserve = bound(reserve, 0, 10 ether);
        vm.deal(broadcaster, deposit + reserve);
        bytes memory data = abi.encodeCall(TicketBroker.fundDepositAndReserve, (deposit, reserve));
        if (ghostPaused) {
            vm.prank(broadcaster);
            (bool ok, bytes memory ret) = address(broker).call{value: deposit + reserve}(data);
            _notePausedResult(ok, ret);
            return;
        }
        vm.prank(broadcaster);
        broker.fundDepositAndReserve{value: deposit + reserve}(deposit, reserve);
        ghostEthIn += deposit + reserve;
        ghostActions++;
    }

    /// @dev A winning ticket paid from the deposit to an active orchestrator; then a replay, which must fail.
    function redeem(uint256 orchestratorSeed, uint256 face) external {
        address o = orchestrators[orchestratorSeed % orchestrators.length];
        (ITicketBroker.Sender memory sender,) = broker.getSenderInfo(broadcaster);
        if (sender.deposit == 0) return;
        face = bound(face, 1, sender.deposit < MAX_FACE ? sender.deposit : MAX_FACE);
        (ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand) = _ticket(o, face);
        bytes memory data = abi.encodeCall(TicketBroker.redeemWinningTicket, (ticket, sig, rand));
        if (_paused(o, address(broker), data)) return;
        if (!bm.isActiveTranscoder(o)) return;
        vm.prank(o);
        broker.redeemWinningTicket(ticket, sig, rand);
        redeemedHashes.push(broker.getTicketHash(ticket));
        vm.prank(o);
        (bool ok,) = address(broker).call(data);
        if (ok) ghostReplaySuccesses++;
        ghostActions++;
    }

    function withdrawFees(uint256 orchestratorSeed) external {
        address o = orchestrators[orchestratorSeed % orchestrators.length];
        uint256 fees = bm.pendingFees(o, 0);
        if (fees == 0) return;
        if (_paused(o, address(bm), abi.encodeCall(BondingManager.withdrawFees, (payable(o), fees)))) return;
        vm.prank(o);
        bm.withdrawFees(payable(o), fees);
        ghostEthOut += fees;
        ghostActions++;
    }

    /// @dev 1-2 rounds ahead, initialized. While paused the initialization must fail, so the clock
    /// is left alone (an uninitialized round would block every bonding call after unpausing).
    function advanceRound(uint256 skip) external {
        if (_paused(address(this), address(rm), abi.encodeCall(RoundsManager.initializeRound, ()))) return;
        vm.roll(rm.currentRoundStartBlock() + rm.roundLength() * bound(skip, 1, 2));
        rm.initializeRound();
        ghostCurrentRoundActiveStake = bm.currentRoundTotalActiveStake();
        ghostActions++;
    }

    /* ADMIN ACTIONS (upgrade/pause campaign) */

    function pause() external {
        if (ghostPaused) return;
        vm.prank(owner);
        controller.pause();
        ghostPaused = true;
        ghostPauses++;
    }

    function unpause() external {
        if (!ghostPaused) return;
        vm.prank(owner);
        controller.unpause();
        ghostPaused = false;
    }

    /// @dev The owner upgrades a proxy to V1 or V2 (same storage); the state read through it must not move.
    function upgrade(uint256 proxySeed, bool toV2) external {
        uint256 p = proxySeed % 3;
        address impl = implementations[p][toV2 ? 1 : 0];
        bytes32 before = stateDigest();
        vm.prank(owner);
        TicketBroker(payable(proxy(p))).upgradeToAndCall(impl, "");
        ghostImplementation[p] = impl;
        if (stateDigest() != before) ghostUpgradeMismatches++;
        ghostUpgrades++;
    }

    /// @dev Someone other than the owner tries to upgrade, pause or unpause: must fail.
    function attackerAdmin(uint256 proxySeed, uint8 action) external {
        uint256 p = proxySeed % 3;
        bool ok;
        vm.startPrank(attacker);
        if (action % 3 == 0) {
            (ok,) = proxy(p).call(abi.encodeWithSignature("upgradeToAndCall(address,bytes)", attacker, ""));
        } else if (action % 3 == 1) {
            (ok,) = address(controller).call(abi.encodeCall(Controller.pause, ()));
        } else {
            (ok,) = address(controller).call(abi.encodeCall(Controller.unpause, ()));
        }
        vm.stopPrank();
        if (ok) ghostUnauthorizedSuccesses++;
    }

    /// @dev Anyone (the owner included) calls a proxy's or an implementation's initializer again: must fail.
    function reinitialize(uint256 proxySeed, bool onImplementation, bool asOwner) external {
        uint256 p = proxySeed % 3;
        address target = onImplementation ? implementations[p][0] : proxy(p);
        bytes memory data = p == 0
            ? abi.encodeCall(BondingManager.initialize, (address(controller), 1, 1, 0, 0))
            : p == 1
                ? abi.encodeCall(TicketBroker.initialize, (address(controller), 1, 1))
                : abi.encodeCall(RoundsManager.initialize, (address(controller), 1, 1));
        vm.prank(asOwner ? owner : attacker);
        (bool ok,) = target.call(data);
        if (ok) ghostReinitSuccesses++;
    }

    /* STATE DIGEST */

    /// @dev What an upgrade must preserve, read through the proxies.
    function stateDigest() public view returns (bytes32 digest) {
        digest = keccak256(
            abi.encode(
                rm.currentRound(),
                rm.lastInitializedRound(),
                rm.roundLength(),
                rm.blockHashForRound(rm.currentRound()),
                bm.nextRoundTotalActiveStake(),
                bm.currentRoundTotalActiveStake(),
                bm.getTranscoderPoolSize(),
                broker.unlockPeriod(),
                broker.ticketValidityPeriod()
            )
        );
        (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) =
            broker.getSenderInfo(broadcaster);
        digest = keccak256(abi.encode(digest, sender, reserve));
        for (uint256 i; i < orchestrators.length; i++) {
            digest = keccak256(
                abi.encode(digest, bm.transcoderTotalStake(orchestrators[i]), bm.pendingFees(orchestrators[i], 0))
            );
        }
        for (uint256 i; i < delegators.length; i++) {
            (uint256 bonded,, address delegate,,, uint256 lastClaimRound,) = bm.getDelegator(delegators[i]);
            digest = keccak256(abi.encode(digest, bonded, delegate, lastClaimRound, bm.pendingStake(delegators[i], 0)));
        }
        for (uint256 p; p < 3; p++) {
            digest = keccak256(abi.encode(digest, IManager(proxy(p)).controller()));
        }
    }

    /* INTERNAL */

    /// @dev While paused: makes the call as `from`, which must revert with SystemPaused; returns true.
    function _paused(address from, address target, bytes memory data) internal returns (bool) {
        if (!ghostPaused) return false;
        vm.prank(from);
        (bool ok, bytes memory ret) = target.call(data);
        _notePausedResult(ok, ret);
        return true;
    }

    function _notePausedResult(bool ok, bytes memory ret) internal {
        if (ok) ghostPausedSuccesses++;
        else if (ret.length < 4 || bytes4(ret) != IManager.SystemPaused.selector) ghostPausedWrongErrors++;
    }

    function _ticket(address recipient, uint256 face)
        internal
        returns (ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 rand)
    {
        uint256 round = rm.currentRound();
        nonce++;
        rand = uint256(keccak256(abi.encode("protocol rand", nonce)));
        ticket = ITicketBroker.Ticket({
            recipient: recipient,
            sender: broadcaster,
            faceValue: face,
            winProb: type(uint256).max,
            senderNonce: nonce,
            recipientRandHash: keccak256(abi.encodePacked(rand)),
            auxData: abi.encode(round, rm.blockHashForRound(round))
        });
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", broker.getTicketHash(ticket)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(broadcasterKey, digest);
        sig = abi.encodePacked(r, s, v);
    }
}
