#!/usr/bin/env node
// Checks that every command shown in README.md and docs/*.md is exercised by a test or the devnet run, so the
// user pages cannot drift from what is tested. `make docs-check` (part of `make test`).
//
// For each line of a ```sh block (continuations joined, `&&`/`;`/`|` split, comments dropped):
// - `lpt <command> --flag …`: the command and every flag appear quoted in crates/cli/tests;
// - `livepeer-keeper`, `livepeer-reward-agent`, `livepeer-redeemer`, `livepeer-devnet`, `livepeer-soak` (also as
//   target/release/… or `cargo run … --bin …`): every flag appears quoted in the tests that run
//   that binary (its crate's tests and benches, and the devnet, which runs the bots), unless a
//   test of that binary parses the page's command lines itself (`include_str!` of the page);
// - `forge script script/actions/X.s.sol:X`: test/e2e/scripts.sh runs action X, with every
//   inline `VAR=` input; other scripts: the target and its `--sig` appear there;
// - `cast send|call <to> '<signature>'`: the signature appears in test/e2e/scripts.sh;
// - `cargo build|run|test -p <crate>`: the crate exists; `make <target>`: the target exists;
// - a binary the Makefile runs (`keeper-bench` in `make bench`), without arguments;
// - `curl …/metrics|/health`: a test scrapes that path.
// In ```toml blocks (the reward agent's has `[[orchestrators]]`, the redeemer's a `state-dir`, the
// keeper's neither) every key must appear in the owning binary's tests (as `key =` or `"--key"`),
// unless a test parses the page's example itself (`include_str!` of the page).
// Metric names (`keeper_…`, `reward_agent_…`, `redeemer_…`) anywhere in the text must exist in the sources.
// `--self-test` runs the rules over known-bad lines and fails if one is accepted.
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const read = (rel) => fs.readFileSync(path.join(root, rel), "utf8");

// Every file under `dir` (relative to root) whose name ends with one of `exts`.
function filesUnder(dir, exts) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(rel, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [rel] : [];
  });
}
const corpus = (...dirs) => dirs.flatMap((d) => filesUnder(d, [".rs", ".sh", ".sol"])).map(read).join("\n");

const e2e = read("test/e2e/scripts.sh");
const binaries = {
  lpt: corpus("crates/cli/tests"),
  "livepeer-keeper": corpus("crates/keeper/tests", "crates/keeper/src"),
  "livepeer-reward-agent": corpus("crates/reward-agent/tests", "crates/reward-agent/src", "crates/devnet/src"),
  "livepeer-redeemer": corpus("crates/redeemer/tests", "crates/redeemer/benches", "crates/redeemer/src", "crates/devnet/src"),
  "livepeer-devnet": corpus("crates/devnet/tests", "crates/devnet/src"),
  "livepeer-soak": corpus("crates/devnet/tests", "crates/devnet/src"),
};
const allTests = corpus("crates", "test");
const sources = corpus("crates");
const crates = filesUnder("crates", ["Cargo.toml"]).map((f) => read(f).match(/^name\s*=\s*"([^"]+)"/m)?.[1]);
const makefile = read("Makefile");
const makeTargets = [...makefile.matchAll(/^([a-z][\w-]*):/gm)].map((m) => m[1]);

