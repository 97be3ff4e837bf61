//! What the bots' configurations share once their flags are parsed: the `--config` TOML file
//! ([`ConfigFile`]), gwei amounts, the RPC connection, the sender's fee policy and the choice of
//! one key source, with the same defaults and error messages in every bot. The shared flags
//! themselves are [`crate::options`].

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::{
    provider::RpcConfig,
    sender::{FeePolicy, gwei_to_wei},
    signer::KeySource,
};

/// Errors in a bot's configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A required option is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// Options that do not go together, or a bad value.
    #[error("{0}")]
    Invalid(String),
}

/// A bot's `--config` file. Each options struct reads its own keys from it
/// ([`ConfigFile::take`]; the structs do not deny unknown fields, since serde's
/// `deny_unknown_fields` does not work through `#[serde(flatten)]`), and
/// [`ConfigFile::finish`] refuses the keys no struct reads, naming them.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    text: String,
    keys: Vec<String>,
    known: Vec<&'static str>,
}

impl ConfigFile {
    /// Reads and parses the TOML file at `path`.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let mut file = Self {
            path: path.to_path_buf(),
            text: String::new(),
            keys: Vec::new(),
            known: Vec::new(),
        };
        file.text = std::fs::read_to_string(path).map_err(|e| file.error(e.to_string()))?;
        let table: toml::Table =
            toml::from_str(&file.text).map_err(|e| file.error(e.to_string()))?;
        file.keys = table.keys().cloned().collect();
        Ok(file)
    }

    /// `T`'s keys (its serde field names) of the file, deserialized; an error points at the
    /// value in the file.
    pub fn take<T: DeserializeOwned>(&mut self) -> Result<T, ConfigError> {
        self.known.extend(field_names::<T>());
        toml::from_str(&self.text).map_err(|e| self.error(e.to_string()))
    }

    /// Refuses the keys no [`ConfigFile::take`] read, naming them and the keys there are.
    pub fn finish(self) -> Result<(), ConfigError> {
        let unknown: Vec<String> = self
            .keys
            .iter()
            .filter(|k| !self.known.contains(&k.as_str()))
            .map(|k| format!("`{k}`"))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let mut known = self.known.clone();
        known.sort_unstable();
        Err(self.error(format!(
            "unknown key {}; the keys are {}",
            unknown.join(", "),
            known.join(", ")
        )))
    }

    fn error(&self, reason: String) -> ConfigError {
        ConfigError::File {
            path: self.path.clone(),
            reason,
        }
    }
}

/// The serde field names of `T` (the keys it reads), from the list serde hands to
/// `deserialize_struct`.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

/// A deserializer that only records the field names of the struct asked for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("field names only"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(serde::de::Error::custom("field names only"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Gwei (decimal) to wei; an error names the value if it is negative or not finite.
pub fn gwei(value: f64) -> Result<u128, ConfigError> {
    gwei_to_wei(value)
        .ok_or_else(|| ConfigError::Invalid(format!("{value} is not a valid gwei amount")))
}

/// The RPC connection of `--rpc-url` (at least one URL) and `--rpc-retries` (default
/// [`RpcConfig::new`]'s).
pub fn rpc_config(urls: Vec<String>, retries: Option<u32>) -> Result<RpcConfig, ConfigError> {
    if urls.is_empty() {
        return Err(ConfigError::Missing("--rpc-url"));
    }
    let mut rpc = RpcConfig::new(urls);
    if let Some(retries) = retries {
        rpc.max_retries = retries;
    }
    Ok(rpc)
}

/// `--max-failed-reads`: [`crate::health::DEFAULT_MAX_FAILED_READS`] when not given, at least 1.
pub fn max_failed_reads(value: Option<u32>) -> Result<u32, ConfigError> {
    match value {
        None => Ok(crate::health::DEFAULT_MAX_FAILED_READS),
        Some(0) => Err(ConfigError::Invalid(
            "--max-failed-reads must be at least 1".into(),
        )),
        Some(n) => Ok(n),
    }
}

/// Priority fee of the bots when none is configured: 0.01 gwei.
pub const DEFAULT_PRIORITY_FEE_PER_GAS: u128 = 10_000_000;

