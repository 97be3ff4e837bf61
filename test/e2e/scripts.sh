#!/usr/bin/env bash
# End-to-end test of the Foundry scripts against a real anvil: deploy the protocol with the `local`
# config, then run every user script (script/actions/) in a realistic order and check the chain after
# each step with `cast call`. Also checks that scripts stop before broadcasting when the call would
# revert. Run from anywhere: `make e2e` or `bash test/e2e/scripts.sh` (needs `make build` first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BIN="$ROOT/node_modules/@foundry-rs"
FORGE="$BIN/forge-linux-amd64/bin/forge"
ANVIL="$BIN/anvil-linux-amd64/bin/anvil"
CAST="$BIN/cast-linux-amd64/bin/cast"

TMP="$(mktemp -d)"
ANVIL_PID=""
cleanup() {
    if [[ -n "$ANVIL_PID" ]]; then kill "$ANVIL_PID" 2>/dev/null || true; wait "$ANVIL_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

STEP=""
fail() { echo "FAIL [$STEP]: $*" >&2; exit 1; }
step() { STEP="$1"; echo "== $1"; }

# ---------------------------------------------------------------------------------------------
# anvil on a free port, with the default EIP-170 code size limit (test/script/CodeSize.t.sol).
# ---------------------------------------------------------------------------------------------
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    return 1
}
PORT="$(free_port)" || fail "no free port"
export RPC_URL="http://127.0.0.1:$PORT"
"$ANVIL" --port "$PORT" --accounts 12 --silent >"$TMP/anvil.log" 2>&1 &
ANVIL_PID=$!
for _ in $(seq 1 100); do
    "$CAST" block-number --rpc-url "$RPC_URL" >/dev/null 2>&1 && break
    kill -0 "$ANVIL_PID" 2>/dev/null || { cat "$TMP/anvil.log" >&2; fail "anvil exited"; }
    sleep 0.1
done
"$CAST" block-number --rpc-url "$RPC_URL" >/dev/null || fail "anvil not ready on $RPC_URL"

MNEMONIC="test test test test test test test test test test test junk"
key() { "$CAST" wallet private-key "$MNEMONIC" "$1"; }
addr() { "$CAST" wallet address --private-key "$1"; }
DEPLOYER_KEY="$(key 0)"; DEPLOYER="$(addr "$DEPLOYER_KEY")"
O1_KEY="$(key 1)"; O1="$(addr "$O1_KEY")"
O2_KEY="$(key 2)"; O2="$(addr "$O2_KEY")"
O3_KEY="$(key 3)"; O3="$(addr "$O3_KEY")"
D1_KEY="$(key 4)"; D1="$(addr "$D1_KEY")"
D2_KEY="$(key 5)"; D2="$(addr "$D2_KEY")"
D3_KEY="$(key 6)"; D3="$(addr "$D3_KEY")"
D4_KEY="$(key 7)"; D4="$(addr "$D4_KEY")"
D5_KEY="$(key 8)"; D5="$(addr "$D5_KEY")"
NEW_OWNER="0xa0Ee7A142d267C1f36714E4a8F75612F20a79720" # anvil account 9, who takes over the Controller
B_KEY="$(key 10)"; BROADCASTER="$(addr "$B_KEY")"
RC_KEY="$(key 11)"; REWARD_CALLER_ADDR="$(addr "$RC_KEY")"

