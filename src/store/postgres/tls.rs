//! How a node reaches a database on another machine: over TLS, checked as the URL's `sslmode`
//! asks, as libpq reads it. A province's database is not on the node's machine, and only a
//! local socket or a tunnel is safe without TLS.
//!
//! | `sslmode`               | TLS                          | the server's certificate              |
//! |-------------------------|------------------------------|---------------------------------------|
//! | `disable`               | never                        | —                                     |
//! | `prefer` (or none)      | if the server offers it      | not checked (as libpq)                |
//! | `require`               | always                       | not checked; with `sslrootcert`, as `verify-ca` |
//! | `verify-ca`             | always                       | signed by an authority of `sslrootcert` |
//! | `verify-full`           | always                       | trusted, and made for the host named  |
//!
//! `verify-full` trusts the system's authorities (its CA store) and those in the file
//! `sslrootcert=` names; `verify-ca`, which does not check the name, trusts only the file's —
//! any certificate a public authority signed, for any name, would pass it otherwise. The PostgreSQL client library knows only the first three modes and no
//! `sslrootcert`, so these are taken out of the URL here and the checks made by rustls. Over a
//! Unix socket the server offers no TLS and none is asked for.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the certificate of the server is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No TLS.
    Disable,
    /// TLS if the server offers it; its certificate not checked.
    Prefer,
    /// TLS always; its certificate not checked.
    Require,
    /// TLS always; the certificate signed by a trusted authority.
    VerifyCa,
    /// TLS always; the certificate trusted and made for the host the URL names.
    VerifyFull,
}

/// What the URL asks of TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    /// The `sslmode`.
    pub mode: Mode,
    /// The file of authorities to trust besides the system's (`sslrootcert=`).
    pub root: Option<PathBuf>,
}

/// Why TLS cannot be set up as the URL asks.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `sslmode=` names no mode.
    #[error("`sslmode={0}` is not a mode: use disable, prefer, require, verify-ca or verify-full")]
    UnknownMode(String),
    /// The `sslrootcert` file cannot be read or holds no certificate.
    #[error("the certificate authorities in `{path}` cannot be read: {why}")]
    Roots {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// `verify-ca` without the authorities it trusts.
    #[error(
        "sslmode=verify-ca checks the server's certificate against the authorities of sslrootcert=FILE only: name that file"
    )]
    NoRootFile,
    /// The server's certificate cannot be checked: no authority is trusted at all.
    #[error(
        "sslmode={0} checks the server's certificate, but no authority is trusted: name a file of them with sslrootcert="
    )]
    NoRoots(&'static str),
}

/// `url` without the TLS settings the client library does not know, and what they ask.
pub fn split(url: &str) -> Result<(String, Wish), TlsError> {
    let mut wish = Wish {
        mode: Mode::Prefer,
        root: None,
    };
    let mut take = |key: &str, value: &str| -> Result<bool, TlsError> {
        match key {
            "sslmode" => {
                wish.mode = match value {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => return Err(TlsError::UnknownMode(other.to_string())),
                };
                Ok(true)
            }
            "sslrootcert" => {
                wish.root = Some(PathBuf::from(percent_decoded(value)));
                Ok(true)
            }
            _ => Ok(false),
        }
    };
    let rest = if let Some((head, query)) = url.split_once('?') {
        let mut kept = Vec::new();
        for part in query.split('&') {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            if !take(key, value)? {
                kept.push(part);
            }
        }
        if kept.is_empty() {
            head.to_string()
        } else {
            format!("{head}?{}", kept.join("&"))
        }
    } else if url.contains("://") {
        url.to_string()
    } else {
        // The `host=… dbname=…` form.
        let mut kept = Vec::new();
        for part in url.split_whitespace() {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            if !take(key, value)? {
                kept.push(part);
            }
        }
        kept.join(" ")
    };
    // libpq: a root certificate file given with `require` makes it `verify-ca`.
    if wish.mode == Mode::Require && wish.root.is_some() {
        wish.mode = Mode::VerifyCa;
    }
    Ok((rest, wish))
}

/// `%2F` and the like in a URL's value, decoded.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client library's mode for `mode`: the checks beyond it are rustls's.
pub fn library_mode(mode: Mode) -> ::postgres::config::SslMode {
    use ::postgres::config::SslMode;
    match mode {
        Mode::Disable => SslMode::Disable,
        Mode::Prefer => SslMode::Prefer,
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
    }
}

/// The connector for `wish`.
pub fn connector(wish: &Wish) -> Result<MakeRustlsConnect, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = match wish.mode {
        Mode::Disable | Mode::Prefer | Mode::Require => None,
        Mode::VerifyCa | Mode::VerifyFull => {
            if wish.mode == Mode::VerifyCa && wish.root.is_none() {
                return Err(TlsError::NoRootFile);
            }
            let roots = roots(wish)?;
            if roots.is_empty() {
                let mode = if wish.mode == Mode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                };
                return Err(TlsError::NoRoots(mode));
            }
            Some(
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TlsError::Roots {
                        path: wish.root.clone().unwrap_or_default(),
                        why: e.to_string(),
                    })?,
            )
        }
    };
    let verifier = Arc::new(Checks {
        provider: provider.clone(),
        chain,
        name: wish.mode == Mode::VerifyFull,
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Roots {
            path: PathBuf::new(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The system's authorities and those of the `sslrootcert` file.
fn roots(wish: &Wish) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    // A system without a CA store (a minimal container) has none to add: the file's count.
    if wish.mode == Mode::VerifyFull {
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
    }
    if let Some(path) = &wish.root {
        let bad = |why: String| TlsError::Roots {
            path: path.clone(),
            why,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no PEM certificate".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(roots)
}

/// What is checked of the server's certificate beyond the handshake's signatures (which are
/// always checked against the certificate sent): nothing (`prefer`, `require`, as libpq), its
/// chain (`verify-ca`), or its chain and the host's name (`verify-full`).
#[derive(Debug)]
struct Checks {
    provider: Arc<CryptoProvider>,
    /// The chain's verifier; none: the certificate is not checked.
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// Whether a certificate made for another name is refused.
    name: bool,
}

impl ServerCertVerifier for Checks {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modes_libpq_knows_are_taken_out_of_the_url() {
        let (url, wish) =
            split("postgresql://u:p@db.example.org:5432/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x")
                .unwrap();
        assert_eq!(
            url,
            "postgresql://u:p@db.example.org:5432/d?application_name=x"
        );
        assert_eq!(wish.mode, Mode::VerifyFull);
        assert_eq!(wish.root, Some(PathBuf::from("/etc/ca.pem")));
        let (url, wish) = split("postgresql:///d?host=/run/pg").unwrap();
        assert_eq!(url, "postgresql:///d?host=/run/pg");
        assert_eq!(wish.mode, Mode::Prefer);
        let (url, wish) = split("host=db dbname=d sslmode=require sslrootcert=ca.pem").unwrap();
        assert_eq!(url, "host=db dbname=d");
        assert_eq!(wish.mode, Mode::VerifyCa, "libpq: require with a root file");
        assert!(matches!(
            split("postgresql://h/d?sslmode=verify"),
            Err(TlsError::UnknownMode(m)) if m == "verify"
        ));
    }

    #[test]
    fn a_root_file_without_a_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let wish = Wish {
            mode: Mode::VerifyFull,
            root: Some(path),
        };
        assert!(matches!(connector(&wish), Err(TlsError::Roots { .. })));
    }
}
