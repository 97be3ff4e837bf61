# Every forge/anvil/cast call goes through the native binaries: the npm launchers in
# node_modules/.bin exit 0 even when the tool fails.
FOUNDRY_BIN := $(CURDIR)/node_modules/@foundry-rs
FORGE := $(FOUNDRY_BIN)/forge-linux-amd64/bin/forge
ANVIL := $(FOUNDRY_BIN)/anvil-linux-amd64/bin/anvil
CAST := $(FOUNDRY_BIN)/cast-linux-amd64/bin/cast
export PATH := $(FOUNDRY_BIN)/anvil-linux-amd64/bin:$(FOUNDRY_BIN)/forge-linux-amd64/bin:$(FOUNDRY_BIN)/cast-linux-amd64/bin:$(PATH)

.PHONY: bench test deps build forge-test e2e gas-check forge-fmt-check cargo-test cargo-fmt-check clippy bindings fmt snapshot deep devnet clean

## test: install, build and run every check CI runs (the README's test command)
test: deps build forge-fmt-check cargo-fmt-check forge-test e2e gas-check clippy cargo-test

## deps: install the pinned toolchain from npm (forge, anvil, cast, solc, forge-std, OpenZeppelin)
deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	$(FORGE) build

forge-test: deps
	$(FORGE) test --no-match-path 'test/gas/*'

## e2e: deploy on a fresh anvil and run every user script (script/actions/), checking the chain with cast
e2e: build
	bash test/e2e/scripts.sh

## gas-check: fail if any committed gas snapshot (test/snapshots/) changed
gas-check: deps
	FORGE_SNAPSHOT_CHECK=true $(FORGE) test --isolate --match-path 'test/gas/*'

forge-fmt-check: deps
	$(FORGE) fmt --check

cargo-fmt-check:
	cargo fmt --all --check

clippy: build
	cargo clippy --workspace --all-targets -- -D warnings

cargo-test: build
	cargo test --workspace

## bindings: refresh the ABIs the Rust bindings are generated from
bindings: build
	node script/toolchain/export-abis.js

## fmt: format Solidity and Rust
fmt: deps
	$(FORGE) fmt
	cargo fmt --all

## snapshot: rewrite the committed gas snapshots
snapshot: deps
	rm -rf test/snapshots
	FORGE_SNAPSHOT_CHECK=false $(FORGE) test --isolate --match-path 'test/gas/*'

## bench: measure everything BENCHMARKS.md reports (gas snapshots, bench commands, `make test` wall time) and rewrite it
bench: deps
	rm -rf target/bench && mkdir -p target/bench
	FORGE_SNAPSHOT_CHECK=false $(FORGE) test --isolate --match-path 'test/gas/*'
	cargo build --release -p livepeer-keeper && target/release/keeper-bench
	cargo build --release -p livepeer-reward-agent && target/release/reward-agent-bench
	start=$$(date +%s); $(MAKE) --no-print-directory test; end=$$(date +%s); \
	  printf '{"title":"make test","note":"Wall time of the README test command on this machine (nproc %s).","rows":[{"metric":"make test wall time (s)","value":%s,"goal":"CI limit 5400 s"}]}\n' "$$(nproc)" "$$((end - start))" > target/bench/90-make-test.json
	node script/bench/report.js

## deep: long fuzz and invariant campaigns
deep: deps
	FOUNDRY_PROFILE=deep $(FORGE) test

## devnet: the main job, a local devnet running the whole protocol: anvil + Deploy.s.sol (local),
## an economy, the keeper, reward agent and redeemer as processes, a per-round table and a
## consistency check (exit non-zero on failure). Options: make devnet ARGS="--rounds 10"
devnet: build
	cargo build --release -p livepeer-devnet -p livepeer-keeper -p livepeer-reward-agent -p livepeer-tickets
	target/release/livepeer-devnet $(ARGS)

clean:
	rm -rf out cache target