export DEPLOYMENTS_FILE="$TMP/deployments.json"
# Node.js (which the toolchain needs anyway) reads JSON and does big-integer math: no jq, no bc.
# json <path.to.key>: a value of the deployments file
json() {
    node -e 'const v = process.argv[2].split(".").filter(Boolean).reduce((o, k) => o[k], require(process.argv[1]));
             console.log(v)' "$DEPLOYMENTS_FILE" "$1"
}
# big '<expression on integers>': BigInt arithmetic and comparisons ("1 + 2", "3 > 2" -> true)
big() { node -e 'console.log(String(eval(process.argv[1].replace(/\d+/g, (n) => n + "n"))))' "$1"; }
LPT=1000000000000000000 # 1 LPT (and 1 ETH) in wei
lpt() { echo "$1$(printf '%018d' 0)"; } # whole LPT -> wei
# wei -> "<decimal> LPT" as the scripts print it (trailing zeros trimmed)
fmt_lpt() {
    local whole frac
    whole="$(big "$1 / $LPT")"
    frac="$(printf '%018d' "$(big "$1 % $LPT")" | sed 's/0*$//')"
    if [[ -n "$frac" ]]; then echo "$whole.$frac LPT"; else echo "$whole LPT"; fi
}

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
# action <Script> <key> [ENV=value ...]: runs script/actions/<Script>.s.sol exactly as the README shows.
action() {
    local name="$1" k="$2"; shift 2
    if ! env "$@" "$FORGE" script "script/actions/$name.s.sol:$name" \
        --rpc-url "$RPC_URL" --broadcast --private-key "$k" >"$TMP/out" 2>&1; then
        cat "$TMP/out" >&2
        fail "$name failed"
    fi
}
# action_fails <expected message> <Script> <key> [ENV=value ...]: the script must exit non-zero with
# the message and broadcast nothing.
action_fails() {
    local expected="$1" name="$2" k="$3"; shift 3
    local who nonce
    who="$(addr "$k")"
    nonce="$("$CAST" nonce "$who" --rpc-url "$RPC_URL")"
    if env "$@" "$FORGE" script "script/actions/$name.s.sol:$name" \
        --rpc-url "$RPC_URL" --broadcast --private-key "$k" >"$TMP/out" 2>&1; then
        cat "$TMP/out" >&2
        fail "$name should have failed with: $expected"
    fi
    grep -qF -- "$expected" "$TMP/out" || { cat "$TMP/out" >&2; fail "$name: message '$expected' not found"; }
    [[ "$("$CAST" nonce "$who" --rpc-url "$RPC_URL")" == "$nonce" ]] || fail "$name broadcast a transaction"
    echo "   stopped before broadcasting: $expected"
}
call() { "$CAST" call "$@" --rpc-url "$RPC_URL" | awk '{print $1}'; }
send() { "$CAST" send "$@" --rpc-url "$RPC_URL" >/dev/null; }
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: got '$1', expected '$2'"; }
expect_gt() { [[ "$(big "$1 > $2")" == true ]] || fail "$3: got $1, expected > $2"; }
id() { "$CAST" keccak "$1"; }
bonded() { call "$BM" 'getDelegator(address)(uint256,uint256,address,uint256,uint256,uint256,uint256)' "$1" | sed -n 1p; }
delegate_of() { "$CAST" call "$BM" 'getDelegator(address)(uint256,uint256,address,uint256,uint256,uint256,uint256)' "$1" --rpc-url "$RPC_URL" | sed -n 3p; }
lock() { "$CAST" call "$BM" 'getDelegatorUnbondingLock(address,uint256)(uint256,uint256)' "$1" "$2" --rpc-url "$RPC_URL" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//'; }
round() { call "$RM" 'currentRound()(uint256)'; }
# Mines to the first block of the next round and initializes it (as the keeper would).
next_round() {
    local len bn target
    len="$(call "$RM" 'roundLength()(uint256)')"
    bn="$("$CAST" block-number --rpc-url "$RPC_URL")"
    target=$(((bn / len + 1) * len))
    "$CAST" rpc anvil_mine "$(printf '0x%x' $((target - bn)))" --rpc-url "$RPC_URL" >/dev/null
    send "$RM" 'initializeRound()' --private-key "$DEPLOYER_KEY"
    expect_eq "$(call "$RM" 'currentRoundInitialized()(bool)')" true "round initialized"
}

# ---------------------------------------------------------------------------------------------
step "deploy (local config)"
"$FORGE" script script/Deploy.s.sol:Deploy --sig 'run(string)' local --rpc-url "$RPC_URL" --broadcast \
    --private-key "$DEPLOYER_KEY" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "deploy"; }
