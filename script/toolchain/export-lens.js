#!/usr/bin/env node
// Copies the ABI and creation code of contracts/lens/RewardLens.sol from the forge artifact
// (out/RewardLens.sol/RewardLens.json) to crates/reward-agent/lens/RewardLens.json, which the
// reward agent embeds. Usage: forge build && node script/toolchain/export-lens.js
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const artifact = path.join(root, "out", "RewardLens.sol", "RewardLens.json");
const target = path.join(root, "crates", "reward-agent", "lens", "RewardLens.json");

if (!fs.existsSync(artifact)) {
  console.error(`export-lens: missing ${path.relative(root, artifact)}; run \`make build\` first`);
  process.exit(1);
}
const parsed = JSON.parse(fs.readFileSync(artifact, "utf8"));
fs.writeFileSync(target, JSON.stringify({ abi: parsed.abi, bytecode: parsed.bytecode.object }, null, 1) + "\n");
console.log(`export-lens: wrote ${path.relative(root, target)}`);
