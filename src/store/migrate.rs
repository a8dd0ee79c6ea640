//! Moving an office's SQLite store into PostgreSQL (`duban migrate --to postgres://…`): every
//! table row for row with its ids, the submitted files' contents into the database, all in
//! one transaction into an empty database; then each table is read back from both sides and
//! compared by count and checksum, and each file by its digest. Nothing is written to the
//! SQLite file.

use crate::store::Files;
use ::postgres::Transaction;
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::{ToSql, Type};
use sha2::{Digest, Sha256};

use super::{PgStore, Store, StoreError};

/// A column's kind, the same on both sides but for booleans (integers in SQLite).
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
    Real,
}

/// The tables in the order their references need, with their columns.
const TABLES: &[(&str, &[(&str, Kind)])] = {
    use Kind::{Bool, Int, Real, Text};
    &[
        (
            "campaigns",
            &[
                ("id", Int),
                ("key", Text),
                ("title", Text),
                ("zone", Text),
                ("source", Text),
                ("contacts_source", Text),
                ("fingerprint", Text),
                ("horizon_year", Int),
                ("office", Text),
                ("policy", Text),
                ("synced_at", Int),
                ("issuer", Text),
                ("doc", Text),
                ("templates", Text),
                ("stat", Text),
                ("groups", Text),
                ("scoring", Text),
                ("directory", Text),
            ],
        ),
        (
            "units",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("name", Text),
                ("parent", Text),
                ("reviewer", Text),
                ("email", Text),
                ("phone", Text),
                ("contacts", Text),
                ("code", Text),
            ],
        ),
        (
            "deliverables",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("name", Text),
                ("kind", Text),
                ("recurring", Bool),
                ("review", Text),
                ("recipients", Text),
                ("signers", Text),
                ("forms", Text),
                ("soon_days", Int),
                ("policy", Text),
                ("title", Text),
                ("supervisors", Text),
                ("lead", Text),
                ("standing", Text),
                ("rows_digest", Text),
                ("form", Text),
                ("thresholds", Text),
                ("ledger", Text),
                ("review_within", Text),
                ("asks", Text),
                ("review_then", Text),
            ],
        ),
        (
            "deadlines",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("deliverable_id", Int),
                ("period", Text),
                ("due_date", Text),
                ("due_at", Int),
            ],
        ),
        (
            "deadline_changes",
            &[
                ("id", Int),
                ("deadline_id", Int),
                ("at", Int),
                ("from_date", Text),
                ("to_date", Text),
                ("events_before", Int),
            ],
        ),
        (
            "obligation_rows",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("deliverable_id", Int),
                ("unit_id", Int),
                ("period", Text),
                ("deadline_id", Int),
                ("extended_until", Text),
                ("extended_due_at", Int),
                ("state", Text),
                ("submitted_at", Int),
                ("closed_at", Int),
                ("active", Bool),
                ("values_event", Int),
                ("review_due_at", Int),
                ("review_level", Int),
                ("reviewing", Text),
            ],
        ),
        (
            "events",
            &[
                ("id", Int),
                ("obligation_id", Int),
                ("kind", Text),
                ("at", Int),
                ("recorded_at", Int),
                ("actor", Text),
                ("reason", Text),
                ("note", Text),
                ("data", Text),
            ],
        ),
        (
            "field_values",
            &[
                ("event_id", Int),
                ("obligation_id", Int),
                ("field", Text),
                ("position", Int),
                ("number", Real),
                ("text", Text),
                ("shared", Text),
                ("reused_from", Int),
            ],
        ),
        (
            "files",
            &[
                ("id", Int),
                ("event_id", Int),
                ("name", Text),
                ("sha256", Text),
                ("size", Int),
            ],
        ),
        (
            "interviews",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("unit_id", Int),
                ("at", Int),
                ("recorded_at", Int),
                ("actor", Text),
                ("reason", Text),
                ("note", Text),
            ],
        ),
        (
            "users",
            &[
                ("id", Int),
                ("name", Text),
                ("unit", Text),
                ("role", Text),
                ("password", Text),
                ("setup_token", Text),
                ("setup_expires_at", Int),
                ("created_at", Int),
                ("disabled_at", Int),
                ("last_sign_in_at", Int),
                ("failed_sign_ins", Int),
                ("last_failed_from", Text),
                ("last_failed_at", Int),
                ("campaigns", Text),
                ("unit_code", Text),
            ],
        ),
        (
            "sessions",
            &[
                ("token", Text),
                ("user_id", Int),
                ("csrf", Text),
                ("created_at", Int),
                ("expires_at", Int),
            ],
        ),
        (
            "api_tokens",
            &[
                ("id", Int),
                ("token", Text),
                ("name", Text),
                ("unit", Text),
                ("role", Text),
                ("created_at", Int),
                ("expires_at", Int),
                ("last_used_at", Int),
                ("revoked_at", Int),
                ("campaigns", Text),
                ("read_only", Int),
            ],
        ),
        (
            "syncs",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("at", Int),
                ("fingerprint", Text),
                ("added", Int),
                ("changed", Int),
                ("removed", Int),
                ("kept", Int),
                ("restored", Int),
            ],
        ),
        (
            "mails",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("recipient", Text),
                ("subject", Text),
                ("body", Text),
                ("message_id", Text),
                ("state", Text),
                ("attempts", Int),
                ("next_attempt_at", Int),
                ("last_error", Text),
                ("smtp_reply", Text),
                ("created_at", Int),
                ("sent_at", Int),
                ("claimed_by", Text),
                ("claim_expires_at", Int),
                ("attachment", Text),
            ],
        ),
        (
            "notices",
            &[
                ("id", Int),
                ("obligation_id", Int),
                ("stage", Text),
                ("due_date", Text),
                ("recipient", Text),
                ("role", Text),
                ("send_at", Int),
                ("created_at", Int),
                ("mail_id", Int),
            ],
        ),
        ("passes", &[("id", Int), ("at", Int), ("acts_seen", Int)]),
        (
            "letters",
            &[
                ("id", Int),
                ("campaign_id", Int),
                ("unit", Text),
                ("kind", Text),
                ("year", Int),
                ("number", Int),
                ("day", Text),
                ("issued_at", Int),
                ("items", Text),
            ],
        ),
        (
            "org_units",
            &[
                ("id", Int),
                ("code", Text),
                ("name", Text),
                ("parent_id", Int),
                ("kind", Text),
                ("email", Text),
                ("phone", Text),
                ("contacts", Text),
                ("created_at", Int),
                ("updated_at", Int),
                ("retired_at", Int),
            ],
        ),
        (
            "org_events",
            &[
                ("id", Int),
                ("unit_id", Int),
                ("at", Int),
                ("kind", Text),
                ("data", Text),
            ],
        ),
    ]
};

