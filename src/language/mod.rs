//! The campaign language: the grammar (`grammar/campaign.pest`), the parser (text → syntax
//! tree), the checker (syntax tree → [`Campaign`]), and the diagnostics they report.

pub mod asks;
pub mod ast;
pub mod campaign;
pub mod check;
pub mod contacts;
pub mod diagnostic;
pub mod directory;
mod excerpt;
pub mod form;
pub(crate) mod grammar;
mod hints;
pub mod keywords;
pub mod letters;
pub mod load;
pub mod parse;
pub mod scoring;
mod sources;
pub mod suggest;
pub mod when;

pub use campaign::Campaign;
pub use diagnostic::{Diagnostic, Sources};
pub use load::{Loaded, load, load_text};
