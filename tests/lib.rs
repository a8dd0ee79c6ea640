//! Integration tests: the real `duban` binary on real files, and properties of the library.

mod common;

mod calendar;
mod campaigns;
mod check;
mod concurrency;
mod docs;
mod fuzz;
mod import;
mod mail;
mod mailserver;
mod properties;
mod schedule;
mod state;