"$FORGE" script script/Deploy.s.sol:Deploy --sig 'verify()' --rpc-url "$RPC_URL" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "verify"; }
CONTROLLER="$(json contracts.Controller)"
TREASURY="$(json contracts.Treasury)" # the TimelockController the LivepeerGovernor runs
TOKEN="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id LivepeerToken)")"
BM="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id BondingManager)")"
RM="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id RoundsManager)")"
TB="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id TicketBroker)")"
SR="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id ServiceRegistry)")"
expect_eq "$(json network)" local "deployments network"
expect_eq "$(json chainId)" 31337 "deployments chainId"
expect_eq "$BM" "$(json contracts.BondingManager)" "BondingManager in file and registry"
expect_eq "$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id JobsManager)")" "$TB" "JobsManager = TicketBroker"
expect_eq "$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id Treasury)")" "$TREASURY" "Treasury"
expect_eq "$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id LivepeerGovernor)")" "$(json contracts.LivepeerGovernor)" "LivepeerGovernor"
expect_eq "$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id BondingVotes)")" "$(json contracts.BondingVotes)" "BondingVotes"
expect_eq "$(call "$CONTROLLER" 'owner()(address)')" "$DEPLOYER" "owner"
expect_eq "$(call "$CONTROLLER" 'paused()(bool)')" false "not paused"
expect_eq "$(call "$RM" 'roundLength()(uint256)')" 20 "roundLength"
expect_eq "$(call "$BM" 'unbondingPeriod()(uint64)')" 2 "unbondingPeriod"
expect_eq "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$DEPLOYER")" 10000000000000000000000000 "genesis"

step "fund the actors with LPT (genesis holder)"
for who in "$O1" "$O2" "$O3" "$D1" "$D2" "$D3" "$D4" "$D5"; do
    send "$TOKEN" 'transfer(address,uint256)' "$who" "$(lpt 5000)" --private-key "$DEPLOYER_KEY"
done
expect_eq "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$D5")" "$(lpt 5000)" "D5 funded"

step "pre-flight: nothing works before the round is initialized"
next_round_start_only() {
    local len bn
    len="$(call "$RM" 'roundLength()(uint256)')"; bn="$("$CAST" block-number --rpc-url "$RPC_URL")"
    "$CAST" rpc anvil_mine "$(printf '0x%x' $(((bn / len + 1) * len - bn)))" --rpc-url "$RPC_URL" >/dev/null
}
next_round_start_only
action_fails "is not initialized (anyone may call RoundsManager.initializeRound())" \
    Bond "$D1_KEY" AMOUNT=1 TO="$O1"
send "$RM" 'initializeRound()' --private-key "$DEPLOYER_KEY"

step "register 3 orchestrators (Transcoder.s.sol with SELF_BOND)"
action Transcoder "$O1_KEY" SELF_BOND="$(lpt 3000)" REWARD_CUT=100000 FEE_SHARE=500000
action Transcoder "$O2_KEY" SELF_BOND="$(lpt 2000)" REWARD_CUT=200000 FEE_SHARE=400000
action Transcoder "$O3_KEY" SELF_BOND="$(lpt 1000)" REWARD_CUT=50000 FEE_SHARE=900000
for o in "$O1" "$O2" "$O3"; do
    expect_eq "$(call "$BM" 'isRegisteredTranscoder(address)(bool)' "$o")" true "registered $o"
done
expect_eq "$(call "$BM" 'getTranscoderPoolSize()(uint256)')" 3 "pool size"
expect_eq "$(call "$BM" 'getFirstTranscoderInPool()(address)')" "$O1" "largest first"
expect_eq "$(call "$BM" 'getTranscoder(address)(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256)' "$O2" | sed -n 2p)" 200000 "O2 reward cut"

step "setServiceURI"
action SetServiceURI "$O1_KEY" SERVICE_URI=https://o1.example.com:8935
expect_eq "$("$CAST" call "$SR" 'getServiceURI(address)(string)' "$O1" --rpc-url "$RPC_URL")" '"https://o1.example.com:8935"' "service URI"