// Shell words of one command (quotes removed, no expansion).
const words = (line) => [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
const quoted = (text, s) => text.includes(`"${s}"`);
const flags = (ws) => ws.filter((w) => /^--?[a-z]/.test(w)).map((w) => w.split("=")[0]);

// Returns the problems of one command line (empty when it is exercised).
function checkCommand(line, page) {
  let ws = words(line);
  const env = [];
  while (ws.length && /^[A-Z_][A-Z0-9_]*=/.test(ws[0])) env.push(ws.shift().split("=")[0]);
  if (!ws.length) return [];
  let [prog, ...args] = ws;
  const problems = [];
  const cargoBin = prog === "cargo" && args.indexOf("--bin") >= 0 ? args[args.indexOf("--bin") + 1] : null;
  if (cargoBin || (prog === "cargo" && args.includes("--"))) {
    prog = cargoBin ?? "";
    args = args.slice(args.indexOf("--") + 1);
    if (!args.length || !ws.includes("--")) args = [];
  }
  prog = prog.replace(/^(\.\/)?target\/(release|debug)\//, "");
  if (prog in binaries) {
    const text = binaries[prog];
    const parsedByTest = page && prog !== "lpt" && text.includes(`include_str!("../../../${page}")`);
    for (const f of parsedByTest ? [] : flags(args)) if (!quoted(text, f)) problems.push(`${prog} ${f} is not used by any test`);
    if (prog === "lpt") {
      const command = args.find((a, i) => !a.startsWith("-") && !(args[i - 1] ?? "").match(/^--(rpc-url|controller|deployments|private-key-file|private-key-env|keystore|password-file|max-fee-gwei|priority-fee-gwei)$/));
      if (command && !quoted(text, command)) problems.push(`lpt ${command} is not run by any test`);
    }
  } else if (prog === "forge" && args[0] === "script") {
    const target = args[1] ?? "";
    const action = target.match(/^script\/actions\/(\w+)\.s\.sol:(\w+)$/);
    if (action) {
      if (!new RegExp(`\\baction(_fails\\s+"[^"]*")?\\s+${action[2]}\\s`).test(e2e)) problems.push(`${target} is not run by test/e2e/scripts.sh`);
      for (const v of env) if (!new RegExp(`\\b${v}=`).test(e2e)) problems.push(`${action[2]}: input ${v} is not set by test/e2e/scripts.sh`);
    } else {
      const sig = args[args.indexOf("--sig") + 1];
      if (!e2e.includes(target) || (args.includes("--sig") && !e2e.includes(`'${sig}'`))) problems.push(`forge script ${target} ${sig ?? ""} is not run by test/e2e/scripts.sh`);
    }
  } else if (prog === "cast" && ["send", "call"].includes(args[0])) {
    const sig = args[2] ?? "";
    if (!e2e.includes(`'${sig}'`)) problems.push(`cast ${args[0]} '${sig}' is not used by test/e2e/scripts.sh`);
  } else if (prog === "cargo") {
    const pkg = args[args.indexOf("-p") + 1];
    if (!args.includes("-p") || !crates.includes(pkg)) problems.push(`cargo ${args.join(" ")}: no crate ${pkg ?? "(missing -p)"}`);
  } else if (prog === "make") {
    for (const t of args.filter((a) => !a.includes("="))) if (!makeTargets.includes(t)) problems.push(`make ${t}: no such target`);
  } else if (makefile.includes(`target/release/${prog}`)) {
    if (args.length) problems.push(`${prog} runs without arguments in the Makefile; ${args.join(" ")} is not tested`);
  } else if (prog === "curl") {
    const p = args.find((a) => /\/(metrics|health)$/.test(a));
    if (!p || !allTests.includes(`/${p.split("/").pop()}`)) problems.push(`curl ${args.join(" ")}: only /metrics and /health scrapes are tested`);
  } else if (!["export", "cd", "mkdir", "anvil"].includes(prog)) {
    problems.push(`\`${prog}\`: the checker has no rule for this command (add one to script/toolchain/check-docs.js)`);
  }
  return problems;
}

// Commands of a ```sh block: continuations joined, comments dropped, `&&`, `;`, `|` split.
function commands(block) {
  return block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter(Boolean)
    .flatMap((l) => l.split(/\s*(?:&&|;|\|)\s*/))
    .filter(Boolean);
}

function checkFile(rel, text) {
  const problems = [];
  for (const m of text.matchAll(/```(\w*)[^\n]*\n([\s\S]*?)```/g)) {
    const at = `${rel}:${text.slice(0, m.index).split("\n").length}`;
    if (["sh", "bash", "shell"].includes(m[1])) {
      for (const c of commands(m[2])) for (const p of checkCommand(c, rel)) problems.push(`${at}: ${p}`);
    } else if (m[1] === "toml") {
      const owner = m[2].includes("[[orchestrators]]")
        ? "livepeer-reward-agent"
        : /^state-dir\s*=/m.test(m[2])
          ? "livepeer-redeemer"
          : "livepeer-keeper";
      if (binaries[owner].includes(`include_str!("../../../${rel}")`)) continue; // a test parses this page's example
      for (const k of m[2].matchAll(/^([a-z][\w-]*)\s*=/gm)) {
        if (!binaries[owner].includes(`${k[1]} =`) && !quoted(binaries[owner], `--${k[1]}`)) problems.push(`${at}: ${owner} config key ${k[1]} is not used by any test`);
      }
    }
  }
  for (const m of text.matchAll(/\b((?:keeper|reward_agent|redeemer)_[a-z_]+[a-z])\b/g)) {
    const name = m[1].replace(/_total$/, "");
    if (!sources.includes(name)) problems.push(`${rel}: metric ${m[1]} does not exist in crates/`);
  }
  return problems;
}

function selfTest() {
  const bad = [
    "lpt bond 1 --to 0x1 --no-such-flag",
    "lpt no-such-command",
    "target/release/livepeer-keeper --no-such-flag 1",
    "NO_SUCH_INPUT=1 forge script script/actions/Bond.s.sol:Bond --rpc-url $RPC_URL",
    "forge script script/actions/NoSuch.s.sol:NoSuch --rpc-url $RPC_URL",
    "cast send $X 'noSuchFunction()' --private-key $KEY",
    "cargo build --release -p no-such-crate",
    "make no-such-target",
    "rm -rf /",
  ];
  const good = ["lpt --json --yes unbond 1", "AMOUNT=1 TO=0x1 forge script script/actions/Bond.s.sol:Bond --rpc-url $RPC_URL --broadcast --private-key $KEY"];
  const accepted = bad.filter((l) => checkCommand(l).length === 0);
  const refused = good.filter((l) => checkCommand(l).length > 0);
  const badMetric = ["keeper_no_such_metric", "redeemer_no_such_metric_total"].some((m) => checkFile("self-test", m).length === 0);
  if (accepted.length || refused.length || badMetric) {
    console.error("check-docs self-test failed:", { accepted, refused, badMetric });
    process.exit(1);
  }
  console.log(`check-docs self-test: ${bad.length} bad lines refused, ${good.length} good lines accepted`);
}

if (process.argv.includes("--self-test")) selfTest();
const docs = ["README.md", ...filesUnder("docs", [".md"])];
const problems = docs.flatMap((f) => checkFile(f, read(f)));
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`check-docs: ${problems.length} command(s) in docs/ are not exercised by a test`);
  process.exit(1);
}
console.log(`check-docs: every command in ${docs.length} pages (README.md, docs/) is exercised by a test or the devnet run`);
