# Every forge/anvil/cast call goes through the native binaries: the npm launchers in
# node_modules/.bin exit 0 even when the tool fails.
FOUNDRY_BIN := $(CURDIR)/node_modules/@foundry-rs
FORGE := $(FOUNDRY_BIN)/forge-linux-amd64/bin/forge
ANVIL := $(FOUNDRY_BIN)/anvil-linux-amd64/bin/anvil
CAST := $(FOUNDRY_BIN)/cast-linux-amd64/bin/cast
export PATH := $(FOUNDRY_BIN)/anvil-linux-amd64/bin:$(FOUNDRY_BIN)/forge-linux-amd64/bin:$(FOUNDRY_BIN)/cast-linux-amd64/bin:$(PATH)

# Recipes run in bash: a step's main command is prefixed with bash's `time`, which prints the step's wall
# and CPU seconds (user + sys, its child processes included) in this format, named for the target.
SHELL := /bin/bash
export TIMEFORMAT = [$@] %0R s wall, %0U+%0S s CPU

# make test's Rust build: every target compiled once, with clippy-driver (what `cargo clippy` runs) in
# place of rustc for the workspace's own crates and clippy's -D warnings (passed the way cargo-clippy
# passes it), so the clippy gate needs no second pass over the dependencies (check mode shares nothing
# with a test build). cargo test and the quick bench then reuse that build.
CLIPPY_BUILD := RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

# Python tools for the security checks, pinned, in a venv the Makefile creates (ignored by git).
VENV := $(CURDIR)/.venv
# apt-get through sudo unless already root (monitoring-check installs promtool).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SLITHER_VERSION := 0.11.6
HALMOS_VERSION := 0.3.3

.PHONY: bench bench-redeemer soak test test-steps deps build devnet-bins docs-check monitoring-check forge-test e2e gas-check forge-fmt-check cargo-build cargo-test cargo-fmt-check clippy bindings fmt snapshot deep devnet clean
.PHONY: tools security forge-lint slither halmos coverage invariants

## test: install, build and run every check CI runs (the README's test command). The steps run two at a
## time (make -j2: the wasm solc, slither, halmos, pip and the anvil tests leave a core idle); each step's
## output is printed in one piece when it ends, with its time; the first failing step fails the run.
test: deps
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-steps

# make test's steps, started in this order as a job slot frees (the long chains first: the Python tools'
# download and the contracts' build feed the longest steps).
test-steps: tools build cargo-build forge-test coverage cargo-test slither halmos e2e gas-check forge-lint monitoring-check docs-check forge-fmt-check cargo-fmt-check

## deps: install the pinned toolchain from npm (forge, anvil, cast, solc, forge-std, OpenZeppelin)
deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	time $(FORGE) build

## monitoring-check: the alert rules (promtool check + their unit tests on synthetic series) and the Grafana
## dashboards (importable, their PromQL checked) use only metrics the bots export; installs Debian's
## prometheus package (for promtool) when it is missing
monitoring-check:
	@command -v promtool >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
	  || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; }
	@mkdir -p target
	time { promtool check rules docs/monitoring/alerts.yml \
	  && (cd docs/monitoring && promtool test rules alerts.test.yml) \
	  && node script/toolchain/check-monitoring.js --self-test --rules-out target/dashboard-queries.yml \
	  && promtool check rules target/dashboard-queries.yml; }

forge-test: build
	time $(FORGE) test --no-match-path 'test/gas/*'

## docs-check: every command shown in docs/ is run by a test or the devnet (and the checker's self-test)
docs-check:
	time node script/toolchain/check-docs.js --self-test

## e2e: deploy on a fresh anvil and run every user script (script/actions/), checking the chain with cast
e2e: build
	time bash test/e2e/scripts.sh

## gas-check: fail if any committed gas snapshot (test/snapshots/) changed or BENCHMARKS.md's gas table is stale
gas-check: build
	time FORGE_SNAPSHOT_CHECK=true $(FORGE) test --isolate --match-path 'test/gas/*'
	node script/bench/report.js --check

forge-fmt-check: deps
	time $(FORGE) fmt --check

cargo-fmt-check:
	time cargo fmt --all --check

## clippy: the clippy gate alone (make test applies the same lints while building: cargo-build)
clippy:
	cargo clippy --workspace --all-targets -- -D warnings

## cargo-build: every Rust target built once for the tests, through clippy (-D warnings)
cargo-build:
	time $(CLIPPY_BUILD) cargo test --workspace --all-targets --no-run

## cargo-test: the Rust tests (the anvil ones deploy the built contracts) and the redeemer bench's quick
## run, on cargo-build's build (the bench selected in the whole workspace, so its features are the tests')
cargo-test: build cargo-build
	time $(CLIPPY_BUILD) cargo test --workspace
	time REDEEMER_BENCH_QUICK=1 $(CLIPPY_BUILD) cargo test --workspace --bench grpc

## security: static analysis, symbolic checks and the coverage gate (see SECURITY.md)
security: slither halmos coverage

## tools: the pinned Python security tools (slither, halmos) in .venv/ (reinstalled when a pin changes)
tools: $(VENV)/.installed-slither-$(SLITHER_VERSION)-halmos-$(HALMOS_VERSION)

$(VENV)/.installed-slither-$(SLITHER_VERSION)-halmos-$(HALMOS_VERSION):
	python3 -m venv $(VENV)
	time $(VENV)/bin/pip install --quiet --disable-pip-version-check slither-analyzer==$(SLITHER_VERSION) halmos==$(HALMOS_VERSION)
	@touch $@

