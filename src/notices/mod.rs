//! Notices: reminders before each deadline and the overdue ladder after it. `plan` decides
//! (purely) which are due at an instant and `address` where each goes, `render` turns them
//! into one mail per mailbox from templates (and into the finished mails the outbox keeps),
//! `send` is the mail transport, `window` bounds the deadlines a pass looks at, and `pass` runs
//! them against the outbox in the store so that each notice goes out exactly once. Beside mail,
//! `robots` names the office's group robots, `hooks` sends to them, `sms` to an SMS gateway,
//! `fit` makes a notice fit its channel, and `couriers` puts every channel behind the one
//! transport a pass sends through. `webhooks` tells other systems of the record's events
//! through the same outbox, signed.

pub mod address;
pub mod couriers;
pub mod fit;
pub mod hooks;
pub mod letters;
pub mod links;
pub mod pass;
pub mod plan;
pub mod preview;
pub mod render;
pub mod robots;
pub mod send;
pub mod sms;
pub mod smtp;
pub mod webhooks;
pub mod window;
