//! Loading the signing key. The key never appears in logs, errors or `Debug` output:
//! errors name the source (file path or variable name) and the kind of failure only.

use std::path::{Path, PathBuf};

use alloy::signers::local::PrivateKeySigner;

use crate::ChainError;

/// Where the signing key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An encrypted JSON keystore (geth / foundry format) and a file holding its password.
    Keystore {
        /// The keystore file.
        keystore: PathBuf,
        /// The file holding the password (trailing newline ignored).
        password_file: PathBuf,
    },
    /// A file holding the hex private key (with or without `0x`, trailing newline ignored).
    PrivateKeyFile(PathBuf),
    /// An environment variable holding the hex private key.
    PrivateKeyEnv(String),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Keystore {
                keystore,
                password_file,
            } => f
                .debug_struct("Keystore")
                .field("keystore", keystore)
                .field("password_file", password_file)
                .finish(),
            Self::PrivateKeyFile(path) => f.debug_tuple("PrivateKeyFile").field(path).finish(),
            Self::PrivateKeyEnv(var) => f.debug_tuple("PrivateKeyEnv").field(var).finish(),
        }
    }
}

fn read_secret(path: &Path, what: &str) -> Result<String, ChainError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|err| {
            ChainError::Signer(format!(
                "cannot read {what} {}: {}",
                path.display(),
                err.kind()
            ))
        })
}

fn parse_key(hex: &str, source: &str) -> Result<PrivateKeySigner, ChainError> {
    // The parse error of the hex could echo the input; report only where it came from.
    hex.trim().parse::<PrivateKeySigner>().map_err(|_| {
        ChainError::Signer(format!(
            "{source} does not hold a valid 32-byte hex private key"
        ))
    })
}

/// Loads the signer from `source`.
pub fn load_signer(source: &KeySource) -> Result<PrivateKeySigner, ChainError> {
    match source {
        KeySource::Keystore {
            keystore,
            password_file,
        } => {
            let password = read_secret(password_file, "password file")?;
            PrivateKeySigner::decrypt_keystore(keystore, password).map_err(|err| {
                ChainError::Signer(format!(
                    "cannot decrypt keystore {}: {}",
                    keystore.display(),
                    keystore_error_kind(&err)
                ))
            })
        }
        KeySource::PrivateKeyFile(path) => {
            let key = read_secret(path, "private-key file")?;
            parse_key(&key, &format!("private-key file {}", path.display()))
        }
        KeySource::PrivateKeyEnv(var) => {
            let key = std::env::var(var).map_err(|_| {
                ChainError::Signer(format!("environment variable {var} is not set"))
            })?;
            parse_key(&key, &format!("environment variable {var}"))
        }
    }
}

fn keystore_error_kind(err: &alloy::signers::local::LocalSignerError) -> String {
    let text = err.to_string();
    if text.contains("Mac Mismatch") || text.contains("MacMismatch") {
        "wrong password".to_owned()
    } else {
        // Keystore errors describe the file (format, I/O), never the decrypted key.
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn key_file_loads_with_or_without_prefix() -> Result<(), ChainError> {
        let dir = tempfile::tempdir().map_err(|e| ChainError::Signer(e.to_string()))?;
        let path = dir.path().join("key");
        std::fs::write(&path, format!("0x{KEY}\n"))
            .map_err(|e| ChainError::Signer(e.to_string()))?;
        let prefixed = load_signer(&KeySource::PrivateKeyFile(path.clone()))?;
        std::fs::write(&path, KEY).map_err(|e| ChainError::Signer(e.to_string()))?;
        let bare = load_signer(&KeySource::PrivateKeyFile(path))?;
        assert_eq!(prefixed.address(), bare.address());
        assert_eq!(
            bare.address().to_string(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );
        Ok(())
    }

    #[test]
    fn errors_and_debug_never_contain_the_key() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("key");
        let bad = format!("{KEY}zz");
        std::fs::write(&path, &bad).unwrap_or_else(|_| unreachable!());
        let err = load_signer(&KeySource::PrivateKeyFile(path.clone()))
            .err()
            .map(|e| format!("{e} {e:?}"))
            .unwrap_or_default();
        assert!(err.contains("does not hold a valid"), "{err}");
        assert!(!err.contains(KEY), "error leaks the key: {err}");

        std::fs::write(&path, KEY).unwrap_or_else(|_| unreachable!());
        let signer =
            load_signer(&KeySource::PrivateKeyFile(path)).unwrap_or_else(|_| unreachable!());
        let debug = format!("{signer:?}");
        assert!(
            !debug.contains(KEY) && !debug.contains(&KEY[..16]),
            "Debug leaks the key: {debug}"
        );
    }

    #[test]
    fn missing_env_var_names_the_variable() {
        let err = load_signer(&KeySource::PrivateKeyEnv(
            "LIVEPEER_CHAIN_TEST_UNSET_VAR".into(),
        ))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("LIVEPEER_CHAIN_TEST_UNSET_VAR is not set"),
            "{err}"
        );
    }

    #[test]
    fn keystore_round_trip_and_wrong_password() -> Result<(), ChainError> {
        let dir = tempfile::tempdir().map_err(|e| ChainError::Signer(e.to_string()))?;
        let key: [u8; 32] = alloy::hex::decode(KEY)
            .ok()
            .and_then(|k| k.try_into().ok())
            .unwrap_or_default();
        let mut rng = rand::thread_rng();
        let (_, name) =
            PrivateKeySigner::encrypt_keystore(dir.path(), &mut rng, key, "hunter2", None)
                .map_err(|e| ChainError::Signer(e.to_string()))?;
        let keystore = dir.path().join(name);
        let password_file = dir.path().join("pw");
        std::fs::write(&password_file, "hunter2\n")
            .map_err(|e| ChainError::Signer(e.to_string()))?;
        let signer = load_signer(&KeySource::Keystore {
            keystore: keystore.clone(),
            password_file: password_file.clone(),
        })?;
        assert_eq!(
            signer.address().to_string(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );
        std::fs::write(&password_file, "wrong").map_err(|e| ChainError::Signer(e.to_string()))?;
        let err = load_signer(&KeySource::Keystore {
            keystore,
            password_file,
        })
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("wrong password"), "{err}");
        Ok(())
    }
}
