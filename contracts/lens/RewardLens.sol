// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../interfaces/IBondingManager.sol";
import {IController} from "../interfaces/IController.sol";
import {IMinter} from "../interfaces/IMinter.sol";
import {IRoundsManager} from "../interfaces/IRoundsManager.sol";

/// @title RewardLens
/// @notice Everything a reward agent decides on, read in one `eth_call`: the round, the Minter's
/// figures, each orchestrator's reward state and the whole sorted pool with stakes.
/// @dev Never deployed. The agent sends the creation code (with constructor arguments) as an
/// `eth_call` without `to`; the constructor returns the ABI-encoded `snapshot(...)` instead of
/// runtime code. So it works on any chain and node (anvil, Arbitrum) with no helper contract
/// (Multicall3) in place, and a 100-member pool costs one request instead of ~600.
/// Only views the live BondingManager has are read, `transcoderToRewardCaller` (LIP-118) only when
/// the caller says the deployment has it: on one without, the call reverts with empty data. The
/// stake a reward is computed on is chosen from the two pool stakes read here by the agent
/// (`decide::active_stake`), where the rule is unit-tested.
contract RewardLens {
    /// @notice One orchestrator's reward state in the current round.
    struct Orchestrator {
        address orchestrator;
        /// @dev `transcoderToRewardCaller(orchestrator)`; zero on a deployment without LIP-118.
        address rewardCaller;
        /// @dev `isActiveTranscoder(orchestrator)` in the current round.
        bool active;
        uint256 lastRewardRound;
        /// @dev `getTranscoder(orchestrator).lastActiveStakeUpdateRound`: the round whose earnings
        /// pool holds the latest stake.
        uint256 lastActiveStakeUpdateRound;
        /// @dev `getTranscoderEarningsPoolForRound(orchestrator, lastActiveStakeUpdateRound).totalStake`.
        uint256 lastUpdatePoolStake;
        /// @dev `getTranscoderEarningsPoolForRound(orchestrator, currentRound).totalStake`: on the live
        /// contract only written when a stake change, a reward or fees land in the round.
        uint256 roundPoolStake;
        /// @dev Pool key now (`transcoderTotalStake`); the reward is added to it.
        uint256 totalStake;
    }

    /// @notice A pool member, in pool order (descending stake).
    struct PoolMember {
        address member;
        uint256 stake;
    }

    /// @notice The snapshot.
    struct Snapshot {
        uint256 blockNumber;
        uint256 baseFee;
        bool paused;
        address bondingManager;
        uint256 currentRound;
        uint256 lastInitializedRound;
        uint256 roundStartBlock;
        uint256 roundLength;
        uint256 mintableTokens;
        uint256 mintedTokens;
        uint256 totalActiveStake;
        uint256 treasuryRewardCutRate;
        Orchestrator[] orchestrators;
        PoolMember[] pool;
        /// @dev ETH balance of each of `accounts`.
        uint256[] balances;
    }

    /// @notice Returns `snapshot(controller, rewardCallers, orchestrators, accounts)` as the call's output.
    /// @param rewardCallers Whether the BondingManager has LIP-118's `transcoderToRewardCaller`.
    constructor(IController controller, bool rewardCallers, address[] memory orchestrators, address[] memory accounts) {
        bytes memory data = abi.encode(snapshot(controller, rewardCallers, orchestrators, accounts));
        assembly ("memory-safe") {
            return(add(data, 32), mload(data))
        }
    }

    /// @notice The snapshot at the current block.
    function snapshot(
        IController controller,
        bool rewardCallers,
        address[] memory orchestrators,
        address[] memory accounts
    ) public view returns (Snapshot memory s) {
        IBondingManager bm = IBondingManager(controller.getContract(keccak256("BondingManager")));
        IRoundsManager rm = IRoundsManager(controller.getContract(keccak256("RoundsManager")));
        IMinter minter = IMinter(controller.getContract(keccak256("Minter")));
        s.blockNumber = block.number;
        s.baseFee = block.basefee;
        s.paused = controller.paused();
        s.bondingManager = address(bm);
        s.currentRound = rm.currentRound();
        s.lastInitializedRound = rm.lastInitializedRound();
        s.roundStartBlock = rm.currentRoundStartBlock();
        s.roundLength = rm.roundLength();
        s.mintableTokens = minter.currentMintableTokens();
        s.mintedTokens = minter.currentMintedTokens();
        s.totalActiveStake = bm.currentRoundTotalActiveStake();
        s.treasuryRewardCutRate = bm.treasuryRewardCutRate();

        s.orchestrators = new Orchestrator[](orchestrators.length);
        for (uint256 i; i < orchestrators.length; ++i) {
            s.orchestrators[i] = _orchestrator(bm, orchestrators[i], s.currentRound, rewardCallers);
        }

        uint256 size = bm.getTranscoderPoolSize();
        s.pool = new PoolMember[](size);
        address member = bm.getFirstTranscoderInPool();
        for (uint256 i; i < size && member != address(0); ++i) {
            s.pool[i] = PoolMember({member: member, stake: bm.transcoderTotalStake(member)});
            member = bm.getNextTranscoderInPool(member);
        }

        s.balances = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            s.balances[i] = accounts[i].balance;
        }
    }

    function _orchestrator(IBondingManager bm, address o, uint256 round, bool rewardCallers)
        internal
        view
        returns (Orchestrator memory)
    {
        // slither-disable-next-line unused-return (only the last reward and stake update rounds are asked for)
        (uint256 lastRewardRound,,, uint256 lastUpdate,,,,,,) = bm.getTranscoder(o);
        // slither-disable-next-line unused-return (only the stakes are asked for)
        (uint256 lastUpdateStake,,,,) = bm.getTranscoderEarningsPoolForRound(o, lastUpdate);
        // slither-disable-next-line unused-return (only the stakes are asked for)
        (uint256 roundStake,,,,) = bm.getTranscoderEarningsPoolForRound(o, round);
        return Orchestrator({
            orchestrator: o,
            rewardCaller: rewardCallers ? bm.transcoderToRewardCaller(o) : address(0),
            active: bm.isActiveTranscoder(o),
            lastRewardRound: lastRewardRound,
            lastActiveStakeUpdateRound: lastUpdate,
            lastUpdatePoolStake: lastUpdateStake,
            roundPoolStake: roundStake,
            totalStake: bm.transcoderTotalStake(o)
        });
    }
}
