//! What the v4 client would panic on, checked before it gets the chance.
//!
//! The client builds its TLS configuration inside the task it spawns for
//! its connection, with `unwrap`s: a CA file that cannot be read or holds
//! no certificate, a bad client certificate or key, or a rustls crypto
//! provider that something else in the process installed first (it
//! installs aws-lc-rs itself, once, and panics if one is already there).
//! The panic kills that task, and every call after it fails with
//! "connection closed", which reads like a server that is down. So the same
//! checks are made here, at connect, and fail with what is wrong.

use eventstore::ClientSettings;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether this process has made a client: after the first, the client's
/// own provider is the installed one.
static CLIENT_MADE: AtomicBool = AtomicBool::new(false);

/// Why a client with `settings` would fail to start its connection.
pub fn check(settings: &ClientSettings) -> Result<(), String> {
    if !CLIENT_MADE.load(Ordering::SeqCst)
        && rustls::crypto::CryptoProvider::get_default().is_some()
    {
        return Err(
            "a rustls crypto provider is already installed in this process, and the \
                    eventstore client installs its own (aws-lc-rs) on first use and cannot \
                    start beside another: nothing else in the process may install one"
                .into(),
        );
    }
    if !settings.is_secure_mode_enabled() {
        return Ok(());
    }
    if let Some(file) = settings.tls_ca_file() {
        let certs = certificates(file, "tlsCAFile")?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("tlsCAFile {file}: not a CA certificate: {e}"))?;
        }
    }
    if let Some((cert, key)) = settings.user_certificate() {
        certificates(cert, "userCertFile")?;
        PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("userKeyFile {key}: no private key read: {e}"))?;
    }
    Ok(())
}

/// Notes, before it is made, that a client is made (its provider will be
/// the installed one: a check made meanwhile must not take it for another).
pub fn client_made() {
    CLIENT_MADE.store(true, Ordering::SeqCst);
}

/// The PEM certificates in `file`, at least one.
fn certificates(file: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| format!("{what} {file}: cannot read it: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} {file}: not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{what} {file}: holds no PEM certificate"));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> ClientSettings {
        url.parse().unwrap()
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_named() {
        let err = check(&settings(
            "esdb://localhost:2113?tls=true&tlsCAFile=/nonexistent/ca.pem",
        ))
        .unwrap_err();
        assert!(
            err.contains("tlsCAFile /nonexistent/ca.pem: cannot read"),
            "{err}"
        );

        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let url = format!(
            "esdb://localhost:2113?tls=true&tlsCAFile={}",
            empty.display()
        );
        let err = check(&settings(&url)).unwrap_err();
        assert!(err.contains("holds no PEM certificate"), "{err}");

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let url = format!(
            "esdb://localhost:2113?tls=true&tlsCAFile={}",
            garbage.display()
        );
        let err = check(&settings(&url)).unwrap_err();
        assert!(err.contains("not a CA certificate"), "{err}");
    }

    #[test]
    fn a_bad_client_key_is_named_and_plain_connections_need_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        std::fs::write(
            &cert,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let url = format!(
            "esdb://localhost:2113?tls=true&userCertFile={}&userKeyFile=/nonexistent/key.pem",
            cert.display()
        );
        let err = check(&settings(&url)).unwrap_err();
        assert!(err.contains("userKeyFile /nonexistent/key.pem"), "{err}");
        // Without TLS the client reads none of these files.
        check(&settings(
            "esdb://localhost:2113?tls=false&tlsCAFile=/nonexistent",
        ))
        .unwrap();
    }
}