/// The sender options of a bot, as parsed (`None`: not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct FeeOptions {
    /// `--max-fee-gwei` [default: 100].
    pub max_fee_gwei: Option<f64>,
    /// `--priority-fee-gwei` [default: 0.01, [`DEFAULT_PRIORITY_FEE_PER_GAS`]].
    pub priority_fee_gwei: Option<f64>,
    /// `--bump-percent`, at least 10 [default: [`FeePolicy::default`]'s].
    pub bump_percent: Option<u64>,
    /// `--replace-after-blocks` [default: [`FeePolicy::default`]'s].
    pub replace_after_blocks: Option<u64>,
    /// `--confirmations` [default: [`FeePolicy::default`]'s].
    pub confirmations: Option<u64>,
}

impl FeeOptions {
    /// The fee policy, defaults applied; the gas limit percentage is always the default one.
    pub fn resolve(self) -> Result<FeePolicy, ConfigError> {
        let defaults = FeePolicy::default();
        let fees = FeePolicy {
            max_fee_per_gas: self
                .max_fee_gwei
                .map(gwei)
                .transpose()?
                .unwrap_or(100_000_000_000),
            priority_fee_per_gas: self
                .priority_fee_gwei
                .map(gwei)
                .transpose()?
                .unwrap_or(DEFAULT_PRIORITY_FEE_PER_GAS),
            bump_percent: self.bump_percent.unwrap_or(defaults.bump_percent),
            replace_after_blocks: self
                .replace_after_blocks
                .unwrap_or(defaults.replace_after_blocks),
            confirmations: self.confirmations.unwrap_or(defaults.confirmations),
            gas_limit_percent: defaults.gas_limit_percent,
        };
        if fees.bump_percent < 10 {
            return Err(ConfigError::Invalid(
                "--bump-percent must be at least 10".into(),
            ));
        }
        Ok(fees)
    }
}

/// The key options of one account, as parsed (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    /// An encrypted JSON keystore (needs `password_file`).
    pub keystore: Option<PathBuf>,
    /// The file holding the keystore password.
    pub password_file: Option<PathBuf>,
    /// A file holding the hex private key.
    pub private_key_file: Option<PathBuf>,
    /// The name of an environment variable holding the hex private key.
    pub private_key_env: Option<String>,
}