## forge-lint: fail on any high or medium forge lint finding in contracts/ and script/ (tests: see foundry.toml)
forge-lint: deps
	time FOUNDRY_OUT=.lint/out FOUNDRY_CACHE_PATH=.lint/cache $(FORGE) lint --severity high --severity med > .lint.log 2>&1 || { cat .lint.log; exit 1; }
	@if grep -E '^(warning|error)\[' .lint.log; then cat .lint.log; echo "forge lint: high/medium findings" >&2; exit 1; fi
	@echo "forge lint: no high or medium findings"

## slither: static analysis of contracts/, failing on Medium or above (triage: slither.triage.md)
slither: tools deps
	time FOUNDRY_OUT=.slither/out FOUNDRY_CACHE_PATH=.slither/cache $(VENV)/bin/slither . --config-file slither.config.json --fail-medium

## halmos: symbolic checks (test/halmos/), built apart from out/ (profile "halmos")
# 180 s per solver query: check_addRewards_neverDecreases (over the 512-bit mulDiv) needs about a minute
# alone and timed out at 60 s next to another make test step.
halmos: tools deps
	time FOUNDRY_PROFILE=halmos $(VENV)/bin/halmos --forge-build-out .halmos/out --match-contract '^(MathHalmos|SortedListHalmos|TicketValidationHalmos)$$' --loop 4 --solver-timeout-assertion 180s

## coverage: line/branch coverage of contracts/, failing below 95% lines or 90% branches
## (built without the optimizer, so the EIP-170 code size test is left to forge-test)
coverage: deps
	@mkdir -p .coverage
	time FOUNDRY_PROFILE=coverage $(FORGE) coverage --no-match-path 'test/gas/*' --no-match-test 'test_codeSize_' --no-match-coverage '^(test|script|node_modules)/' --report summary --report lcov --report-file .coverage/lcov.info
	python3 script/toolchain/check-coverage.py .coverage/lcov.info --lines 95 --branches 90

## invariants: only the invariant campaigns (also part of forge-test), with timings
invariants: deps
	$(FORGE) test --match-path 'test/invariant/*' -vv

## bindings: refresh the ABIs the Rust bindings are generated from
bindings: build
	node script/toolchain/export-abis.js
	node -e 'const fs = require("fs"); const a = require("./node_modules/@openzeppelin/contracts/build/contracts/TimelockController.json").abi; fs.writeFileSync("crates/bindings/abi/vendor/TimelockController.json", JSON.stringify(a, null, 2) + "\n")'

## fmt: format Solidity and Rust
fmt: deps
	$(FORGE) fmt
	cargo fmt --all

## snapshot: rewrite the committed gas snapshots and BENCHMARKS.md's gas table
snapshot: deps
	rm -rf test/snapshots
	FORGE_SNAPSHOT_CHECK=false $(FORGE) test --isolate --match-path 'test/gas/*'
	node script/bench/report.js --gas-only

## bench: measure everything BENCHMARKS.md reports (gas snapshots, bench commands, `make test` wall time) and rewrite it
bench: deps
	rm -rf target/bench && mkdir -p target/bench
	FORGE_SNAPSHOT_CHECK=false $(FORGE) test --isolate --match-path 'test/gas/*'
	node script/bench/report.js --gas-only
	cargo build --release -p livepeer-keeper && target/release/keeper-bench
	cargo build --release -p livepeer-reward-agent && target/release/reward-agent-bench
	cargo bench -p livepeer-redeemer --bench grpc
	start=$$(date +%s); $(MAKE) --no-print-directory test; end=$$(date +%s); \
	  printf '{"title":"make test","note":"Wall time of the README test command on this machine (nproc %s).","rows":[{"metric":"make test wall time (s)","value":%s,"goal":"CI limit 5400 s"}]}\n' "$$(nproc)" "$$((end - start))" > target/bench/90-make-test.json
	node script/bench/report.js

## bench-redeemer: only the Ticket Redemption Service bench, its section of BENCHMARKS.md rewritten
bench-redeemer: deps
	mkdir -p target/bench
	cargo bench -p livepeer-redeemer --bench grpc
	node script/bench/report.js --section target/bench/50-redeemer.json

## deep: long fuzz and invariant campaigns
deep: deps
	FOUNDRY_PROFILE=deep $(FORGE) test

## devnet: the main job, a local devnet running the whole protocol: anvil + Deploy.s.sol (local),
## an economy, the keeper, reward agent and redeemer as processes, a per-round table and a
## consistency check (exit non-zero on failure). Options: make devnet ARGS="--rounds 10"
devnet: deps
	$(MAKE) --no-print-directory -j2 build devnet-bins
	target/release/livepeer-devnet $(ARGS)

## soak: livepeer-soak, 1,000 rounds of 10 blocks on anvil with the keeper, the reward agent and the redeemer
## running and the fault suite's faults injected at random (about half an hour on an idle machine; not in make test, which runs its
## 4-round quick mode); its section of BENCHMARKS.md rewritten. Options: make soak ARGS="--rounds 100 --seed 7"
soak: deps
	$(MAKE) --no-print-directory -j2 build devnet-bins
	mkdir -p target/bench
	@# A run that misses a goal (exit 1) still writes its figures; exit 2 means it could not run.
	target/release/livepeer-soak --report target/bench/60-soak.json $(ARGS); status=$$?; \
	  if [ $$status -ne 2 ]; then node script/bench/report.js --section target/bench/60-soak.json || exit 1; fi; \
	  exit $$status

# The release binaries `make devnet` and `make soak` run; built next to the contracts (forge's wasm solc uses one core).
devnet-bins:
	cargo build --release -p livepeer-devnet -p livepeer-keeper -p livepeer-reward-agent -p livepeer-redeemer

clean:
	rm -rf out cache target .slither .halmos .lint .lint.log .coverage
