//! The mail settings of an office, resolved and checked once before any work: the SMTP server
//! (from `[mail]`, `DUBAN_SMTP_URL` and `DUBAN_SMTP_PASSWORD`) and how passes behave.

use std::sync::Arc;

use super::AppError;
use crate::config::MailConfig;
use crate::notices::pass::{self, PassOptions};
use crate::notices::send::{MailConfigError, SmtpMailer, SmtpSettings};

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No server is configured.
    #[error("no mail server: set `[mail] url` in duban.toml or DUBAN_SMTP_URL{}", alternative.as_ref().map(|a| format!(" ({a})")).unwrap_or_default())]
    NoServer {
        /// What else the command offers, if anything.
        alternative: Option<String>,
    },
    /// The server's settings are unusable (a bad URL, a sender that is not a mailbox).
    #[error(transparent)]
    Settings(#[from] MailConfigError),
    /// The robots or the SMS gateway are set up wrong.
    #[error(transparent)]
    Channels(#[from] super::couriers::ChannelError),
    /// The password file cannot be read.
    #[error("cannot read the SMTP password file {}: {source}", path.display())]
    PasswordFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// How an office sends mail.
#[derive(Clone)]
pub struct MailSetup {
    /// The server and the account; `None` without a server configured (a dry run needs none).
    pub smtp: Option<SmtpSettings>,
    /// How passes behave: attempts, the Message-ID domain, claims, the robots' routes.
    pub pass: PassOptions,
    /// The office's robots, if it has a robots file.
    pub robots: Option<crate::notices::robots::RobotBook>,
    /// The SMS gateway, if `[sms]` sets one up.
    pub sms: Option<crate::notices::sms::SmsSettings>,
    /// The systems told of the record's events, if a webhooks file sets them up.
    pub webhooks: Option<crate::notices::webhooks::WebhookBook>,
    /// Where the apps are.
    pub channels: crate::config::ChannelsConfig,
}

impl MailSetup {
    /// The setup `mail` and the environment describe; an unreadable password file is an error
    /// now rather than at the first mail.
    /// Files the records name (a campaign's templates) are read in the workspace.
    pub fn resolve(config: &crate::config::Config) -> Result<MailSetup, AppError> {
        let mail = &config.mail;
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
                ca_file: mail.ca_file.clone(),
            }),
            None => None,
        };
        let robots = super::couriers::robot_book(config).map_err(MailError::from)?;
        let sms = super::couriers::sms_settings(&config.sms).map_err(MailError::from)?;
        let webhooks = super::couriers::webhook_book(config).map_err(MailError::from)?;
        Ok(MailSetup {
            smtp,
            pass: PassOptions {
                names: crate::fsio::Names::new(&config.workspace),
                zone: config.zone,
                routes: super::couriers::routes(config, robots.as_ref()),
                // A claim is given up before the slowest channel's send could still be going.
                receivers: webhooks
                    .as_ref()
                    .map(|b| b.receivers().to_vec())
                    .unwrap_or_default(),
                send_timeout: if robots.is_some() || sms.is_some() || webhooks.is_some() {
                    mail.timeout().max(config.channels.timeout())
                } else {
                    mail.timeout()
                },
                ..pass_options(mail)
            },
            robots,
            sms,
            webhooks,
            channels: config.channels.clone(),
        })
    }

    /// The mailer of the configured server; an error that says how to configure one if none is
    /// (and `alternative`, what else the command offers, if it offers anything).
    pub fn mailer(&self, alternative: Option<&str>) -> Result<SmtpMailer, AppError> {
        let settings = self.smtp.as_ref().ok_or_else(|| MailError::NoServer {
            alternative: alternative.map(str::to_string),
        })?;
        Ok(SmtpMailer::new(settings).map_err(MailError::from)?)
    }
}

/// `DUBAN_SMTP_PASSWORD`, else the first line of `[mail] password_file`, else of the systemd
/// credential `smtp-password` (`LoadCredential=`), else none.
fn password(mail: &MailConfig) -> Result<Option<String>, AppError> {
    if let Ok(p) = std::env::var("DUBAN_SMTP_PASSWORD") {
        return Ok(Some(p));
    }
    let credential = std::env::var_os("CREDENTIALS_DIRECTORY")
        .map(|dir| std::path::PathBuf::from(dir).join("smtp-password"))
        .filter(|p| p.is_file());
    let Some(path) = mail.password_file.as_ref().or(credential.as_ref()) else {
        return Ok(None);
    };
    let text = crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|source| {
        MailError::PasswordFile {
            path: path.clone(),
            source,
        }
    })?;
    Ok(Some(text.trim().to_string()))
}

/// The domain of Message-IDs: the sender's.
pub(super) fn message_domain(mail: &MailConfig) -> String {
    let from = mail.from.clone().unwrap_or_default();
    from.rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim().to_string())
        .filter(|d| !d.is_empty() && from.contains('@'))
        .unwrap_or_else(|| "duban.localhost".into())
}

fn pass_options(mail: &MailConfig) -> PassOptions {
    PassOptions {
        max_attempts: mail.max_attempts.unwrap_or(8),
        domain: message_domain(mail),
        lease: mail.claim(),
        send_timeout: mail.timeout(),
        owner: pass::owner(),
        wall: Arc::new(crate::clock::SystemClock),
        names: crate::fsio::Names::default(),
        zone: crate::config::OFFICE_ZONE,
        routes: Default::default(),
        receivers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
