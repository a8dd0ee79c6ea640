//! Mail over TLS to a real SMTP server on loopback that takes a login only over TLS, with a
//! certificate for `localhost` signed by an authority made for the test: STARTTLS
//! (`?tls=required`) and TLS from the first byte (`smtps://`) deliver with the authority given
//! as `ca_file`; without it, or with the server named by an address its certificate does not
//! name, nothing is sent, every mail stays pending, and the error says it is the certificate.

use crate::mail::{configure_with, nanyang};
use crate::mailserver::MailServer;
use crate::postgres_tls::{authority, server_certificate};

/// The server's certificate chain and key, and the authority's certificate, as files in `dir`.
fn certificates(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let ca = authority("duban test mail authority");
    let (chain, key) = server_certificate(&ca);
    let (cert_file, key_file) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert_file, chain).unwrap();
    std::fs::write(&key_file, key).unwrap();
    (cert_file, key_file, ca.pem())
}

fn over_tls(wrapper: bool) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certificates(dir.path());
    let server = MailServer::start_with_tls("duban", "right-password", (&cert, &key), wrapper);
    let port = server.url().rsplit(':').next().unwrap().to_string();
    let url = |host: &str| {
        if wrapper {
            format!("smtps://{host}:{port}")
        } else {
            format!("smtp://{host}:{port}?tls=required")
        }
    };
    let w = nanyang(&url("localhost"));
    std::fs::write(w.path().join("smtp-password"), "right-password\n").unwrap();
    std::fs::write(w.path().join("mail-ca.pem"), &ca).unwrap();
    let login = "user = \"duban\"\npassword_file = \"smtp-password\"\n";

    // The system's authorities do not know the test's: nothing is sent, and the error says why.
    configure_with(&w, &url("localhost"), login);
    let check = w.run(&["channels", "check"]);
    assert_eq!(check.code, 2, "{}", check.stdout);
    assert!(check.stderr.contains("certificate"), "{}", check.stderr);
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("certificate"), "{said}");
    assert!(!said.contains("right-password"), "no secret shown: {said}");
    // The server named by an address its certificate does not name: refused the same way.
    let with_ca = format!("{login}ca_file = \"mail-ca.pem\"\n");
    configure_with(&w, &url("127.0.0.1"), &with_ca);
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:06"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("certificate"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(server.messages().is_empty(), "nothing reached the server");
    let outbox = w.json(&["outbox"]);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "pending" && m["attempts"] == 0),
        "an untrusted server is no attempt at any mail: {outbox:#}"
    );

    // With the office's authority, by the name in its certificate: every mail, once.
    configure_with(&w, &url("localhost"), &with_ca);
    let check = w.ok(&["channels", "check"]);
    assert!(
        check.contains("— connected, encrypted, logged in"),
        "{check}"
    );
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:07"]);
    assert!(out.contains("26 sent"), "{out}");
    assert_eq!(server.messages().len(), 26);
    let outbox = w.json(&["outbox"]);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "sent"),
        "{outbox:#}"
    );
}

#[test]
fn mail_goes_over_starttls_with_the_offices_authority() {
    over_tls(false);
}

#[test]
fn mail_goes_over_smtps_with_the_offices_authority() {
    over_tls(true);
}
