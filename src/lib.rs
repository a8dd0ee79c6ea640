//! duban (督办) — supervise and chase the reports a campaign demands.
//!
//! Data flows through the modules in order: [`language`] reads a campaign file into a checked
//! campaign, [`schedule`] compiles it against the official calendar into obligations,
//! [`values`] checks what a submission says against its form, [`ledger`] says what an action
//! does to one of them, [`store`] keeps them and their history
//! (behind the traits of its contract), [`notices`] plans and sends the mail about them, and
//! [`app`] runs these use cases for the front ends: [`cli`] and the [`daemon`]'s passes.
//! [`draft`] writes a campaign file from the document that sets a campaign up, for the
//! command line.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod documents;
pub mod draft;
pub mod fsio;
pub mod language;
pub mod ledger;
pub mod notices;
pub mod reports;
pub mod schedule;
pub mod store;
pub mod values;
pub mod vocabulary;
pub mod web;
pub mod workspace;
