//! End-to-end use of the bindings against a real anvil: deploy the forge-built `Controller`
//! and `LivepeerToken`, then drive them only through the typed interfaces.
//!
//! Needs `make build` (for `out/`) and `make deps` (for the pinned anvil binary).

use std::{fs, path::PathBuf};

use alloy::{
    contract::RawCallBuilder,
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, Bytes, fixed_bytes},
    providers::{Provider, ProviderBuilder},
    sol_types::SolValue,
};
use anyhow::{Context, Result, bail, ensure};
use livepeer_bindings::{IController, ILivepeerToken, contract_id, names};
use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The parsed forge artifact `out/<name>.sol/<name>.json`.
fn artifact(name: &str) -> Result<Value> {
    let path = repo_root().join(format!("out/{name}.sol/{name}.json"));
    let text = fs::read_to_string(&path)
        .with_context(|| format!("reading {}: run `make build` first", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Creation bytecode of a forge-built contract.
fn bytecode(name: &str) -> Result<Bytes> {
    let artifact = artifact(name)?;
    let hex = artifact["bytecode"]["object"]
        .as_str()
        .with_context(|| format!("{name} artifact has no bytecode.object"))?;
    Ok(hex.parse()?)
}

fn spawn_anvil() -> Result<AnvilInstance> {
    let bin = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    ensure!(
        bin.is_file(),
        "{} not found: run `make deps` first",
        bin.display()
    );
    Ok(Anvil::new().path(bin).try_spawn()?)
}

/// Deploys `name`'s creation code followed by the abi-encoded constructor arguments.
async fn deploy(provider: impl Provider, name: &str, constructor_args: &[u8]) -> Result<Address> {
    let mut code = bytecode(name)?.to_vec();
    code.extend_from_slice(constructor_args);
    Ok(RawCallBuilder::new_raw_deploy(provider, code.into())
        .deploy()
        .await?)
}

#[tokio::test]
async fn controller_through_typed_bindings() -> Result<()> {
    let anvil = spawn_anvil()?;
    let owner = anvil.addresses()[0];
    let stranger = anvil.addresses()[1];
    // The wallet holds every anvil key; transactions are signed by `owner` unless `.from()` says
    // otherwise.
    let wallet = anvil.wallet().context("anvil has no dev keys")?;
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(anvil.endpoint_url());

    let controller_addr = deploy(&provider, "Controller", &owner.abi_encode()).await?;
    let token_addr = deploy(&provider, "LivepeerToken", &owner.abi_encode()).await?;

    let controller = IController::new(controller_addr, &provider);
    let token = ILivepeerToken::new(token_addr, &provider);

    assert_eq!(controller.owner().call().await?, owner);
    assert!(!controller.paused().call().await?);
    assert_eq!(token.minter().call().await?, owner);

    // Register the token and read it back.
    let id = contract_id(names::LIVEPEER_TOKEN);
    let git_hash = fixed_bytes!("0123456789abcdef0123456789abcdef01234567");
    let receipt = controller
        .setContractInfo(id, token_addr, git_hash)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "setContractInfo failed: {receipt:?}");
    let event = receipt
        .decoded_log::<IController::SetContractInfo>()
        .context("no SetContractInfo event")?;
    assert_eq!(
        event.data,
        IController::SetContractInfo {
            id,
            contractAddress: token_addr,
            gitCommitHash: git_hash,
        }
    );

    assert_eq!(controller.getContract(id).call().await?, token_addr);
    let info = controller.getContractInfo(id).call().await?;
    assert_eq!((info._0, info._1), (token_addr, git_hash));
    assert_eq!(
        controller
            .getContract(contract_id(names::MINTER))
            .call()
            .await?,
        Address::ZERO
    );

    // Pause.
    let receipt = controller.pause().send().await?.get_receipt().await?;
    ensure!(receipt.status(), "pause failed: {receipt:?}");
    assert!(controller.paused().call().await?);

    // A second pause reverts with the interface's custom error; this is how a bot matches on it.
    // `send()` fails while estimating gas, before anything is broadcast.
    let Err(err) = controller.pause().send().await else {
        bail!("second pause() did not revert");
    };
    match err.as_decoded_interface_error::<IController::IControllerErrors>() {
        Some(IController::IControllerErrors::AlreadyPaused(_)) => {}
        other => bail!("expected AlreadyPaused, got {other:?} from {err}"),
    }
    // Or, when only one error matters:
    ensure!(
        err.as_decoded_error::<IController::AlreadyPaused>()
            .is_some()
    );

    // Anyone but the owner is rejected, with an error that names the caller.
    let Err(err) = controller.unpause().from(stranger).send().await else {
        bail!("unpause() from a non-owner did not revert");
    };
    match err.as_decoded_interface_error::<IController::IControllerErrors>() {
        Some(IController::IControllerErrors::CallerNotOwner(e)) => assert_eq!(e.caller, stranger),
        other => bail!("expected CallerNotOwner, got {other:?} from {err}"),
    }

    // The failed calls changed nothing.
    assert!(controller.paused().call().await?);
    assert_eq!(controller.owner().call().await?, owner);
    Ok(())
}
