//! The ladder's letters on PostgreSQL: each issued under a lock on the letters table, so that
//! two nodes running a pass at once neither take one number nor issue one escalation twice.

use super::{PgStore, StoreError};
use crate::store::letters::{
    INSERT, ISSUED, Letter, Letters, NEXT, NewLetter, OF_UNIT, items_json, letter,
};

fn read(r: &::postgres::Row) -> Result<Letter, StoreError> {
    letter(
        (r.get(0), r.get(1), r.get(2), r.get(3)),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
        r.get(9),
        r.get(10),
    )
}

impl Letters for PgStore {
    fn issue_letter(&mut self, new: &NewLetter<'_>) -> Result<Letter, StoreError> {
        use chrono::Datelike;
        let (kind, day) = (new.kind.as_str(), new.day.to_string());
        let year = i64::from(new.day.year());
        self.write(|tx| {
            // Others may read; no one else issues until this one is committed.
            tx.batch_execute("LOCK TABLE letters IN SHARE ROW EXCLUSIVE MODE")?;
            if let Some(found) =
                tx.query_opt(ISSUED.as_str(), &[&new.campaign_id, &new.unit, &kind, &day])?
            {
                return read(&found);
            }
            let number: i64 = tx
                .query_one(NEXT, &[&new.campaign_id, &kind, &year])?
                .get(0);
            tx.execute(
                INSERT,
                &[
                    &new.campaign_id,
                    &new.unit,
                    &kind,
                    &year,
                    &number,
                    &day,
                    &new.issued_at,
                    &items_json(new.items),
                ],
            )?;
            read(&tx.query_one(ISSUED.as_str(), &[&new.campaign_id, &new.unit, &kind, &day])?)
        })
    }

    fn letters_of(&self, unit: &str) -> Result<Vec<Letter>, StoreError> {
        self.run(|client| {
            client
                .query(OF_UNIT.as_str(), &[&unit])?
                .iter()
                .map(read)
                .collect()
        })
    }
}
