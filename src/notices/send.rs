//! Mail transport: the [`Mailer`] trait at the I/O edge, SMTP over duban's own connection
//! ([`super::smtp`]: STARTTLS or TLS with rustls, one connection kept open, a timeout on every
//! read and write), and a mailer that prints instead of sending for `--dry-run`. Addresses and
//! headers come only from validated data: lettre parses every address and encodes every
//! header, and a subject is one line before it gets here.

use std::fmt;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;

use super::smtp::{Connection, Endpoint};

/// A mail ready to go.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing<'a> {
    /// The recipient's address.
    pub to: &'a str,
    /// The subject.
    pub subject: &'a str,
    /// The plain-text body.
    pub body: &'a str,
    /// The Message-ID, kept across retries so that a resent mail is recognisably the same.
    pub message_id: &'a str,
    /// A document it carries.
    pub attachment: Option<&'a crate::store::Attachment>,
}

/// Why a send failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying (a 4xx reply, a refused or dropped connection, a timeout).
    Transient(String),
    /// Will not work however often it is tried (a 5xx reply, a bad address).
    Permanent(String),
    /// The server refused the login (535 and its kin): no mail will go through until the
    /// settings are fixed, so the mail is not counted as tried.
    Login(String),
    /// The server's certificate is not trusted (an unknown authority, another name), or it
    /// does not offer the encryption the settings require: as for a refused login, nothing
    /// goes through until the settings (or the server) are fixed.
    Untrusted(String),
    /// Over a rate limit (a robot's 20 a minute, a number's daily cap): not sent and not
    /// counted as tried, due again after the wait.
    Throttled(String, std::time::Duration),
    /// The channel is not set up (no mail server, no robot of that name, no SMS gateway): as
    /// for a refused login, its messages stay pending, untried, until it is.
    Unconfigured(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Transient(m)
            | SendError::Login(m)
            | SendError::Untrusted(m)
            | SendError::Throttled(m, _)
            | SendError::Unconfigured(m) => f.write_str(m),
            SendError::Permanent(m) => write!(f, "{m} (permanent)"),
        }
    }
}

/// Sends mail.
pub trait Mailer: Send + Sync {
    /// Sends one mail; `Ok` carries the server's reply once it has accepted the mail.
    fn send(&self, mail: &Outgoing<'_>) -> Result<String, SendError>;
}

/// How to reach the SMTP server.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    /// lettre's URL form: `smtp://host:port`, `smtps://host`, `smtp://host?tls=required`.
    pub url: String,
    /// The sender.
    pub from: String,
    /// User name, if the server wants one.
    pub user: Option<String>,
    /// Password, if the server wants one.
    pub password: Option<String>,
    /// How long one send may take.
    pub timeout: Duration,
    /// Certificate authorities (PEM) the server's certificate may be signed by, besides the
    /// system's.
    pub ca_file: Option<std::path::PathBuf>,
}

/// The SMTP settings are unusable.
#[derive(Debug, thiserror::Error)]
#[error("mail settings: {0}")]
pub struct MailConfigError(pub String);

/// Sends through an SMTP server, over one connection kept open between mails.
pub struct SmtpMailer {
    endpoint: Endpoint,
    timeout: Duration,
    tls: std::sync::Arc<rustls::ClientConfig>,
    from: Mailbox,
    /// The open connection, if any: taken while a mail is sent, put back once it went well.
    connection: Mutex<Option<Connection>>,
}

impl SmtpMailer {
    /// Connects lazily: nothing is sent or opened until the first mail.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpMailer, MailConfigError> {
        let from: Mailbox = settings.from.parse().map_err(|e| {
            MailConfigError(format!("`from` {:?} is not a mailbox: {e}", settings.from))
        })?;
        let mut endpoint = Endpoint::parse(&settings.url)?;
        if let Some(password) = &settings.password {
            let user = settings
                .user
                .clone()
                .unwrap_or_else(|| from.email.to_string());
            endpoint.credentials = Some(Credentials::new(user, password.clone()));
        }
        Ok(SmtpMailer {
            endpoint,
            timeout: settings.timeout,
            tls: super::smtp::tls_config(settings.ca_file.as_deref())?,
            from,
            connection: Mutex::new(None),
        })
    }

    /// Builds the message lettre sends.
    pub fn message(from: &Mailbox, mail: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("{} is not a mail address: {e}", mail.to)))?;
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id.to_string()));
        let built = match mail.attachment {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body.to_string()),
            Some(a) => {
                use lettre::message::{Attachment, MultiPart, SinglePart};
                let kind = ContentType::parse(&a.content_type).map_err(|e| {
                    SendError::Permanent(format!("attachment type {}: {e}", a.content_type))
                })?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(mail.body.to_string()))
                        .singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), kind)),
                )
            }
        };
        built.map_err(|e| SendError::Permanent(format!("cannot build the mail: {e}")))
    }
}