step "bond 5 delegators"
next_round
action Bond "$D1_KEY" AMOUNT="$(lpt 500)" TO="$O1"
action Bond "$D2_KEY" AMOUNT="$(lpt 300)" TO="$O1"
action Bond "$D3_KEY" AMOUNT="$(lpt 400)" TO="$O2"
action Bond "$D4_KEY" AMOUNT="$(lpt 200)" TO="$O3"
action Bond "$D5_KEY" AMOUNT="$(lpt 100)" TO="$O3"
expect_eq "$(bonded "$D1")" "$(lpt 500)" "D1 bonded"
expect_eq "$(delegate_of "$D3")" "$O2" "D3 delegate"
expect_eq "$(call "$BM" 'transcoderTotalStake(address)(uint256)' "$O1")" "$(lpt 3800)" "O1 stake"
expect_eq "$(call "$BM" 'transcoderTotalStake(address)(uint256)' "$O3")" "$(lpt 1300)" "O3 stake"
action_fails "bond 100000 LPT: balance is only 4500 LPT" Bond "$D1_KEY" AMOUNT="$(lpt 100000)" TO="$O1"

step "next round: orchestrators active, delegators bonded"
next_round
for o in "$O1" "$O2" "$O3"; do
    expect_eq "$(call "$BM" 'isActiveTranscoder(address)(bool)' "$o")" true "active $o"
done
expect_eq "$(call "$BM" 'getTotalBonded()(uint256)')" "$(lpt 7500)" "total active stake"

step "setRewardCaller and reward (O1, O2 themselves; O3 through its reward caller)"
action SetRewardCaller "$O3_KEY" REWARD_CALLER="$REWARD_CALLER_ADDR"
expect_eq "$(call "$BM" 'transcoderToRewardCaller(address)(address)' "$O3")" "$REWARD_CALLER_ADDR" "reward caller"
action_fails "is not the reward caller of" Reward "$D1_KEY" TRANSCODER="$O3"
action Reward "$O1_KEY"
action Reward "$O2_KEY"
action Reward "$RC_KEY" TRANSCODER="$O3"
R="$(round)"
for o in "$O1" "$O2" "$O3"; do
    expect_eq "$(call "$BM" 'getTranscoder(address)(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256)' "$o" | sed -n 1p)" "$R" "rewarded $o"
done
expect_gt "$(call "$BM" 'transcoderTotalStake(address)(uint256)' "$O1")" "$(lpt 3800)" "O1 stake grew"
expect_gt "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$TREASURY")" 0 "treasury cut paid"
action_fails "already called reward in round $R" Reward "$O1_KEY"

step "claimEarnings"
action ClaimEarnings "$D1_KEY"
expect_gt "$(bonded "$D1")" "$(lpt 500)" "D1 claimed rewards into its bond"

step "unbond, rebond, unbond again"
D4_STAKE="$(call "$BM" 'pendingStake(address,uint256)(uint256)' "$D4" 0)"
action_fails "unbond 5000 LPT: only $(fmt_lpt "$D4_STAKE") bonded" Unbond "$D4_KEY" AMOUNT="$(lpt 5000)"
action Unbond "$D2_KEY" AMOUNT="$(lpt 100)"
expect_eq "$(lock "$D2" 0)" "$(lpt 100) $((R + 2))" "D2 lock 0"
action Rebond "$D2_KEY" LOCK_ID=0
expect_eq "$(lock "$D2" 0)" "0 0" "lock 0 rebonded"
action Unbond "$D2_KEY" AMOUNT="$(lpt 100)"
expect_eq "$(lock "$D2" 1)" "$(lpt 100) $((R + 2))" "D2 lock 1"
action_fails "lock 1 (100 LPT) unlocks in round $((R + 2)), current round $R" WithdrawStake "$D2_KEY" LOCK_ID=1