/// A value of a column, as either side holds it.
#[derive(Debug, PartialEq)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Real(Option<f64>),
}

/// What a migration copied and checked: each table's rows, and the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// Rows per table, in the order copied.
    pub tables: Vec<(&'static str, usize)>,
    /// Submitted files copied (distinct contents).
    pub files: usize,
    /// The SHA-256 over every table's rows, the same on both sides.
    pub checksum: String,
}

/// Why a migration was refused or failed its check.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The target already holds records: a migration never merges.
    #[error("{server} already holds {campaigns} campaign(s): migrate into an empty database")]
    NotEmpty {
        /// The target (without its password).
        server: String,
        /// Its campaigns.
        campaigns: i64,
    },
    /// A file a submission names is missing from the files folder.
    #[error("submitted file {sha256} is missing from {folder}: nothing was migrated")]
    MissingFile {
        /// Its digest.
        sha256: String,
        /// Where it should be.
        folder: String,
    },
    /// What was read back differs from what was copied.
    #[error("table {table} differs after copying ({what}); the copy is left for inspection")]
    Differs {
        /// The table.
        table: String,
        /// How.
        what: String,
    },
    /// Either store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<::postgres::Error> for MigrateError {
    fn from(error: ::postgres::Error) -> MigrateError {
        MigrateError::Store(error.into())
    }
}

impl From<rusqlite::Error> for MigrateError {
    fn from(error: rusqlite::Error) -> MigrateError {
        MigrateError::Store(error.into())
    }
}

/// Copies every record of `from` into the empty database of `to`, then checks the copy.
pub fn migrate(from: &Store, to: &PgStore) -> Result<Migrated, MigrateError> {
    let mut client = to.client();
    let mut tx = client.transaction()?;
    let campaigns: i64 = tx.query_one("SELECT count(*) FROM campaigns", &[])?.get(0);
    if campaigns > 0 {
        return Err(MigrateError::NotEmpty {
            server: to.server().to_string(),
            campaigns,
        });
    }
    let mut tables = Vec::new();
    for (table, columns) in TABLES {
        tables.push((*table, copy_table(from, &mut tx, table, columns)?));
        if columns[0].0 == "id" && *table != "passes" {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                   coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                ),
                &[],
            )?;
        }
    }
    let files = copy_files(from, &mut tx)?;
    tx.commit()?;
    let checksum = verify(from, &mut client)?;
    Ok(Migrated {
        tables,
        files,
        checksum,
    })
}

fn select(table: &str, columns: &[(&str, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "))
}

/// The rows of `table` in SQLite, each handed to `row` in id order.
fn sqlite_rows(
    from: &Store,
    table: &str,
    columns: &[(&str, Kind)],
    mut row: impl FnMut(Vec<Value>) -> Result<(), MigrateError>,
) -> Result<(), MigrateError> {
    let mut stmt = from.connection().prepare(&select(table, columns))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let values = columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| {
                Ok(match kind {
                    Kind::Int => Value::Int(r.get(i)?),
                    Kind::Text => Value::Text(r.get(i)?),
                    Kind::Bool => Value::Bool(r.get(i)?),
                    Kind::Real => Value::Real(r.get(i)?),
                })
            })
            .collect::<Result<Vec<_>, rusqlite::Error>>()?;
        row(values)?;
    }
    Ok(())
}

