//! Spreadsheets on the pages. The office records reports that came on paper or by mail from a
//! clerk's spreadsheet, as `duban import` does on the command line: every row checked the same
//! way, all rows or none; an office bound to campaigns records rows of its own campaigns only.
//! And whoever sees an obligation downloads its blank form, as `duban template` writes it.

use super::{AppError, Office, Page};
use crate::store::{Backend, BadRow, ImportBatch, ImportError, ImportReport, RowProblem, User};

/// What came of a sheet the office sent.
#[derive(Debug)]
pub enum Received {
    /// Every row recorded (or recorded before).
    Recorded(ImportReport),
    /// Rows that cannot be recorded, in line order: nothing was.
    Refused(Vec<BadRow>),
}

impl Office {
    /// The blank form of the obligation `key` as a workbook (`duban template` for its unit and
    /// period), for whoever may see the obligation, and the name to save it under.
    pub fn blank_form_as(
        &self,
        store: &dyn Backend,
        who: &User,
        key: &crate::store::Key<'_>,
        at: crate::clock::Instant,
    ) -> Result<(Vec<u8>, String), AppError> {
        // Whose it is to see, before anything else is read.
        self.obligation_desk(store, who, key, at)?;
        let (form, units) = self.template(
            store,
            key.campaign,
            key.deliverable,
            Some(key.unit),
            key.period,
        )?;
        let bytes = crate::values::sheet::template(&form, &units)?;
        let name = match key.period {
            Some(p) => format!("{}-{}-{p}.xlsx", key.deliverable, key.unit),
            None => format!("{}-{}.xlsx", key.deliverable, key.unit),
        };
        Ok((bytes, name))
    }

    /// Records the submissions of the sheet at `path` (named `name` by whoever sent it) as
    /// `who` does on the page, at `now` (unix seconds); rows of a sheet without a 专项 column
    /// are of `campaign`, where the page's form names one.
    pub fn import_sheet_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        path: &std::path::Path,
        name: &str,
        campaign: Option<String>,
        now: i64,
    ) -> Result<Received, AppError> {
        super::rights::allow_act(who, Page::Import)?;
        let kind = super::SheetKind::of(path).ok_or_else(|| {
            AppError::Table(crate::values::table::TableError::Malformed {
                path: name.to_string(),
                message: "name it .csv, .xlsx or .jsonl".into(),
            })
        })?;
        let file = std::fs::File::open(path).map_err(|source| {
            AppError::Table(crate::values::table::TableError::Read {
                path: name.to_string(),
                source,
            })
        })?;
        let rows = super::sheets::sheet_rows_of(file, path, kind, campaign)?;
        // Another office's campaign is not this one's to record in: as if it were not there.
        let who = who.clone();
        let mut rows = rows.map(move |row| match row {
            Ok(row) if !who.in_campaign(&row.campaign) => Err(BadRow {
                line: row.line,
                reason: RowProblem::Unknown {
                    kind: "campaign",
                    name: row.campaign,
                    suggestion: None,
                },
            }),
            other => other,
        });
        let batch = ImportBatch {
            source: name,
            recorded_at: now,
            latest: Some(now + crate::clock::FUTURE_GRACE),
        };
        match store.import(&mut rows, &batch) {
            Ok(report) => Ok(Received::Recorded(report)),
            Err(ImportError::BadRows(mut bad)) => {
                bad.sort_by_key(|b| b.line);
                Ok(Received::Refused(bad))
            }
            Err(ImportError::Store(e)) => Err(e.into()),
        }
    }
}