step "unbond everything, rebondFromUnbonded to another orchestrator"
D5_ALL="$(call "$BM" 'pendingStake(address,uint256)(uint256)' "$D5" 0)"
action Unbond "$D5_KEY" AMOUNT="$D5_ALL"
expect_eq "$(bonded "$D5")" 0 "D5 unbonded"
action RebondFromUnbonded "$D5_KEY" TO="$O2" LOCK_ID=0
expect_eq "$(delegate_of "$D5")" "$O2" "D5 now with O2"
expect_eq "$(bonded "$D5")" "$D5_ALL" "D5 bond back"

step "transferBond"
D4_BEFORE="$(call "$BM" 'pendingStake(address,uint256)(uint256)' "$D4" 0)"
action TransferBond "$D1_KEY" TO="$D4" AMOUNT="$(lpt 50)"
expect_eq "$(bonded "$D4")" "$(big "$D4_BEFORE + 50 * $LPT")" "D4 received 50 LPT"
expect_eq "$(delegate_of "$D4")" "$O3" "D4 keeps its orchestrator"

step "broadcaster: fundDepositAndReserve"
next_round
action FundDepositAndReserve "$B_KEY" DEPOSIT="$LPT" RESERVE="$((LPT / 2))"
expect_eq "$("$CAST" call "$TB" 'getSenderInfo(address)((uint256,uint256),(uint256,uint256))' "$BROADCASTER" --rpc-url "$RPC_URL" | paste -sd' ')" \
    "(1000000000000000000 [1e18], 0) (500000000000000000 [5e17], 0)" "sender info"
action_fails "no unlock under way" CancelUnlock "$B_KEY"

step "a winning ticket pays O1 fees (cast), withdrawFees"
action_fails "no fees to withdraw" WithdrawFees "$O1_KEY"
R="$(round)"
AUX="$("$CAST" abi-encode 'f(uint256,bytes32)' "$R" "$(call "$RM" 'blockHashForRound(uint256)(bytes32)' "$R")")"
RAND=42
RAND_HASH="$("$CAST" keccak "$("$CAST" to-uint256 "$RAND")")"
FACE="$((LPT / 10))"
MAXP="$("$CAST" max-uint)"
TICKET="($O1,$BROADCASTER,$FACE,$MAXP,1,$RAND_HASH,$AUX)"
HASH="$(call "$TB" 'getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))(bytes32)' "$TICKET")"
SIG="$("$CAST" wallet sign --private-key "$B_KEY" "$HASH")"
send "$TB" 'redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)' \
    "$TICKET" "$SIG" "$RAND" --private-key "$O1_KEY"
O1_FEES="$(call "$BM" 'pendingFees(address,uint256)(uint256)' "$O1" 0)"
expect_gt "$O1_FEES" 0 "O1 earned fees"
O1_ETH="$("$CAST" balance "$O1" --rpc-url "$RPC_URL")"
action WithdrawFees "$O1_KEY"
expect_eq "$(call "$BM" 'pendingFees(address,uint256)(uint256)' "$O1" 0)" 0 "O1 fees withdrawn"
expect_gt "$("$CAST" balance "$O1" --rpc-url "$RPC_URL")" "$O1_ETH" "O1 ETH balance grew"
expect_gt "$(call "$BM" 'pendingFees(address,uint256)(uint256)' "$D1" 0)" 0 "D1 earned a fee share"

step "broadcaster: unlock, cancelUnlock, unlock, withdraw"
action Unlock "$B_KEY"
expect_eq "$(call "$TB" 'isUnlockInProgress(address)(bool)' "$BROADCASTER")" true "unlock under way"
action_fails "an unlock is already under way" Unlock "$B_KEY"
action CancelUnlock "$B_KEY"
expect_eq "$(call "$TB" 'isUnlockInProgress(address)(bool)' "$BROADCASTER")" false "unlock cancelled"
action Unlock "$B_KEY"
R="$(round)"
action_fails "funds unlock in round $((R + 2)), current round $R" Withdraw "$B_KEY"

