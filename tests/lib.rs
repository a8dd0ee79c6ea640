//! Integration tests: the real `duban` binary on real files, and properties of the library.

mod common;

mod browser;
mod calendar;
mod calendars;
mod campaigns;
mod check;
mod concurrency;
mod contents;
mod contract;
mod docs;
mod formats;
mod fuzz;
mod holidays;
mod import;
mod layers;
mod mail;
mod mail_concurrency;
mod mailserver;
mod pgserver;
mod phrases;
mod postgres;
mod postgres_mail;
mod promises;
mod properties;
mod readme;
mod rehearsal;
mod schedule;
mod service;
mod state;
mod supervise;
mod web;
mod web_rights;
mod webserver;
mod workspace;
mod zones;
