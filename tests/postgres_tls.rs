//! A database on another machine, reached over TLS: a real PostgreSQL server that takes TCP
//! connections only with TLS (`hostssl`), presenting a certificate for `localhost` signed by a
//! certificate authority made for the test. `sslmode=verify-full` with that authority's file
//! connects; the same server named by its address (not in its certificate), or without the
//! authority, or with another authority's file, is refused with an error that says why, and
//! nothing is written; `verify-ca` checks the signature only; `disable` is refused by the
//! server itself, which shows that what connected was encrypted.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use crate::common::Workspace;
use crate::pgserver;

/// A certificate authority: its certificate (PEM) and what signs with it.
pub(crate) fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A certificate for `localhost` signed by `ca`, with its key (PEM).
pub(crate) fn server_certificate(ca: &CertifiedIssuer<'static, KeyPair>) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, ca).unwrap();
    (cert.pem() + &ca.pem(), key.serialize_pem())
}

#[test]
fn a_database_on_another_machine_is_reached_over_tls_and_a_wrong_certificate_refused() {
    let ca = authority("duban test CA");
    let (cert, key) = server_certificate(&ca);
    let Some((server, port)) = pgserver::own_with_tls(&cert, &key) else {
        return;
    };
    let database = server.database_on_port(port);
    let w = Workspace::new(&["nanyang-2017"]);
    let ca_file = w.path().join("province-ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let other_file = w.path().join("other-ca.pem");
    std::fs::write(&other_file, authority("another CA").pem()).unwrap();
    let url = |host: &str, query: &str| {
        format!("postgresql://duban:s3cret-pw@{host}:{port}/{database}?{query}")
    };
    let root = format!("sslrootcert={}", ca_file.display());
    let run = |url: &str, args: &[&str]| {
        let mut all = vec!["--db", url];
        all.extend(args);
        w.run(&all)
    };

    // verify-full, the host as the certificate names it, the authority trusted: it works.
    let good = url("localhost", &format!("sslmode=verify-full&{root}"));
    let synced = run(&good, &["sync", "--as-of", "2017-05-01"]);
    assert_eq!(synced.code, 0, "{}", synced.stderr);
    let overdue = run(
        &good,
        &["overdue", "--as-of", "2017-05-01", "--format", "json"],
    );
    assert_eq!(overdue.code, 0, "{}", overdue.stderr);

    // Refused, saying why, showing no password; nothing written (the sync would say so).
    let refused = |url: &str, says: &[&str]| {
        let r = run(url, &["sync", "--as-of", "2017-05-02"]);
        assert_eq!(r.code, 2, "{url}: {}", r.stdout);
        for s in says {
            assert!(
                r.stderr.contains(s),
                "{url}: expected {s:?} in\n{}",
                r.stderr
            );
        }
        assert!(!r.stderr.contains("s3cret-pw"), "{}", r.stderr);
        assert!(!r.stdout.contains("s3cret-pw"), "{}", r.stdout);
    };
    // The address is not a name in the certificate.
    refused(
        &url("127.0.0.1", &format!("sslmode=verify-full&{root}")),
        &[
            "no secure connection",
            "not valid for name",
            "not made for the host",
        ],
    );
    // The authority is not trusted: not named, or another one named.
    refused(
        &url("localhost", "sslmode=verify-full"),
        &["no secure connection", "authority not trusted"],
    );
    refused(
        &url(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={}", other_file.display()),
        ),
        &["no secure connection", "authority not trusted"],
    );
    // A root file that is not one.
    refused(
        &url(
            "localhost",
            &format!(
                "sslmode=verify-full&sslrootcert={}",
                w.path().join("nothing.pem").display()
            ),
        ),
        &["cannot be read"],
    );
    refused(&url("localhost", "sslmode=verify-some"), &["is not a mode"]);

    // verify-ca: the signature checked, not the name.
    let by_address = url("127.0.0.1", &format!("sslmode=verify-ca&{root}"));
    let r = run(
        &by_address,
        &["status", "--as-of", "2017-05-01", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // verify-ca trusts the named file's authorities only (not the system's), and needs it.
    refused(
        &url("127.0.0.1", "sslmode=verify-ca"),
        &["sslrootcert=FILE only"],
    );
    refused(
        &url(
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={}", other_file.display()),
        ),
        &["authority not trusted"],
    );

    // Without TLS the server itself refuses (hostssl only): what connected above was encrypted.
    let plain = run(
        &url("localhost", "sslmode=disable"),
        &["status", "--as-of", "2017-05-01"],
    );
    assert_eq!(plain.code, 2, "{}", plain.stdout);
    assert!(plain.stderr.contains("no encryption"), "{}", plain.stderr);
    // The default (prefer) and require encrypt without checking, as libpq does.
    for query in ["", "sslmode=require"] {
        let r = run(
            &url("127.0.0.1", query),
            &["status", "--as-of", "2017-05-01"],
        );
        assert_eq!(r.code, 0, "{query}: {}", r.stderr);
    }
}
