//! Whether an SQLite file's records changed, seen from outside SQLite and without a
//! connection: a page made from the records can be shown again while this is unchanged.

use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

/// The state of a database file's commits as the files show it: the database file's size and
/// change time, and the head of its WAL index (the `-shm` file), where SQLite itself keeps the
/// last committed frame and the log's salt — every commit by any process changes them, also
/// one that follows a checkpoint within the same tick of the file system's clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeStamp {
    file: Option<(u64, SystemTime)>,
    index: Option<[u8; 48]>,
}

/// The change stamp of the database at `path`; none when neither the file nor its WAL index
/// can be read (then no change could be seen).
pub fn change_stamp(path: &Path) -> Option<ChangeStamp> {
    let file = std::fs::metadata(path)
        .ok()
        .and_then(|m| Some((m.len(), m.modified().ok()?)));
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    let index = std::fs::File::open(shm).ok().and_then(|mut f| {
        // The first of the two copies of the WAL index header (48 bytes): iVersion, iChange,
        // mxFrame, nPage, the frame checksum and the salt.
        let mut head = [0u8; 48];
        f.read_exact(&mut head).ok().map(|()| head)
    });
    (file.is_some() || index.is_some()).then_some(ChangeStamp { file, index })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_commit_changes_the_stamp_also_one_of_another_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let one = rusqlite::Connection::open(&path).unwrap();
        one.pragma_update(None, "journal_mode", "WAL").unwrap();
        one.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let other = rusqlite::Connection::open(&path).unwrap();
        let mut seen = vec![change_stamp(&path)];
        for i in 0..50 {
            // Commits in quick succession, some after a checkpoint restarts the log.
            let conn = if i % 2 == 0 { &one } else { &other };
            conn.execute("INSERT INTO t VALUES (?1)", [i]).unwrap();
            if i % 10 == 9 {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .unwrap();
                conn.execute("INSERT INTO t VALUES (?1)", [i]).unwrap();
            }
            let now = change_stamp(&path);
            assert!(!seen.contains(&now), "commit {i} left the stamp as it was");
            seen.push(now);
        }
        // Reading changes nothing.
        let before = change_stamp(&path);
        let n: i64 = other
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert!(n > 0);
        assert_eq!(change_stamp(&path), before);
    }
}
