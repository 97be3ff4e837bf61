//! The service's TLS identity: a certificate and key given by the operator, or a self-signed pair
//! generated on first start and kept in `<state-dir>/tls/` (go-livepeer's client does not verify
//! the certificate, so a self-signed one is enough).

use std::{
    fs,
    path::{Path, PathBuf},
};

/// Directory of the generated pair inside the state directory.
pub const TLS_DIR: &str = "tls";

/// A TLS failure.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Generating the self-signed certificate failed.
    #[error("generating a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// Only one of the certificate and the key was given.
    #[error(
        "give both --tls-cert and --tls-key, or neither (a self-signed pair is then generated)"
    )]
    Incomplete,
}

/// A PEM certificate chain and its PEM private key.
#[derive(Clone)]
pub struct TlsPair {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PEM).
    pub key_pem: String,
    /// Where the certificate was read from or written to.
    pub cert_path: PathBuf,
}

impl std::fmt::Debug for TlsPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsPair")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<String, TlsError> {
    fs::read_to_string(path).map_err(|source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The given pair, or the one in `state_dir/tls/` (generated there for `localhost` and
/// `127.0.0.1` plus `hosts` the first time).
pub fn load_or_generate(
    cert: Option<&Path>,
    key: Option<&Path>,
    state_dir: &Path,
    hosts: &[String],
) -> Result<TlsPair, TlsError> {
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(TlsPair {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
            cert_path: cert.to_path_buf(),
        }),
        (None, None) => generated(state_dir, hosts),
        _ => Err(TlsError::Incomplete),
    }
}

fn generated(state_dir: &Path, hosts: &[String]) -> Result<TlsPair, TlsError> {
    let dir = state_dir.join(TLS_DIR);
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if cert_path.exists() && key_path.exists() {
        return Ok(TlsPair {
            cert_pem: read(&cert_path)?,
            key_pem: read(&key_path)?,
            cert_path,
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TlsError::Io { path, source }
    };
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    names.extend(hosts.iter().cloned());
    let generated = rcgen::generate_simple_self_signed(names)?;
    let pair = TlsPair {
        cert_pem: generated.cert.pem(),
        key_pem: generated.signing_key.serialize_pem(),
        cert_path: cert_path.clone(),
    };
    write_private(&key_path, &pair.key_pem).map_err(io(&key_path))?;
    fs::write(&cert_path, &pair.cert_pem).map_err(io(&cert_path))?;
    tracing::info!(cert = %cert_path.display(), "generated a self-signed TLS certificate");
    Ok(pair)
}

/// Writes `text` readable by the owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_is_kept_and_reused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let first = load_or_generate(None, None, dir.path(), &[])?;
        assert!(first.cert_pem.contains("BEGIN CERTIFICATE"));
        let again = load_or_generate(None, None, dir.path(), &[])?;
        assert_eq!(first.cert_pem, again.cert_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("tls/key.pem"))?
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is private");
        }
        assert!(matches!(
            load_or_generate(Some(&first.cert_path), None, dir.path(), &[]),
            Err(TlsError::Incomplete)
        ));
        Ok(())
    }
}