step "two rounds later: withdrawStake and withdraw"
next_round
next_round
D2_LPT="$(call "$TOKEN" 'balanceOf(address)(uint256)' "$D2")"
action WithdrawStake "$D2_KEY" LOCK_ID=1
expect_eq "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$D2")" "$(big "$D2_LPT + 100 * $LPT")" "D2 got 100 LPT back"
expect_eq "$(lock "$D2" 1)" "0 0" "lock 1 gone"
B_ETH="$("$CAST" balance "$BROADCASTER" --rpc-url "$RPC_URL")"
action Withdraw "$B_KEY"
expect_eq "$("$CAST" call "$TB" 'getSenderInfo(address)((uint256,uint256),(uint256,uint256))' "$BROADCASTER" --rpc-url "$RPC_URL" | paste -sd' ')" \
    "(0, 0) (0, 0)" "broadcaster emptied"
expect_gt "$("$CAST" balance "$BROADCASTER" --rpc-url "$RPC_URL")" "$B_ETH" "broadcaster ETH back"

step "governance: an orchestrator proposes a treasury grant, stake votes (a delegator overrides), queue, execute"
GOV="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id LivepeerGovernor)")"
BV="$(call "$CONTROLLER" 'getContract(bytes32)(address)' "$(id BondingVotes)")"
GRANTEE="$(addr "$(key 12)")"
GRANT="$(lpt 50)"
DESCRIPTION="Grant: 50 LPT to the grantee for tooling"
TREASURY_LPT="$(call "$TOKEN" 'balanceOf(address)(uint256)' "$TREASURY")"
expect_gt "$TREASURY_LPT" "$GRANT" "the Treasury holds the reward cuts"
action Propose "$O1_KEY" AMOUNT="$GRANT" RECIPIENT="$GRANTEE" DESCRIPTION="$DESCRIPTION"
PID="$(call "$GOV" 'hashProposal(address[],uint256[],bytes[],bytes32)(uint256)' "[$TOKEN]" "[0]" \
    "[$("$CAST" calldata 'transfer(address,uint256)' "$GRANTEE" "$GRANT")]" "$("$CAST" keccak "$DESCRIPTION")")"
grep -qF "propose: proposal $PID: the Treasury pays 50 LPT to $GRANTEE" "$TMP/out" || { cat "$TMP/out" >&2; fail "proposal id not logged"; }
S="$(call "$GOV" 'proposalSnapshot(uint256)(uint256)' "$PID")"
D="$(call "$GOV" 'proposalDeadline(uint256)(uint256)' "$PID")"
expect_eq "$S" "$(($(round) + 1))" "snapshot: votingDelay 1 round"
expect_eq "$D" "$((S + 10))" "deadline: votingPeriod 10 rounds"
expect_eq "$(call "$GOV" 'state(uint256)(uint8)' "$PID")" 0 "Pending"
action_fails "is Pending, not Active: voting is open from round $((S + 1)) through round $D" \
    Vote "$O1_KEY" PROPOSAL_ID="$PID" SUPPORT=for
while [[ "$(round)" -le "$S" ]]; do next_round; done
expect_eq "$(call "$GOV" 'state(uint256)(uint8)' "$PID")" 1 "Active"
action Vote "$O1_KEY" PROPOSAL_ID="$PID" SUPPORT=for
action Vote "$D1_KEY" PROPOSAL_ID="$PID" SUPPORT=against REASON="my own stake says no"
grep -qF "overrides the vote of your orchestrator $O1" "$TMP/out" || { cat "$TMP/out" >&2; fail "override not logged"; }
action Vote "$O2_KEY" PROPOSAL_ID="$PID" SUPPORT=abstain
action Vote "$O3_KEY" PROPOSAL_ID="$PID" SUPPORT=against
expect_eq "$("$CAST" call "$BV" 'delegatedAt(address,uint256)(address)' "$D1" "$S" --rpc-url "$RPC_URL")" "$O1" "D1 with O1 at the snapshot"
votes_at() { call "$BV" 'getPastVotes(address,uint256)(uint256)' "$1" "$S"; }
VO1="$(votes_at "$O1")"; VO2="$(votes_at "$O2")"; VO3="$(votes_at "$O3")"; VD1="$(votes_at "$D1")"
expect_gt "$VD1" 0 "D1 has votes"
expect_eq "$(call "$GOV" 'proposalVotes(uint256)(uint256,uint256,uint256)' "$PID" | paste -sd' ')" \
    "$(big "$VO3 + $VD1") $(big "$VO1 - $VD1") $VO2" "tally (against, for, abstain): D1's stake moved from O1's for to against"
