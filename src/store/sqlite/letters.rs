//! The ladder's letters on SQLite: issued in one write transaction, which SQLite serialises, so
//! that two passes never take one number.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::store::letters::{
    INSERT, ISSUED, Letter, Letters, NEXT, NewLetter, OF_UNIT, items_json, letter,
};

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Letter, StoreError>> {
    Ok(letter(
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
        r.get(4)?,
        &r.get::<_, String>(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        &r.get::<_, String>(10)?,
    ))
}

impl Letters for Store {
    fn issue_letter(&mut self, new: &NewLetter<'_>) -> Result<Letter, StoreError> {
        use chrono::Datelike;
        let (kind, day, year) = (new.kind.as_str(), new.day.to_string(), new.day.year());
        self.write(|tx| {
            let issued = |tx: &rusqlite::Transaction<'_>| {
                tx.query_row(
                    &ISSUED.replace('$', "?"),
                    params![new.campaign_id, new.unit, kind, day],
                    read,
                )
                .optional()
            };
            if let Some(found) = issued(tx)? {
                return found;
            }
            let number: i64 = tx.query_row(
                &NEXT.replace('$', "?"),
                params![new.campaign_id, kind, year],
                |r| r.get(0),
            )?;
            tx.execute(
                &INSERT.replace('$', "?"),
                params![
                    new.campaign_id,
                    new.unit,
                    kind,
                    year,
                    number,
                    day,
                    new.issued_at,
                    items_json(new.items)
                ],
            )?;
            issued(tx)?.ok_or_else(|| StoreError::Decode {
                message: "a letter just written could not be read back".into(),
            })?
        })
    }

    fn letters_of(&self, unit: &str) -> Result<Vec<Letter>, StoreError> {
        let mut statement = self.conn.prepare_cached(&OF_UNIT.replace('$', "?"))?;
        let rows = statement.query_map([unit], read)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }
}
