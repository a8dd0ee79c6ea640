//! The SQLite engine: one database file, the embedded default. WAL mode, so that the daemon
//! and staff at the command line can use it at once; every change in one transaction; a locked
//! database is waited for, then refused with a clear message; a file that is not a duban
//! database is refused without being touched. Submitted files are kept content-addressed in a
//! folder beside it. It runs the statements and folds the rows with what `store/` shares, and
//! knows nothing of the PostgreSQL engine.

use super::{FileSource, Location, StoreError, Threshold};
mod accounts;
mod asof;
mod assessment;
mod contents;
mod deadlines;
mod decode;
mod import;
mod letters;
mod lifecycle;
mod organisation;
mod outbox;
mod plan_input;
mod query;
mod renames;
pub mod schema;
mod scope;
mod shared;
mod stamp;
mod sync;
mod unchanged;

pub use stamp::{ChangeStamp, change_stamp};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match error {
            rusqlite::Error::FromSqlConversionFailure(_, _, e) => StoreError::Decode {
                message: e.to_string(),
            },
            rusqlite::Error::IntegralValueOutOfRange(column, value) => StoreError::Decode {
                message: format!("{value} is out of range (column {column})"),
            },
            other => StoreError::Sqlite(other),
        }
    }
}

/// How to open the store.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long to wait for another writer.
    pub busy_timeout: Duration,
    /// Where submitted files are copied.
    pub files: PathBuf,
}

/// The open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    options: Options,
    read_only: bool,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A file that is refused — not SQLite, another program's, a newer schema, damaged — is
    /// inspected read-only first and left exactly as it was. A file without write permission
    /// is opened read-only: queries work, changes are refused.
    pub fn open(path: &Path, options: Options) -> Result<Store, StoreError> {
        refuse_dangling_link(path)?;
        let header = refuse_foreign_file(path)?;
        let existing = std::fs::metadata(path).ok().filter(|m| m.len() > 0);
        if let Some(metadata) = &existing {
            if !header.as_ref().is_some_and(header_is_current) {
                inspect(path, options.busy_timeout)?;
            }
            if metadata.permissions().readonly() {
                return Store::open_read_only(path, options);
            }
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::File {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match Connection::open_with_flags(path, flags) {
            // SQLite opens a file it may not write read-only without a word.
            Ok(conn) if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) => {
                drop(conn);
                return Store::open_read_only(path, options);
            }
            Ok(conn) => conn,
            // Not ours to write (another user's file): still ours to read.
            Err(e) if existing.is_some() && is_permission(&e) => {
                return Store::open_read_only(path, options);
            }
            Err(source) => {
                return Err(StoreError::Open {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            options,
            read_only: false,
        };
        store.configure().map_err(|e| store.classify(e))?;
        let name = path.display().to_string();
        schema::migrate(&mut store.conn, &name).map_err(|e| match e {
            StoreError::Sqlite(e) => store.classify(e),
            other => other,
        })?;
        Ok(store)
    }

    /// Opens an existing database for reading only; one that would need an upgrade is refused.
    fn open_read_only(path: &Path, options: Options) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            options,
            read_only: true,
        };
        store
            .conn
            .busy_timeout(store.options.busy_timeout)
            .map_err(|e| store.classify(e))?;
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) => StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    doing: "even read it: a database in WAL mode needs its -shm file beside it, and its folder is not writable".into(),
                },
                _ => store.classify(e),
            })?;
        if version < schema::LATEST {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                doing: format!("upgrade its schema from version {version}"),
            });
        }
        Ok(store)
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(self.options.busy_timeout)?;
        let application_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if application_id != schema::APPLICATION_ID && tables > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                Some("an SQLite database of another program".into()),
            ));
        }
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // The query planner's stability guarantee: a statement is planned once, not again
        // whenever a bound value differs (SQLite otherwise re-plans a statement over the
        // `obligations` view at every binding — measured: an import of 320,000 rows took
        // three times as long). duban keeps no statistics for values to inform a plan anyway.
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // SQLite's default page cache is 2 MiB: a national campaign's units alone take 8 MiB,
        // and listing overdue reports joins them in deadline order, so they would be read
        // again and again; its sorter would spill to disk too. The cache grows only as used.
        self.conn.pragma_update(None, "cache_size", -32_768)?;
        Ok(())
    }

    /// Turns SQLite's errors into the ones people can act on.
    fn classify(&self, error: rusqlite::Error) -> StoreError {
        classify(&self.path, self.options.busy_timeout, error)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in one write transaction (taking the write lock first, so that two
    /// processes never deadlock upgrading a read lock).
    fn write<T>(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (path, timeout) = (self.path.clone(), self.options.busy_timeout);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, timeout, e))?;
        let value = work(&tx).map_err(|e| match e {
            StoreError::Sqlite(e) => classify(&path, timeout, e),
            other => other,
        })?;
        tx.commit().map_err(|e| classify(&path, timeout, e))?;
        Ok(value)
    }

    /// The connection, for [`migrate`](crate::store::migrate), which reads every table.
    pub(in crate::store) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Where submitted files are kept.
    pub(in crate::store) fn files_folder(&self) -> &Path {
        &self.options.files
    }

    /// Checks the database file for damage (`PRAGMA quick_check`).
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let result: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                message: result,
            })
        }
    }
}

