//! The live-deployment fixture (`TestChain::start_live_fixture`) shows tools what the live contracts
//! show: an absent function reverts with empty data, reverts carry the live strings; the protocol
//! still works through it. Needs `make build` and `make deps`.

use alloy::{
    primitives::{Address, Bytes},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, bail};
use livepeer_chain::{
    protocol::Protocol,
    revert::RevertReason,
    testchain::{DEV_KEYS, Flavor, TestChain},
};

async fn protocol(devnet: &TestChain) -> Result<Protocol> {
    let signer: PrivateKeySigner = DEV_KEYS[0].parse()?;
    let provider = ProviderBuilder::new()
        .wallet(signer)
        .connect_http(devnet.http_url().parse()?)
        .erased();
    Ok(Protocol::discover(provider, devnet.controller).await?)
}

/// The revert of a failed `eth_call`, decoded.
fn revert_of<T: std::fmt::Debug>(
    result: Result<T, alloy::contract::Error>,
) -> Result<RevertReason> {
    match result {
        Ok(value) => bail!("expected a revert, got {value:?}"),
        Err(err) => {
            let data: Bytes = err
                .as_revert_data()
                .with_context(|| format!("not a revert: {err}"))?;
            Ok(RevertReason::decode(&data))
        }
    }
}

#[tokio::test]
async fn fixture_lacks_lip118_and_reverts_with_live_strings() -> Result<()> {
    for flavor in Flavor::ALL {
        let devnet = TestChain::start_flavor(flavor).await?;
        let p = protocol(&devnet).await?;
        let bm = &p.bonding_manager;
        let caller = bm.transcoderToRewardCaller(Address::ZERO).call().await;
        let reward = revert_of(bm.reward().call().await)?;
        match flavor {
            Flavor::Ours => {
                assert_eq!(caller?, Address::ZERO, "ours has LIP-118");
                assert!(
                    matches!(reward, RevertReason::BondingManager(_)),
                    "ours reverts with a custom error: {reward}"
                );
            }
            Flavor::LiveFixture => {
                assert_eq!(
                    revert_of(caller)?,
                    RevertReason::Unknown(Bytes::new()),
                    "no LIP-118: empty revert"
                );
                assert_eq!(
                    reward,
                    RevertReason::Message("current round is not initialized".into()),
                    "live string"
                );
                p.rounds_manager
                    .initializeRound()
                    .send()
                    .await?
                    .get_receipt()
                    .await?;
                assert_eq!(
                    revert_of(p.rounds_manager.initializeRound().call().await)?,
                    RevertReason::Message("round already initialized".into())
                );
                assert_eq!(
                    revert_of(bm.reward().call().await)?,
                    RevertReason::Message("caller must be an active transcoder".into())
                );
                // Views a tool reads still answer.
                let round = p.rounds_manager.currentRound().call().await?;
                assert!(p.rounds_manager.currentRoundInitialized().call().await?);
                let _ = bm
                    .getTranscoderEarningsPoolForRound(Address::ZERO, round)
                    .call()
                    .await?;
            }
        }
    }
    Ok(())
}
