//! The letters the overdue ladder issued (督办函 and its kin), as the unit's page lists them and
//! the office's command line reads them: whoever may open a unit's page sees the letters of
//! the campaigns they act in, and downloads each as Word.

use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{Backend, Letter, User};

impl Office {
    /// Every letter issued to `unit` (in `campaigns`, or all), newest first, for the office's
    /// own tools; a unit no campaign has is refused with the nearest name.
    pub fn letters_of(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaigns: &[String],
    ) -> Result<Vec<Letter>, AppError> {
        let letters: Vec<Letter> = store
            .letters_of(unit)?
            .into_iter()
            .filter(|l| campaigns.is_empty() || campaigns.contains(&l.campaign))
            .collect();
        if letters.is_empty() {
            super::accounts::known_unit(store, unit)?;
        }
        Ok(letters)
    }

    /// The letters of `unit` that `who` sees: those of the campaigns they act in, where they
    /// may open the unit's page (else refused as that page is).
    pub fn unit_letters(
        &self,
        store: &dyn Backend,
        who: &User,
        unit: &str,
        as_of: Instant,
    ) -> Result<Vec<Letter>, AppError> {
        Ok(self.unit_desk(store, who, unit, as_of)?.letters)
    }

    /// Letter `id` of `unit` as Word (its file name and bytes), if `who` may open the unit's
    /// page (else refused as that page is); `None` where the unit has no such letter they see.
    pub fn letter_file(
        &self,
        store: &dyn Backend,
        who: &User,
        unit: &str,
        id: i64,
        as_of: Instant,
    ) -> Result<Option<(String, Vec<u8>)>, AppError> {
        let Some(letter) = self
            .unit_letters(store, who, unit, as_of)?
            .into_iter()
            .find(|l| l.id == id)
        else {
            return Ok(None);
        };
        let bytes = crate::documents::letter::docx(&letter).map_err(AppError::Document)?;
        Ok(Some((crate::documents::letter::file_name(&letter), bytes)))
    }
}
