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
    every_mail_pending_untried(&w);

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
    let states = outbox(&w);
    assert_eq!(states.len(), 26, "{states:?}");
    assert!(
        states
            .iter()
            .all(|(state, tries)| state == "sent" && *tries == 1),
        "each sent on its first try: {states:?}"
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

/// A server that offers no STARTTLS where the settings require it (its offer may have been
/// stripped on the way): nothing is sent in clear, the pass stops, every mail pending, untried.
#[test]
fn required_starttls_not_offered_sends_nothing_in_clear() {
    let server = MailServer::start();
    let url = format!("{}?tls=required", server.url());
    let w = nanyang(&url);
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("does not offer STARTTLS"),
        "{}",
        run.stderr
    );
    assert!(server.messages().is_empty());
    every_mail_pending_untried(&w);
}

/// Every mail of the outbox, sent or not: its state and how often it was tried.
fn outbox(w: &crate::common::Workspace) -> Vec<(String, i64)> {
    w.json(&["outbox", "--all"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["state"].as_str().unwrap().to_string(),
                m["attempts"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// An untrusted server is no attempt at any mail: every one is pending, never tried.
fn every_mail_pending_untried(w: &crate::common::Workspace) {
    let states = outbox(w);
    assert!(!states.is_empty());
    assert!(
        states
            .iter()
            .all(|(state, tries)| state == "pending" && *tries == 0),
        "{states:?}"
    );
}