impl KeyOptions {
    /// The one key source given: `Ok(None)` if none is, an error for a keystore without its
    /// password file or for several sources.
    pub fn resolve(self) -> Result<Option<KeySource>, ConfigError> {
        match (
            self.keystore,
            self.password_file,
            self.private_key_file,
            self.private_key_env,
        ) {
            (Some(keystore), Some(password_file), None, None) => Ok(Some(KeySource::Keystore {
                keystore,
                password_file,
            })),
            (None, None, Some(path), None) => Ok(Some(KeySource::PrivateKeyFile(path))),
            (None, None, None, Some(var)) => Ok(Some(KeySource::PrivateKeyEnv(var))),
            (None, None, None, None) => Ok(None),
            (Some(_), None, None, None) => {
                Err(ConfigError::Missing("--password-file (for --keystore)"))
            }
            _ => Err(ConfigError::Invalid(
                "give exactly one key source: --keystore + --password-file, --private-key-file or --private-key-env".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_defaults_and_bump_floor() -> Result<(), ConfigError> {
        let fees = FeeOptions::default().resolve()?;
        assert_eq!(fees.max_fee_per_gas, 100_000_000_000, "max fee");
        assert_eq!(fees.priority_fee_per_gas, 10_000_000, "priority fee");
        assert_eq!(fees.bump_percent, FeePolicy::default().bump_percent, "bump");
        let fees = FeeOptions {
            max_fee_gwei: Some(2.5),
            confirmations: Some(3),
            ..FeeOptions::default()
        }
        .resolve()?;
        assert_eq!(fees.max_fee_per_gas, 2_500_000_000, "max fee from gwei");
        assert_eq!(fees.confirmations, 3, "confirmations");
        let low_bump = FeeOptions {
            bump_percent: Some(9),
            ..FeeOptions::default()
        }
        .resolve();
        assert!(matches!(low_bump, Err(ConfigError::Invalid(m)) if m.contains("--bump-percent")));
        let negative = FeeOptions {
            priority_fee_gwei: Some(-1.0),
            ..FeeOptions::default()
        }
        .resolve();
        assert!(matches!(negative, Err(ConfigError::Invalid(m)) if m.contains("-1")));
        Ok(())
    }

    #[test]
    fn max_failed_reads_defaults_to_three_and_refuses_zero() -> Result<(), ConfigError> {
        assert_eq!(max_failed_reads(None)?, 3, "default");
        assert_eq!(max_failed_reads(Some(7))?, 7, "given");
        assert!(
            matches!(max_failed_reads(Some(0)), Err(ConfigError::Invalid(m)) if m.contains("at least 1"))
        );
        Ok(())
    }

    #[test]
    fn rpc_needs_a_url() -> Result<(), ConfigError> {
        assert!(matches!(
            rpc_config(Vec::new(), None),
            Err(ConfigError::Missing("--rpc-url"))
        ));
        let rpc = rpc_config(vec!["http://a".into()], Some(9))?;
        assert_eq!(rpc.max_retries, 9, "retries");
        Ok(())
    }

    #[test]
    fn exactly_one_key_source() -> Result<(), ConfigError> {
        assert_eq!(KeyOptions::default().resolve()?, None, "none given");
        let env = KeyOptions {
            private_key_env: Some("KEY".into()),
            ..KeyOptions::default()
        };
        assert_eq!(
            env.clone().resolve()?,
            Some(KeySource::PrivateKeyEnv("KEY".into()))
        );
        let no_password = KeyOptions {
            keystore: Some("k.json".into()),
            ..KeyOptions::default()
        };
        assert!(matches!(
            no_password.resolve(),
            Err(ConfigError::Missing(_))
        ));
        let two = KeyOptions {
            private_key_file: Some("k".into()),
            ..env
        };
        assert!(matches!(two.resolve(), Err(ConfigError::Invalid(m)) if m.contains("exactly one")));
        Ok(())
    }

    #[test]
    fn unreadable_file_names_the_path() {
        let path = Path::new("/nonexistent/bot.toml");
        let err = ConfigFile::read(path);
        assert!(
            matches!(err, Err(ConfigError::File { path: p, .. }) if p == path),
            "file error"
        );
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Shared {
        rpc_urls: Option<Vec<String>>,
        #[serde(skip)]
        _secret: Option<String>,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Own {
        turn_delay_blocks: Option<u64>,
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("bot.toml");
        std::fs::write(&path, text).unwrap_or_else(|_| unreachable!());
        (dir, path)
    }

    #[test]
    fn each_part_takes_its_keys_and_the_rest_is_refused_by_name() -> Result<(), ConfigError> {
        assert_eq!(
            field_names::<Shared>(),
            ["rpc-urls"],
            "skipped fields are no keys"
        );
        let (_dir, path) = file("rpc-urls = [\"http://a\"]\nturn-delay-blocks = 4\n");
        let mut config = ConfigFile::read(&path)?;
        let shared: Shared = config.take()?;
        let own: Own = config.take()?;
        config.finish()?;
        assert_eq!(shared.rpc_urls, Some(vec!["http://a".to_owned()]));
        assert_eq!(own.turn_delay_blocks, Some(4));

        let (_dir, path) = file("rpc-url = 3\n_secret = \"x\"\n");
        let mut config = ConfigFile::read(&path)?;
        let _: Shared = config.take()?;
        let _: Own = config.take()?;
        let err = config
            .finish()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown key `_secret`, `rpc-url`"), "{err}");
        assert!(
            err.contains("the keys are rpc-urls, turn-delay-blocks"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn a_bad_value_names_the_file_and_the_key() -> Result<(), ConfigError> {
        let (_dir, path) = file("turn-delay-blocks = \"soon\"\n");
        let mut config = ConfigFile::read(&path)?;
        let err = config
            .take::<Own>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("bot.toml") && err.contains("turn-delay-blocks = \"soon\""),
            "{err}"
        );
        Ok(())
    }
}