while [[ "$(round)" -le "$D" ]]; do next_round; done
expect_eq "$(call "$GOV" 'state(uint256)(uint8)' "$PID")" 4 "Succeeded"
action_fails "on this governor (AMOUNT, RECIPIENT and DESCRIPTION must be exactly those given to Propose.s.sol)" \
    QueueProposal "$O2_KEY" AMOUNT="$GRANT" RECIPIENT="$GRANTEE" DESCRIPTION="Grant: 50 LPT"
action QueueProposal "$O2_KEY" AMOUNT="$GRANT" RECIPIENT="$GRANTEE" DESCRIPTION="$DESCRIPTION"
expect_eq "$(call "$GOV" 'state(uint256)(uint8)' "$PID")" 5 "Queued"
action ExecuteProposal "$D2_KEY" AMOUNT="$GRANT" RECIPIENT="$GRANTEE" DESCRIPTION="$DESCRIPTION"
expect_eq "$(call "$GOV" 'state(uint256)(uint8)' "$PID")" 7 "Executed"
expect_eq "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$GRANTEE")" "$GRANT" "the grantee got the grant"
expect_eq "$(call "$TOKEN" 'balanceOf(address)(uint256)' "$TREASURY")" "$(big "$TREASURY_LPT - $GRANT")" "the Treasury paid it"

step "upgrade BondingManager: state survives"
STAKE_BEFORE="$(call "$BM" 'pendingStake(address,uint256)(uint256)' "$D1" 0)"
OLD_IMPL="$(json contracts.BondingManagerImplementation)"
"$FORGE" script script/Upgrade.s.sol:Upgrade --sig 'run(string)' BondingManager --rpc-url "$RPC_URL" --broadcast \
    --private-key "$DEPLOYER_KEY" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "upgrade"; }
NEW_IMPL="$(json contracts.BondingManagerImplementation)"
[[ "$NEW_IMPL" != "$OLD_IMPL" ]] || fail "implementation not updated in the deployments file"
expect_eq "$(call "$BM" 'pendingStake(address,uint256)(uint256)' "$D1" 0)" "$STAKE_BEFORE" "D1 stake after upgrade"
action Reward "$O1_KEY"

step "the live-deployment fixture (no LIP-118): own-key scripts work, reward-caller scripts refuse"
"$FORGE" script test/fixtures/InstallLiveFixture.s.sol:InstallLiveFixture --rpc-url "$RPC_URL" --broadcast \
    --private-key "$DEPLOYER_KEY" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "install the live fixture"; }
action_fails "has no reward caller (LIP-118)" SetRewardCaller "$O1_KEY" REWARD_CALLER="$REWARD_CALLER_ADDR"
action_fails "has no reward caller (LIP-118)" Reward "$RC_KEY" TRANSCODER="$O3"
next_round
action Reward "$O1_KEY"
action ClaimEarnings "$D1_KEY"

step "pause and unpause (owner), then hand over ownership"
send "$CONTROLLER" 'pause()' --private-key "$DEPLOYER_KEY"
expect_eq "$(call "$CONTROLLER" 'paused()(bool)')" true "paused"
action_fails "the protocol is paused" ClaimEarnings "$D1_KEY"
send "$CONTROLLER" 'unpause()' --private-key "$DEPLOYER_KEY"
expect_eq "$(call "$CONTROLLER" 'paused()(bool)')" false "unpaused"
action ClaimEarnings "$D1_KEY"
send "$CONTROLLER" 'transferOwnership(address)' "$NEW_OWNER" --private-key "$DEPLOYER_KEY"
expect_eq "$(call "$CONTROLLER" 'owner()(address)')" "$NEW_OWNER" "new owner"

echo "e2e scripts: all steps passed"
