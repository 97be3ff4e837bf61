//! The committed `lens/RewardLens.json` must match the forge artifact of
//! `contracts/lens/RewardLens.sol`. Run `make build` first; if this fails, run
//! `node script/toolchain/export-lens.js` and commit the result.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

fn read(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

#[test]
fn committed_lens_matches_the_forge_artifact() -> Result<()> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = read(&crate_dir.join("lens/RewardLens.json"))?;
    let artifact = read(&crate_dir.join("../../out/RewardLens.sol/RewardLens.json"))?;
    ensure!(
        committed["abi"] == artifact["abi"],
        "RewardLens ABI is stale: run `node script/toolchain/export-lens.js`"
    );
    ensure!(
        committed["bytecode"] == artifact["bytecode"]["object"],
        "RewardLens creation code is stale: run `node script/toolchain/export-lens.js`"
    );
    Ok(())
}
