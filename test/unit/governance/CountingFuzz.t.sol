// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorTest} from "./GovernorTest.sol";

/// @notice The tally against a plain model of overridable counting, over random transcoders (some having
/// unbonded everything), delegators (bonded to a transcoder, or to an account that is not one), choices and
/// vote orders.
contract CountingFuzzTest is GovernorTest {
    uint256 internal constant TRANSCODERS = 3;
    uint256 internal constant DELEGATORS = 6;
    uint256 internal constant ACCOUNTS = TRANSCODERS + DELEGATORS;
    uint256 internal constant MAX_STAKE = 1e27;

    address[ACCOUNTS] internal accounts;

    /// @dev What the model knows of an account at the snapshot.
    struct Stake {
        bool isTranscoder;
        bool active; // self-delegated at the snapshot (transcoders only)
        uint256 own; // own stake
        uint256 delegateIndex; // delegators: index into `accounts`
        uint256 weight; // voting power at the snapshot
        bool votes;
        uint8 support;
    }

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < ACCOUNTS; ++i) {
            accounts[i] = makeAddr(string.concat("account", vm.toString(i)));
        }
    }

    function _rand(uint256 seed, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }

    function testFuzz_tally_matchesModelInAnyOrder(uint256 seed) public {
        Proposal memory p = _proposeGrant(1 ether);
        uint256 snapshot = _snapshot(p.id);
        Stake[ACCOUNTS] memory m;
        uint256 supply;

        // Stake: transcoders first, then delegators bonded to a transcoder or to a delegator before them.
        for (uint256 i; i < ACCOUNTS; ++i) {
            uint256 r = _rand(seed, i);
            m[i].own = r % MAX_STAKE;
            m[i].votes = (r >> 128) % 4 != 0;
            m[i].support = uint8((r >> 136) % 3);
            if (i < TRANSCODERS) {
                m[i].isTranscoder = true;
                m[i].active = (r >> 144) % 4 != 0;
            } else {
                m[i].delegateIndex = (r >> 152) % i;
            }
        }
        for (uint256 i; i < ACCOUNTS; ++i) {
            if (m[i].isTranscoder) {
                if (m[i].active) m[i].weight += m[i].own;
                continue;
            }
            Stake memory d = m[m[i].delegateIndex];
            // A delegator of a transcoder adds to its weight; any other bond is its own root in the supply
            // (the real BondingVotes gives it 0, the counting must not rely on that).
            m[i].weight = m[i].own;
            if (d.isTranscoder && d.active) m[m[i].delegateIndex].weight += m[i].own;
            else supply += m[i].own;
        }
        for (uint256 i; i < ACCOUNTS; ++i) {
            if (m[i].isTranscoder) {
                if (m[i].active) supply += m[i].weight;
                _setDelegator(accounts[i], m[i].active ? accounts[i] : address(0), snapshot, m[i].weight);
            } else {
                _setDelegator(accounts[i], accounts[m[i].delegateIndex], snapshot, m[i].weight);
            }
        }

        // Model: a voting delegator of an active transcoder moves its stake out of the transcoder's count.
        uint256[3] memory expected;
        for (uint256 i; i < ACCOUNTS; ++i) {
            if (!m[i].votes) continue;
            uint256 counted = m[i].weight;
            if (m[i].isTranscoder) {
                for (uint256 j = TRANSCODERS; j < ACCOUNTS; ++j) {
                    if (m[j].delegateIndex == i && m[j].votes && m[i].active) counted -= m[j].weight;
                }
            }
            expected[m[i].support] += counted;
        }

        // Vote in a random order (Fisher-Yates).
        uint256[ACCOUNTS] memory order;
        for (uint256 i; i < ACCOUNTS; ++i) {
            order[i] = i;
        }
        for (uint256 i = ACCOUNTS - 1; i > 0; --i) {
            uint256 j = _rand(seed, 1000 + i) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        _activate(p.id);
        for (uint256 k; k < ACCOUNTS; ++k) {
            uint256 i = order[k];
            if (m[i].votes) _vote(p.id, accounts[i], m[i].support);
        }

        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = _tally(p.id);
        assertEq(againstVotes, expected[AGAINST], "against");
        assertEq(forVotes, expected[FOR], "for");
        assertEq(abstainVotes, expected[ABSTAIN], "abstain");
        assertLe(againstVotes + forVotes + abstainVotes, supply, "tally within the stake at the snapshot");
        for (uint256 i; i < ACCOUNTS; ++i) {
            assertEq(governor.hasVoted(p.id, accounts[i]), m[i].votes, "has voted");
        }
    }
}
