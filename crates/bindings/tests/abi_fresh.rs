//! The committed `abi/*.json` files must match the forge artifacts they were exported from,
//! one per interface in `contracts/interfaces`. Run `make build` first (the README's test
//! command does); if this fails, run `make bindings` and commit the result.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

const FIX: &str = "run `make bindings` and commit crates/bindings/abi";

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn repo_root() -> PathBuf {
    let dir = crate_dir();
    dir.parent()
        .and_then(Path::parent)
        .map_or_else(|| dir.join("../.."), Path::to_path_buf)
}

/// File stems of the entries of `dir` with extension `ext`, sorted.
fn stems(dir: &Path, ext: &str) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == ext)
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.insert(stem.to_owned());
        }
    }
    Ok(names)
}

fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

#[test]
fn every_interface_has_a_committed_abi_and_vice_versa() -> Result<()> {
    let interfaces = stems(&repo_root().join("contracts/interfaces"), "sol")?;
    let abis = stems(&crate_dir().join("abi"), "json")?;

    let missing: Vec<_> = interfaces.difference(&abis).collect();
    let orphaned: Vec<_> = abis.difference(&interfaces).collect();
    ensure!(
        missing.is_empty(),
        "interfaces without a committed ABI: {missing:?}; {FIX}"
    );
    ensure!(
        orphaned.is_empty(),
        "committed ABIs without an interface in contracts/interfaces: {orphaned:?}; {FIX}"
    );
    Ok(())
}

#[test]
fn committed_abis_match_forge_artifacts() -> Result<()> {
    let out = repo_root().join("out");
    if !out.is_dir() {
        bail!("{} does not exist: run `make build` first", out.display());
    }

    let (mut stale, mut unbuilt) = (Vec::new(), Vec::new());
    for name in stems(&crate_dir().join("abi"), "json")? {
        let artifact = out.join(format!("{name}.sol/{name}.json"));
        if !artifact.is_file() {
            unbuilt.push(name);
            continue;
        }
        let built = read_json(&artifact)?
            .get("abi")
            .cloned()
            .with_context(|| format!("{} has no `abi` field", artifact.display()))?;
        let committed = read_json(&crate_dir().join(format!("abi/{name}.json")))?;
        if built != committed {
            stale.push(name);
        }
    }
    let mut problems = Vec::new();
    if !stale.is_empty() {
        problems.push(format!(
            "committed ABIs differ from the forge artifacts for {stale:?}"
        ));
    }
    if !unbuilt.is_empty() {
        problems.push(format!(
            "no forge artifact in {} for {unbuilt:?} (interface removed, or `make build` not run)",
            out.display()
        ));
    }
    ensure!(problems.is_empty(), "{}; {FIX}", problems.join("; "));
    Ok(())
}

/// The vendor ABIs (contracts deployed as OpenZeppelin ships them) match the pinned package.
#[test]
fn vendor_abis_match_the_openzeppelin_package() -> Result<()> {
    let package = repo_root().join("node_modules/@openzeppelin/contracts/build/contracts");
    if !package.is_dir() {
        bail!(
            "{} does not exist: run `make deps` first",
            package.display()
        );
    }
    let vendor = crate_dir().join("abi/vendor");
    let names = stems(&vendor, "json")?;
    ensure!(
        names.contains("TimelockController"),
        "abi/vendor/TimelockController.json is missing; {FIX}"
    );
    let mut stale = Vec::new();
    for name in names {
        let artifact = package.join(format!("{name}.json"));
        let shipped = read_json(&artifact)?
            .get("abi")
            .cloned()
            .with_context(|| format!("{} has no `abi` field", artifact.display()))?;
        if shipped != read_json(&vendor.join(format!("{name}.json")))? {
            stale.push(name);
        }
    }
    ensure!(
        stale.is_empty(),
        "vendor ABIs differ from @openzeppelin/contracts for {stale:?}; {FIX}"
    );
    Ok(())
}
