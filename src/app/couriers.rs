//! The channels of an office beside mail, resolved once before any work: the robots file
//! (`[channels] robots_file`, `DUBAN_ROBOTS_FILE`, or the systemd credential `robots.toml`)
//! and the SMS gateway (`[sms]`, its secret from `DUBAN_SMS_SECRET`, `secret_file` or the
//! credential `sms-secret`); and the one transport every pass sends through.

use std::path::PathBuf;
use std::sync::Arc;

use super::AppError;
use super::mail::{MailError, MailSetup};
use crate::config::{ChannelsConfig, Config, SmsConfig};
use crate::notices::couriers::Couriers;
use crate::notices::hooks::{Endpoints, Hooks};
use crate::notices::robots::{RobotBook, RobotsError};
use crate::notices::send::SmtpMailer;
use crate::notices::sms::{Sms, SmsSettings};
use crate::notices::webhooks::{WebhookBook, Webhooks, WebhooksError};

/// Why the channels' settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The robots file.
    #[error(transparent)]
    Robots(#[from] RobotsError),
    /// The webhooks file.
    #[error(transparent)]
    Webhooks(#[from] WebhooksError),
    /// `[sms]` lacks something.
    #[error("[sms] in duban.toml: {0}")]
    Sms(String),
    /// The SMS secret cannot be read.
    #[error("cannot read the SMS secret file {}: {source}", path.display())]
    SecretFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate authorities of `[channels] ca_file`.
    #[error("[channels] ca_file: {0}")]
    Authorities(String),
}

/// A systemd credential of that name, if the service has one.
fn credential(name: &str) -> Option<PathBuf> {
    std::env::var_os("CREDENTIALS_DIRECTORY")
        .map(|dir| PathBuf::from(dir).join(name))
        .filter(|p| p.is_file())
}

/// The robots file the settings name, if any.
pub fn robots_path(channels: &ChannelsConfig) -> Option<PathBuf> {
    std::env::var_os("DUBAN_ROBOTS_FILE")
        .map(PathBuf::from)
        .or_else(|| channels.robots_file.clone())
        .or_else(|| credential("robots.toml"))
}

/// The office's robots, if it has a robots file.
pub fn robot_book(config: &Config) -> Result<Option<RobotBook>, ChannelError> {
    robots_path(&config.channels)
        .map(|path| RobotBook::read(&path))
        .transpose()
        .map_err(ChannelError::from)
}

/// The webhooks file the settings name, if any.
pub fn webhooks_path(channels: &ChannelsConfig) -> Option<PathBuf> {
    std::env::var_os("DUBAN_WEBHOOKS_FILE")
        .map(PathBuf::from)
        .or_else(|| channels.webhooks_file.clone())
        .or_else(|| credential("webhooks.toml"))
}

/// The systems the office tells of the record's events, if it has a webhooks file.
pub fn webhook_book(config: &Config) -> Result<Option<WebhookBook>, ChannelError> {
    webhooks_path(&config.channels)
        .map(|path| WebhookBook::read(&path))
        .transpose()
        .map_err(ChannelError::from)
}

/// How notices reach people beyond mail: the robots' units, and one message per item or not.
pub fn routes(config: &Config, book: Option<&RobotBook>) -> crate::notices::plan::Routes {
    let mut routes = book.map(RobotBook::routes).unwrap_or_default();
    routes.one_per_item = config.channels.one_per_item;
    routes.portal = config.base_url.clone();
    routes
}

/// The SMS gateway's settings, if `[sms]` is there; everything it needs, or what it lacks.
pub fn sms_settings(sms: &SmsConfig) -> Result<Option<SmsSettings>, ChannelError> {
    if sms.url.is_none() && sms.key_id.is_none() && sms.template.is_none() {
        return Ok(None);
    }
    let need = |value: &Option<String>, what: &str| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ChannelError::Sms(format!("no `{what}`")))
    };
    let secret = match std::env::var("DUBAN_SMS_SECRET") {
        Ok(s) => s,
        Err(_) => {
            let path = sms
                .secret_file
                .clone()
                .or_else(|| credential("sms-secret"))
                .ok_or_else(|| {
                    ChannelError::Sms(
                        "no secret: set `secret_file`, DUBAN_SMS_SECRET or the credential sms-secret"
                            .into(),
                    )
                })?;
            crate::fsio::read_text(&path, crate::fsio::limits::SETTINGS)
                .map_err(|source| ChannelError::SecretFile { path, source })?
                .trim()
                .to_string()
        }
    };
    Ok(Some(SmsSettings {
        url: need(&sms.url, "url")?,
        key_id: need(&sms.key_id, "key_id")?,
        secret,
        sign_name: need(&sms.sign_name, "sign_name")?,
        template: need(&sms.template, "template")?,
        region: sms.region.clone().unwrap_or_else(|| "cn-hangzhou".into()),
    }))
}

/// The HTTP client of the apps and the gateway: rustls with the system's authorities and
/// `ca_file`'s, a timeout on every exchange, any status read as an answer.
fn agent(channels: &ChannelsConfig) -> Result<ureq::Agent, ChannelError> {
    use rustls::pki_types::pem::PemObject as _;
    use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
    let mut roots: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if let Some(path) = &channels.ca_file {
        let bad = |why: String| ChannelError::Authorities(format!("{}: {why}", path.display()));
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no PEM certificate".into()));
        }
        roots.extend(
            certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
        );
    }
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .build();
    let timeout = channels.timeout();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent())
}

/// Where each app's API is, as `[channels]` says.
fn endpoints(channels: &ChannelsConfig) -> Endpoints {
    let defaults = Endpoints::default();
    Endpoints {
        wecom: channels.wecom_url.clone().unwrap_or(defaults.wecom),
        dingtalk: channels.dingtalk_url.clone().unwrap_or(defaults.dingtalk),
        feishu: channels.feishu_url.clone().unwrap_or(defaults.feishu),
    }
}

impl MailSetup {
    /// Every channel set up: mail if a server is configured, the robots if there is a robots
    /// file, SMS if `[sms]` is there. None at all is the error of a missing mail server (and
    /// `alternative`, what else the command offers).
    pub fn couriers(&self, alternative: Option<&str>) -> Result<Couriers, AppError> {
        let mail = match &self.smtp {
            Some(settings) => Some(
                Box::new(SmtpMailer::new(settings).map_err(MailError::from)?)
                    as Box<dyn crate::notices::send::Mailer>,
            ),
            None => None,
        };
        let needs_http = self.robots.is_some() || self.sms.is_some() || self.webhooks.is_some();
        let agent = needs_http
            .then(|| agent(&self.channels))
            .transpose()
            .map_err(MailError::from)?;
        let hooks = match (&self.robots, &agent) {
            (Some(book), Some(agent)) => Some(Hooks::new(
                agent.clone(),
                endpoints(&self.channels),
                book.clone(),
            )),
            _ => None,
        };
        let sms = match (&self.sms, &agent) {
            (Some(settings), Some(agent)) => {
                Some(Sms::new(agent.clone(), settings.clone(), self.pass.zone))
            }
            _ => None,
        };
        let webhooks = match (&self.webhooks, &agent) {
            (Some(book), Some(agent)) => Some(Webhooks::new(agent.clone(), book.clone())),
            _ => None,
        };
        if mail.is_none() && hooks.is_none() && sms.is_none() && webhooks.is_none() {
            return Err(MailError::NoServer {
                alternative: alternative.map(str::to_string),
            }
            .into());
        }
        Ok(Couriers {
            mail,
            hooks,
            sms,
            webhooks,
        })
    }
}
