//! LIP-118 detection on a real anvil: our protocol has reward callers; a BondingManager whose
//! code reverts with empty data for an unknown function (what the live `delta` contract does for
//! `transcoderToRewardCaller`) has none; any other answer is an error, never a guess.

use alloy::{
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider, ProviderBuilder},
    sol_types::{Revert, SolError},
};
use anyhow::Result;
use livepeer_chain::{
    ChainError,
    protocol::{Protocol, RewardCallerSupport, probe_reward_caller_support},
    testchain::TestChain,
};

/// Runtime code that reverts with `data` whatever it is called with.
fn reverting_code(data: &[u8]) -> Result<Bytes> {
    let size = u8::try_from(data.len())?;
    // CODECOPY(0, 12, size); REVERT(0, size); then the data at offset 12.
    let mut code = vec![
        0x60, size, 0x60, 12, 0x60, 0, 0x39, 0x60, size, 0x60, 0, 0xfd,
    ];
    code.extend_from_slice(data);
    Ok(code.into())
}

async fn set_code(provider: &DynProvider, at: Address, code: Bytes) -> Result<()> {
    let _: () = provider
        .raw_request("anvil_setCode".into(), (at, code))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn reward_caller_support_is_detected_on_anvil() -> Result<()> {
    let devnet = TestChain::start().await?;
    let provider = ProviderBuilder::new()
        .connect_http(devnet.http_url().parse()?)
        .erased();
    let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
    assert_eq!(
        protocol.reward_caller_support().await?,
        RewardCallerSupport::Supported,
        "our BondingManager has LIP-118"
    );
    // Remembered: a second ask answers the same (and clones share it).
    assert_eq!(
        protocol.clone().reward_caller_support().await?,
        RewardCallerSupport::Supported
    );

    let empty = Address::with_last_byte(0xe1);
    set_code(&provider, empty, reverting_code(&[])?).await?;
    assert_eq!(
        probe_reward_caller_support(&provider, empty).await?,
        RewardCallerSupport::NotSupported,
        "an empty revert means no LIP-118"
    );

    let with_reason = Address::with_last_byte(0xe2);
    let reason = Revert::from("system is paused").abi_encode();
    set_code(&provider, with_reason, reverting_code(&reason)?).await?;
    let err = probe_reward_caller_support(&provider, with_reason).await;
    assert!(
        matches!(&err, Err(ChainError::UnexpectedAnswer { reason, .. }) if reason.contains("system is paused")),
        "{err:?}"
    );

    let no_code = Address::with_last_byte(0xe3);
    let err = probe_reward_caller_support(&provider, no_code).await;
    assert!(
        matches!(err, Err(ChainError::UnexpectedAnswer { .. })),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_fixture_has_no_reward_callers() -> Result<()> {
    let devnet = TestChain::start_live_fixture().await?;
    let provider = ProviderBuilder::new()
        .connect_http(devnet.http_url().parse()?)
        .erased();
    let protocol = Protocol::discover(provider, devnet.controller).await?;
    assert_eq!(
        protocol.reward_caller_support().await?,
        RewardCallerSupport::NotSupported,
        "f225b10 has no LIP-118"
    );
    Ok(())
}
