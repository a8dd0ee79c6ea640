//! The mail settings of an office, resolved and checked once before any work: the SMTP server
//! (from `[mail]`, `DUBAN_SMTP_URL` and `DUBAN_SMTP_PASSWORD`), how passes behave, and when the
//! daemon runs them.

use std::sync::Arc;

use chrono_tz::Tz;

use super::AppError;
use crate::config::MailConfig;
use crate::daemon::Schedule;
use crate::notices::pass::{self, PassOptions};
use crate::notices::send::{SmtpMailer, SmtpSettings};

/// How an office sends mail.
#[derive(Clone)]
pub struct MailSetup {
    /// The server and the account; `None` without a server configured (a dry run needs none).
    pub smtp: Option<SmtpSettings>,
    /// How passes behave: attempts, the Message-ID domain, claims.
    pub pass: PassOptions,
}

impl MailSetup {
    /// The setup `mail` and the environment describe; an unreadable password file is an error
    /// now rather than at the first mail.
    pub fn resolve(mail: &MailConfig) -> Result<MailSetup, AppError> {
        let url = std::env::var("DUBAN_SMTP_URL").ok().or(mail.url.clone());
        let smtp = match url {
            Some(url) => Some(SmtpSettings {
                url,
                from: mail
                    .from
                    .clone()
                    .unwrap_or_else(|| "duban@localhost".into()),
                user: mail.user.clone(),
                password: password(mail)?,
                timeout: mail.timeout(),
            }),
            None => None,
        };
        Ok(MailSetup {
            smtp,
            pass: pass_options(mail),
        })
    }

    /// The mailer of the configured server; an error that says how to configure one if none is.
    pub fn mailer(&self) -> Result<SmtpMailer, AppError> {
        let settings = self.smtp.as_ref().ok_or_else(|| AppError::Mail {
            message: "no mail server: set `[mail] url` in duban.toml or DUBAN_SMTP_URL (or use --dry-run)".into(),
        })?;
        SmtpMailer::new(settings).map_err(|e| AppError::Mail {
            message: e.to_string(),
        })
    }
}

/// `DUBAN_SMTP_PASSWORD`, else the first line of `[mail] password_file`, else none.
fn password(mail: &MailConfig) -> Result<Option<String>, AppError> {
    if let Ok(p) = std::env::var("DUBAN_SMTP_PASSWORD") {
        return Ok(Some(p));
    }
    let Some(path) = &mail.password_file else {
        return Ok(None);
    };
    let text = crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|e| {
        AppError::Mail {
            message: format!("cannot read the SMTP password file {}: {e}", path.display()),
        }
    })?;
    Ok(Some(text.trim().to_string()))
}

fn pass_options(mail: &MailConfig) -> PassOptions {
    let from = mail.from.clone().unwrap_or_default();
    // Message-IDs are of the sender's domain.
    let domain = from
        .rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim().to_string())
        .filter(|d| !d.is_empty() && from.contains('@'))
        .unwrap_or_else(|| "duban.localhost".into());
    PassOptions {
        max_attempts: mail.max_attempts.unwrap_or(8),
        domain,
        lease: mail.claim(),
        owner: pass::owner(),
        wall: Arc::new(crate::clock::SystemClock),
    }
}

/// The daemon's schedules: those given, read in `zone`; by default every five minutes, and at
/// each policy's time of day in its campaign's zone, so that reminders leave on the minute.
pub fn schedules(given: &[String], zone: Tz, times: &[(Tz, u32, u32)]) -> Vec<Schedule> {
    let at = |cron: String, zone| Schedule { cron, zone };
    if !given.is_empty() {
        return given.iter().map(|c| at(c.clone(), zone)).collect();
    }
    let mut out = vec![at("0 */5 * * * *".into(), chrono_tz::UTC)];
    for &(zone, hour, minute) in times {
        out.push(at(format!("0 {minute} {hour} * * *"), zone));
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_runs_every_five_minutes_and_at_each_policys_time() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let times = [(shanghai, 9, 0), (chrono_tz::UTC, 9, 0)];
        let crons: Vec<(String, Tz)> = schedules(&[], shanghai, &times)
            .into_iter()
            .map(|s| (s.cron, s.zone))
            .collect();
        assert_eq!(
            crons,
            [
                ("0 */5 * * * *".to_string(), chrono_tz::UTC),
                ("0 0 9 * * *".to_string(), shanghai),
                ("0 0 9 * * *".to_string(), chrono_tz::UTC),
            ]
        );
        let given = schedules(&["*/2 * * * * *".into()], shanghai, &times);
        assert_eq!(given.len(), 1);
        assert_eq!(given[0].zone, shanghai);
    }

    #[test]
    fn message_ids_are_of_the_senders_domain() {
        let mail = MailConfig {
            from: Some("督办 <duban@nanyang.example.org>".into()),
            ..MailConfig::default()
        };
        assert_eq!(pass_options(&mail).domain, "nanyang.example.org");
        assert_eq!(
            pass_options(&MailConfig::default()).domain,
            "duban.localhost"
        );
    }
}
