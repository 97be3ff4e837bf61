#!/usr/bin/env node
// Copies the ABI of every interface in contracts/interfaces/*.sol from the forge artifacts
// (out/<Name>.sol/<Name>.json) to crates/bindings/abi/<Name>.json, which the Rust bindings
// are generated from. Removes ABI files whose interface no longer exists.
//
// Usage: make bindings   (runs `forge build` first, then this script)
// No dependencies: plain Node.js.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const interfacesDir = path.join(root, "contracts", "interfaces");
const outDir = path.join(root, "out");
const abiDir = path.join(root, "crates", "bindings", "abi");

function fail(message) {
  console.error(`export-abis: ${message}`);
  process.exit(1);
}

function main() {
  if (!fs.existsSync(interfacesDir)) fail(`no interfaces directory at ${path.relative(root, interfacesDir)}`);

  const names = fs
    .readdirSync(interfacesDir)
    .filter((file) => file.endsWith(".sol"))
    .map((file) => path.basename(file, ".sol"))
    .sort();
  if (names.length === 0) fail("contracts/interfaces contains no .sol files");

  // Read every artifact before writing anything, so a missing one leaves abi/ untouched.
  const abis = new Map();
  for (const name of names) {
    const artifact = path.join(outDir, `${name}.sol`, `${name}.json`);
    if (!fs.existsSync(artifact)) {
      fail(`missing forge artifact ${path.relative(root, artifact)}; run \`make build\` first`);
    }
    let parsed;
    try {
      parsed = JSON.parse(fs.readFileSync(artifact, "utf8"));
    } catch (err) {
      fail(`cannot parse ${path.relative(root, artifact)}: ${err.message}; run \`make build\` first`);
    }
    if (!Array.isArray(parsed.abi)) {
      fail(`${path.relative(root, artifact)} has no \`abi\` array; run \`make build\` first`);
    }
    abis.set(name, parsed.abi);
  }

  fs.mkdirSync(abiDir, { recursive: true });

  let written = 0;
  for (const [name, abi] of abis) {
    const target = path.join(abiDir, `${name}.json`);
    const text = `${JSON.stringify(abi, null, 2)}\n`;
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : null;
    if (current !== text) {
      fs.writeFileSync(target, text);
      console.log(`export-abis: wrote ${path.relative(root, target)}`);
      written += 1;
    }
  }

  let removed = 0;
  for (const file of fs.readdirSync(abiDir).sort()) {
    if (file.endsWith(".json") && !abis.has(path.basename(file, ".json"))) {
      fs.unlinkSync(path.join(abiDir, file));
      console.log(`export-abis: removed stale ${path.relative(root, path.join(abiDir, file))}`);
      removed += 1;
    }
  }

  console.log(`export-abis: ${abis.size} interfaces, ${written} written, ${removed} removed`);
}

main();
