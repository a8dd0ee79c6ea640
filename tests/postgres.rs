//! What only a shared PostgreSQL database has to get right: several processes claiming the
//! same outbox at once, a server that restarts under a connected store, a database that is
//! not duban's, a server that cannot be reached — and never a password in a message.

use duban::store::{Claim, Outbox, OutboxMail, PgStore, StoreError};

use crate::pgserver;

/// A store on a new database of the test server, with `mails` queued for one campaign.
fn with_mails(url: &str, mails: usize) -> PgStore {
    let mut store = PgStore::connect(url).unwrap();
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "INSERT INTO campaigns (key, zone, source, fingerprint, synced_at)
             VALUES ('c', 'UTC', 's', 'f', 0)",
        )
        .unwrap();
    let queued: Vec<OutboxMail> = (0..mails)
        .map(|i| OutboxMail {
            campaign_id: 1,
            recipient: format!("u{i}@example.org"),
            subject: "【催报】".into(),
            body: "…".into(),
            message_id: format!("<{i}@example.org>"),
            notices: Vec::new(),
        })
        .collect();
    // Without notices a mail would be dropped as a duplicate: write them directly.
    for m in &queued {
        admin
            .execute(
                "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at)
                 VALUES (1, $1, $2, $3, $4, 0, 0)",
                &[&m.recipient, &m.subject, &m.body, &m.message_id],
            )
            .unwrap();
    }
    assert_eq!(store.outbox(false).unwrap().len(), mails);
    store.last_pass().unwrap();
    store
}

#[test]
fn processes_claiming_at_once_send_each_mail_once() {
    let Some(url) = pgserver::database() else {
        return;
    };
    drop(with_mails(&url, 200));
    let senders: Vec<_> = (0..6)
        .map(|n| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::connect(&url).unwrap();
                let claim = Claim {
                    owner: format!("node-{n}"),
                    at: 1_000,
                    expires_at: 2_000,
                };
                let mut sent = Vec::new();
                while let Some(mail) = store.claim_mail(1_000, &claim).unwrap() {
                    store.mark_sent(mail.id, &claim, "250 ok", 1_001).unwrap();
                    sent.push(mail.id);
                }
                sent
            })
        })
        .collect();
    let mut all: Vec<i64> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (200, 200), "each mail once, none left");
    let store = PgStore::connect(&url).unwrap();
    assert!(store.outbox(false).unwrap().is_empty());
}

#[test]
fn a_claim_that_expired_is_taken_over_and_the_slow_node_cannot_overwrite_it() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let mut store = with_mails(&url, 1);
    let slow = Claim {
        owner: "slow".into(),
        at: 1_000,
        expires_at: 1_060,
    };
    let mail = store.claim_mail(1_000, &slow).unwrap().unwrap();
    let rescuer = Claim {
        owner: "rescuer".into(),
        at: 1_061,
        expires_at: 1_121,
    };
    let mut other = PgStore::connect(&url).unwrap();
    let taken = other.claim_mail(1_061, &rescuer).unwrap().unwrap();
    assert_eq!(taken.id, mail.id);
    other.mark_sent(mail.id, &rescuer, "250 ok", 1_062).unwrap();
    assert!(matches!(
        store.mark_failed(mail.id, &slow, "timeout", Some(2_000)),
        Err(StoreError::ClaimLost { .. })
    ));
    assert_eq!(store.outbox(true).unwrap()[0].state, "sent");
}

#[test]
fn a_store_connects_again_after_the_server_restarts() {
    let Some(server) = pgserver::own() else {
        return;
    };
    let url = server.database();
    let mut store = with_mails(&url, 3);
    let claim = Claim {
        owner: "a".into(),
        at: 1_000,
        expires_at: 1_060,
    };
    let first = store.claim_mail(1_000, &claim).unwrap().unwrap();
    server.restart();
    // The connection died with the server: the store notices, connects again, and goes on.
    store.mark_sent(first.id, &claim, "250 ok", 1_001).unwrap();
    let rows = store.outbox(true).unwrap();
    let sent: Vec<&str> = rows.iter().map(|m| m.state.as_str()).collect();
    assert_eq!(sent, ["sent", "pending", "pending"]);
}

#[test]
fn a_database_of_another_program_is_refused_untouched() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute("CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (1)")
        .unwrap();
    let error = PgStore::connect(&url).err().unwrap();
    assert!(matches!(error, StoreError::NotDuban { .. }), "{error}");
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created beside it");
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://duban:s3cret-pw@/d?host={}&connect_timeout=2",
        dir.path().display()
    );
    let error = PgStore::connect(&url).err().unwrap();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{message}");
    assert!(message.contains("duban:***@"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}