impl Location for Store {
    fn location(&self) -> String {
        self.path().display().to_string()
    }

    /// Whether the database was opened read-only (its file is not writable).
    fn is_read_only(&self) -> bool {
        self.read_only
    }
}

fn classify(path: &Path, timeout: Duration, error: rusqlite::Error) -> StoreError {
    let code = error.sqlite_error_code();
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            path: path.to_path_buf(),
            waited_ms: timeout.as_millis(),
        },
        Some(ErrorCode::NotADatabase) => StoreError::NotDuban {
            path: path.to_path_buf(),
            why: error.to_string(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            message: error.to_string(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
            path: path.to_path_buf(),
            doing: "record anything (its file is not writable)".into(),
        },
        _ => StoreError::Sqlite(error),
    }
}

fn is_permission(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

/// Refuses a path that is a symbolic link to nothing: SQLite would create the link's target.
fn refuse_dangling_link(path: &Path) -> Result<(), StoreError> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(path).is_err() {
        return Err(StoreError::DanglingLink {
            path: path.to_path_buf(),
            target: std::fs::read_link(path).unwrap_or_default(),
        });
    }
    Ok(())
}

/// Looks at an existing database without writing to it: whose it is, its schema version, and
/// — when opening it for writing would change the file (a switch to WAL, an upgrade) — its
/// integrity. Whatever is refused here was not touched.
fn inspect(path: &Path, timeout: Duration) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let classify = |e| classify(path, timeout, e);
    let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
    conn.busy_timeout(timeout).map_err(classify)?;
    let pragma = |name: &str| -> Result<i64, StoreError> {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(classify)
    };
    let application_id = pragma("application_id")?;
    let version = pragma("user_version")?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(classify)?;
    let foreign = |why: String| StoreError::NotDuban {
        path: path.to_path_buf(),
        why,
    };
    if application_id != schema::APPLICATION_ID {
        if tables > 0 {
            return Err(foreign("an SQLite database of another program".into()));
        }
        if application_id != 0 || version != 0 {
            return Err(foreign(format!(
                "an empty SQLite database marked for another program (application id {application_id}, version {version})"
            )));
        }
    }
    if version > schema::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: schema::LATEST,
        });
    }
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .map_err(classify)?;
    if tables > 0 && (!mode.eq_ignore_ascii_case("wal") || version < schema::LATEST) {
        let result: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(classify)?;
        if result != "ok" {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                message: result,
            });
        }
    }
    Ok(())
}

