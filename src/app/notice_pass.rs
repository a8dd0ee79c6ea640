//! The notice pass as one use case: the records opened with the campaign files loaded into
//! them, the notices due planned, queued and sent, and the office's bulletin attached to the
//! reminder of it. `remind`, the daemon and `serve --with-daemon` all run this, each only
//! saying what came of it.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::{AppError, MailSetup, Office};
use crate::clock::Instant;
use crate::notices::pass::{self, PassReport};
use crate::notices::send::Mailer;
use crate::reports::Window;
use crate::store::{Attachment, Backend, Candidate};
use crate::vocabulary::Period;
use crate::workspace::FileSync;

/// Numbers `letter` in the records (or finds the one issued already) and renders it as Word:
/// the file and its 文号.
fn issue_letter(
    store: &mut dyn Backend,
    letter: &crate::store::NewLetter<'_>,
) -> Result<(Attachment, String), pass::PassError> {
    let issued = store.issue_letter(letter)?;
    let bytes = crate::documents::letter::docx(&issued).map_err(pass::PassError::Letter)?;
    Ok((
        Attachment {
            name: crate::documents::letter::file_name(&issued),
            content_type: crate::documents::docx::MIME.into(),
            bytes,
        },
        issued.number_text(),
    ))
}

/// The name the language gives the campaign's own bulletin (`通报 每月 下月5日前`), a report the
/// office owes.
const BULLETIN: &str = "通报";

impl Office {
    /// One pass at `as_of`: the records opened with the campaign files loaded (each file's
    /// outcome to `seen`), then planned, queued and sent through `mailer`, stopping between
    /// mails when `stop` is set.
    pub fn notice_pass(
        &self,
        mailer: &dyn Mailer,
        setup: &MailSetup,
        as_of: Instant,
        stop: &AtomicBool,
        seen: &mut dyn FnMut(&Path, FileSync),
    ) -> Result<PassReport, AppError> {
        let mut store = self.store_synced(as_of, seen)?;
        let attach = |store: &dyn Backend, c: &Candidate| self.bulletin_attachment(store, c, as_of);
        self.pass(&mut *store, mailer, setup, as_of, stop, &attach)
    }

    /// One notice pass at `as_of` on synced records: plan, queue, send through `mailer` with
    /// what `attach` gives each mail (the office's bulletin), stopping between mails when
    /// `stop` is set.
    pub fn pass(
        &self,
        store: &mut dyn Backend,
        mailer: &dyn Mailer,
        setup: &MailSetup,
        as_of: Instant,
        stop: &AtomicBool,
        attach: &dyn Fn(&dyn Backend, &Candidate) -> Option<Attachment>,
    ) -> Result<PassReport, AppError> {
        Ok(pass::run(
            store,
            &self.calendar,
            mailer,
            as_of,
            &setup.pass,
            stop,
            &pass::Documents {
                // The pass hands `attach` the records it runs on (any that keep the outbox);
                // these are the office's own.
                attach: &|store, c| attach(store, c),
                issue: &|store, letter| issue_letter(store, letter),
            },
        )?)
    }

    /// Sends what the outbox has due at `as_of` through `mailer` (a chase's mails), planning
    /// nothing.
    pub fn send_queued(
        &self,
        store: &mut dyn Backend,
        mailer: &dyn Mailer,
        setup: &MailSetup,
        as_of: Instant,
    ) -> Result<PassReport, AppError> {
        let stop = AtomicBool::new(false);
        Ok(pass::send_queued(store, mailer, as_of, &setup.pass, &stop)?)
    }

    /// The bulletin a reminder of the office's own bulletin carries: the one of its period,
    /// made now, as a Word file. A bulletin that cannot be made is logged and the reminder
    /// goes without it.
    pub fn bulletin_attachment(
        &self,
        store: &dyn Backend,
        c: &Candidate,
        as_of: Instant,
    ) -> Option<Attachment> {
        if &*c.deliverable != BULLETIN || c.office.as_deref() != Some(&*c.unit) {
            return None;
        }
        let window = Window::of(&Period::parse(c.period.as_deref()?)?)?;
        let issued = as_of.in_zone(c.zone).with_timezone(&c.zone).date_naive();
        let made = self
            .bulletin(store, &c.campaign, &window, as_of, issued)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                let name = format!("{}.docx", crate::documents::bulletin::title(&b));
                crate::documents::bulletin::docx(&b)
                    .map(|bytes| (name, bytes))
                    .map_err(|e| e.to_string())
            });
        match made {
            Ok((name, bytes)) => Some(Attachment {
                name,
                content_type: crate::documents::docx::MIME.into(),
                bytes,
            }),
            Err(error) => {
                tracing::warn!(campaign = %c.campaign, %error, "the bulletin could not be made: its reminder goes without it");
                None
            }
        }
    }
}