fn copy_table(
    from: &Store,
    tx: &mut Transaction<'_>,
    table: &str,
    columns: &[(&str, Kind)],
) -> Result<usize, MigrateError> {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let types: Vec<Type> = columns
        .iter()
        .map(|(_, kind)| match kind {
            Kind::Int => Type::INT8,
            Kind::Text => Type::TEXT,
            Kind::Bool => Type::BOOL,
            Kind::Real => Type::FLOAT8,
        })
        .collect();
    let sink = tx.copy_in(&format!(
        "COPY {table} ({}) FROM STDIN BINARY",
        names.join(", ")
    ))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut count = 0;
    sqlite_rows(from, table, columns, |values| {
        let params: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| match v {
                Value::Int(i) => i as &(dyn ToSql + Sync),
                Value::Text(t) => t as &(dyn ToSql + Sync),
                Value::Bool(b) => b as &(dyn ToSql + Sync),
                Value::Real(r) => r as &(dyn ToSql + Sync),
            })
            .collect();
        writer.write(&params)?;
        count += 1;
        Ok(())
    })?;
    writer.finish()?;
    Ok(count)
}

/// Copies the content of every file a submission names from the files folder.
fn copy_files(from: &Store, tx: &mut Transaction<'_>) -> Result<usize, MigrateError> {
    let digests: Vec<String> = from
        .connection()
        .prepare("SELECT DISTINCT sha256 FROM files ORDER BY 1")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sha256 in &digests {
        let Some(content) = from.file_content(sha256)? else {
            return Err(MigrateError::MissingFile {
                sha256: sha256.clone(),
                folder: from.files_folder().display().to_string(),
            });
        };
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3)",
            &[sha256, &size, &content],
        )?;
    }
    Ok(digests.len())
}

/// Reads every table back from both sides and compares them; checks each file's digest.
fn verify(from: &Store, client: &mut ::postgres::Client) -> Result<String, MigrateError> {
    let mut all = Sha256::new();
    for (table, columns) in TABLES {
        let mut source = Sha256::new();
        let mut count = 0usize;
        let mut source_rows = Vec::new();
        sqlite_rows(from, table, columns, |values| {
            let row = format!("{values:?}\n");
            if columns[0].0 == "id" {
                source.update(row);
            } else {
                source_rows.push(row);
            }
            count += 1;
            Ok(())
        })?;
        let mut copy = Sha256::new();
        let mut copied = Vec::new();
        let rows = client.query(&select(table, columns), &[])?;
        for r in &rows {
            let values: Vec<Value> = columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| match kind {
                    Kind::Int => Value::Int(r.get(i)),
                    Kind::Text => Value::Text(r.get(i)),
                    Kind::Bool => Value::Bool(r.get(i)),
                    Kind::Real => Value::Real(r.get(i)),
                })
                .collect();
            copied.push(format!("{values:?}\n"));
        }
        // A table without ids is ordered by text, which the two sides may collate apart:
        // compare its rows as sets.
        if columns[0].0 != "id" {
            source_rows.sort();
            copied.sort();
        }
        for row in &source_rows {
            source.update(row);
        }
        for row in &copied {
            copy.update(row);
        }
        let differs = |what: String| MigrateError::Differs {
            table: table.to_string(),
            what,
        };
        if rows.len() != count {
            return Err(differs(format!(
                "{count} rows copied, {} read back",
                rows.len()
            )));
        }
        let (source, copy) = (source.finalize(), copy.finalize());
        if source != copy {
            return Err(differs("the checksums of its rows differ".into()));
        }
        all.update(source);
    }
    let bad: i64 = client
        .query_one(
            "SELECT count(*) FROM blobs WHERE encode(sha256(content), 'hex') != sha256
                 OR octet_length(content) != size",
            &[],
        )?
        .get(0);
    if bad > 0 {
        return Err(MigrateError::Differs {
            table: "blobs".into(),
            what: format!("{bad} file(s) do not match their digest"),
        });
    }
    Ok(all.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column an SQLite store of this version has is copied: a column added by a schema
    /// step and forgotten here would be lost by `migrate`, and its check (which compares what
    /// it copies) would not notice.
    #[test]
    fn every_column_of_every_copied_table_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let options = crate::store::Options {
            busy_timeout: std::time::Duration::from_millis(100),
            files: dir.path().join("files"),
        };
        let store = Store::open(&dir.path().join("d.db"), options).unwrap();
        let mut forgotten = Vec::new();
        for (table, columns) in TABLES {
            let mut stmt = store
                .connection()
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap();
            let names: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(!names.is_empty(), "{table} is a table of the schema");
            for name in names {
                if !columns.iter().any(|(c, _)| *c == name) {
                    forgotten.push(format!("{table}.{name}"));
                }
            }
        }
        assert!(forgotten.is_empty(), "not copied: {forgotten:?}");
    }
}