/// Refuses, before SQLite opens it, a file that is not an SQLite database: opening one can
/// create journal files beside it, and it must be left as it is. Returns the file's 100-byte
/// SQLite header, if it has one.
fn refuse_foreign_file(path: &Path) -> Result<Option<[u8; 100]>, StoreError> {
    use std::io::Read;
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(None); // absent: it will be created
    };
    if !metadata.is_file() {
        // Opening a pipe would wait for a writer for ever.
        return Err(StoreError::NotDuban {
            path: path.to_path_buf(),
            why: "it is not a regular file".into(),
        });
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(None); // unreadable: SQLite says why
    };
    let mut header = [0u8; 100];
    let mut read = 0;
    let mut file = file.take(100);
    while let Ok(n) = file.read(&mut header[read..]) {
        if n == 0 {
            break;
        }
        read += n;
    }
    if read == 0 {
        return Ok(None); // empty: SQLite treats it as a new database
    }
    if read < 16 || &header[..16] != b"SQLite format 3\0" {
        return Err(StoreError::NotDuban {
            path: path.to_path_buf(),
            why: "it does not start with the SQLite header".into(),
        });
    }
    Ok((read == 100).then_some(header))
}

/// Whether a header says the file is duban's, in WAL mode, at the latest schema: the daily
/// case, where opening changes nothing and the read-only inspection can be skipped. (In WAL
/// mode the header may lag behind the log; a stale one only costs the inspection, and a newer
/// version found in the log is still refused before anything is written.)
fn header_is_current(header: &[u8; 100]) -> bool {
    let field = |at: usize| {
        i64::from(u32::from_be_bytes([
            header[at],
            header[at + 1],
            header[at + 2],
            header[at + 3],
        ]))
    };
    let wal = header[18] == 2 && header[19] == 2;
    wal && field(60) == schema::LATEST && field(68) == schema::APPLICATION_ID
}

/// Column `i` of `r` as text, borrowed: no allocation for a value only looked at or shared.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &Path) -> Options {
        Options {
            busy_timeout: Duration::from_millis(100),
            files: dir.join("files"),
        }
    }

    #[test]
    fn creates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, options(dir.path())).unwrap());
        let store = Store::open(&path, options(dir.path())).unwrap();
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, schema::LATEST);
        store.check_integrity().unwrap();
    }

    #[test]
    fn refuses_a_file_that_is_not_a_database_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "这不是数据库 — just notes\n".repeat(100)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let error = Store::open(&path, options(dir.path())).err().unwrap();
        assert!(matches!(error, StoreError::NotDuban { .. }), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no journal beside it: {names:?}");
    }

    #[test]
    fn refuses_another_programs_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(conn);
        let error = Store::open(&path, options(dir.path())).err().unwrap();
        assert!(matches!(error, StoreError::NotDuban { .. }), "{error}");
    }

    #[test]
    fn the_header_tells_a_current_database_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, options(dir.path())).unwrap());
        let header = refuse_foreign_file(&path).unwrap().unwrap();
        assert!(header_is_current(&header));
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        drop(conn);
        let header = refuse_foreign_file(&path).unwrap().unwrap();
        assert!(
            !header_is_current(&header),
            "rollback mode: inspected first"
        );
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, options(dir.path())).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", schema::LATEST + 1)
            .unwrap();
        drop(conn);
        let error = Store::open(&path, options(dir.path())).err().unwrap();
        assert!(matches!(error, StoreError::TooNew { .. }), "{error}");
        assert!(error.to_string().contains("upgrade duban"));
    }

    #[test]
    fn history_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d.db"), options(dir.path())).unwrap();
        let conn = &store.conn;
        conn.execute_batch(
            "INSERT INTO campaigns (key, zone, source, fingerprint, synced_at) VALUES ('c', 'UTC', 's', 'f', 0);
             INSERT INTO units (campaign_id, name) VALUES (1, 'u');
             INSERT INTO deliverables (campaign_id, name, kind, recurring) VALUES (1, 'd', 'report', 0);
             INSERT INTO deadlines (campaign_id, deliverable_id, period, due_date, due_at)
                 VALUES (1, 1, '', '2017-01-01', 0);
             INSERT INTO obligation_rows (campaign_id, deliverable_id, unit_id, period, deadline_id)
                 VALUES (1, 1, 1, '', 1);
             INSERT INTO events (obligation_id, kind, at, recorded_at) VALUES (1, 'submitted', 0, 0);",
        )
        .unwrap();
        assert!(conn.execute("UPDATE events SET kind = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM events", []).is_err());
        assert!(
            conn.execute("DELETE FROM obligation_rows", []).is_err(),
            "history keeps its obligation"
        );
    }
}