/// What a check of the server found: a session opened (encrypted and logged in where the
/// settings ask) and closed again, nothing sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The server, as the settings name it (never with a password).
    pub server: String,
    /// Whether the session was encrypted.
    pub encrypted: bool,
    /// Whether it logged in.
    pub logged_in: bool,
    /// Whether the server takes commands pipelined.
    pub pipelining: bool,
}

impl SmtpMailer {
    /// Opens a session with the server as a pass would — connected, encrypted and logged in
    /// where the settings ask — and closes it, sending nothing.
    pub fn check(&self) -> Result<Checked, SendError> {
        let connection = Connection::open(&self.endpoint, self.timeout, &self.tls)?;
        let checked = Checked {
            server: format!("{}:{}", self.endpoint.host, self.endpoint.port),
            encrypted: connection.encrypted(),
            logged_in: self.endpoint.credentials.is_some(),
            pipelining: connection.pipelining(),
        };
        connection.quit();
        Ok(checked)
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: &Outgoing<'_>) -> Result<String, SendError> {
        let message = SmtpMailer::message(&self.from, mail)?;
        let mut slot = self
            .connection
            .lock()
            .map_err(|_| SendError::Transient("the mail connection's lock is poisoned".into()))?;
        let mut connection = match slot.take() {
            Some(open) => open,
            None => Connection::open(&self.endpoint, self.timeout, &self.tls)?,
        };
        let sent = connection.send(message.envelope(), &message.formatted());
        match sent {
            Ok(reply) => {
                *slot = Some(connection);
                Ok(super::smtp::shown(&reply))
            }
            // A refusal of this mail leaves the session where it was: the next mail opens a
            // new one all the same, so that nothing of this one is left in it.
            Err(e) => Err(e),
        }
    }
}

impl Drop for SmtpMailer {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.connection.lock()
            && let Some(open) = slot.take()
        {
            open.quit();
        }
    }
}

/// Hides a password in a URL before it is shown.
pub(super) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Prints mails instead of sending them (`--dry-run`).
pub struct PrintMailer<W: Write + Send> {
    out: Mutex<W>,
}

impl<W: Write + Send> PrintMailer<W> {
    /// Prints to `out`.
    pub fn new(out: W) -> PrintMailer<W> {
        PrintMailer {
            out: Mutex::new(out),
        }
    }
}

impl<W: Write + Send> Mailer for PrintMailer<W> {
    fn send(&self, mail: &Outgoing<'_>) -> Result<String, SendError> {
        let mut out = self
            .out
            .lock()
            .map_err(|_| SendError::Transient("output lock poisoned".into()))?;
        writeln!(
            out,
            "To: {}\nSubject: {}\n\n{}",
            mail.to, mail.subject, mail.body
        )
        .map_err(|e| SendError::Transient(e.to_string()))?;
        Ok("printed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_cannot_be_injected() {
        let from: Mailbox = "督办 <duban@example.org>".parse().unwrap();
        let mail = Outgoing {
            to: "lisi@example.org",
            subject: "【催报】统计表 Bcc: spy@example.org",
            body: "正文\r\nBcc: spy@example.org",
            message_id: "<a@b>",
            attachment: None,
        };
        let message = SmtpMailer::message(&from, &mail).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
        assert!(!headers.lines().any(|l| l.starts_with("Bcc")), "{headers}");
        let bad = Outgoing {
            to: "lisi@example.org\r\nBcc: spy@example.org",
            ..mail
        };
        assert!(matches!(
            SmtpMailer::message(&from, &bad),
            Err(SendError::Permanent(_))
        ));
    }

    #[test]
    fn a_document_goes_as_an_attachment_beside_the_text() {
        let from: Mailbox = "督办 <duban@example.org>".parse().unwrap();
        let file = crate::store::Attachment {
            name: "通报.docx".into(),
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                .into(),
            bytes: b"PK\x03\x04".to_vec(),
        };
        let mail = Outgoing {
            to: "office@example.org",
            subject: "【催报】通报",
            body: "请按时印发通报。",
            message_id: "<a@b>",
            attachment: Some(&file),
        };
        let raw =
            String::from_utf8(SmtpMailer::message(&from, &mail).unwrap().formatted()).unwrap();
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("Content-Disposition: attachment"), "{raw}");
        assert!(raw.contains("wordprocessingml"), "{raw}");
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("smtps://user:secret@mail.example.org:465"),
            "smtps://***@mail.example.org:465"
        );
        assert_eq!(redact("smtp://localhost:25"), "smtp://localhost:25");
    }
}
