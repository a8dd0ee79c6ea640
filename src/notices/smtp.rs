//! duban's own SMTP client connection, over a socket it configures. lettre 0.11.23's
//! `SmtpConnection` leaves Nagle's algorithm on and writes a message's end (`.`) apart from the
//! message, so every mail waits for the server's delayed acknowledgement, ~40 ms: about 20 mails
//! a second (lettre PR #1159 fixes it upstream; no release has it yet). This one sets
//! TCP_NODELAY and writes each command, and each message with its end, in one write. It keeps
//! lettre for what lettre does well: building and encoding the message, the addresses, the
//! commands, the server's replies and the SASL mechanisms.
//!
//! One connection is kept open between mails and opened again after any failure: a mail is
//! never half-sent on a connection that then carries the next one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Data, Ehlo, Mail, Quit, Rcpt, Starttls};
use lettre::transport::smtp::extension::{
    ClientId, Extension, MailBodyParameter, MailParameter, ServerInfo,
};
use lettre::transport::smtp::response::Response;

use super::send::{MailConfigError, SendError};

/// The longest reply read from a server: a broken one is not read forever.
const LONGEST_REPLY: usize = 100_000;

/// How the connection is encrypted, as lettre's URL says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// None (`smtp://host`).
    None,
    /// STARTTLS if the server offers it (`?tls=opportunistic`).
    Opportunistic,
    /// STARTTLS, or no mail (`?tls=required`).
    Required,
    /// TLS from the first byte (`smtps://`).
    Wrapper,
}

/// Where and how to reach the server: lettre's URL form, read the way lettre reads it.
#[derive(Clone)]
pub struct Endpoint {
    /// The server's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The encryption.
    pub encryption: Encryption,
    /// The name this client greets with.
    pub hello: ClientId,
    /// The login, if the server wants one.
    pub credentials: Option<Credentials>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials are never shown.
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("encryption", &self.encryption)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// Reads `smtp://[user[:password]@]host[:port][/ehlo-name][?tls=required|opportunistic]`
    /// or `smtps://…`; the defaults are lettre's (port 25 for plain SMTP, 587 with STARTTLS,
    /// 465 for SMTPS). The error never shows the password.
    pub fn parse(text: &str) -> Result<Endpoint, MailConfigError> {
        let bad =
            |why: &str| MailConfigError(format!("url {:?}: {why}", super::send::redact(text)));
        let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("it names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (encryption, port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Encryption::None, 25),
            ("smtp", Some("required")) => (Encryption::Required, 587),
            ("smtp", Some("opportunistic")) => (Encryption::Opportunistic, 587),
            ("smtps", _) => (Encryption::Wrapper, 465),
            _ => {
                return Err(bad(
                    "the scheme is smtp or smtps, and tls=required or tls=opportunistic",
                ));
            }
        };
        let path = url.path().trim_matches('/');
        let hello = if path.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(path.to_string())
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| bad("its user or password is not UTF-8"))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        Ok(Endpoint {
            host,
            port: url.port().unwrap_or(port),
            encryption,
            hello,
            credentials,
        })
    }
}

/// The socket, plain or within TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// An open SMTP session, greeted (and encrypted and logged in, where asked).
pub struct Connection {
    stream: BufReader<Stream>,
    server: ServerInfo,
    /// Whether the server takes commands pipelined (RFC 2920): the envelope and DATA then go
    /// in one write, and their replies are read after.
    pipelining: bool,
}

impl Connection {
    /// Connects to `endpoint` within `timeout` (each read and write too), encrypting with
    /// `tls` where the endpoint asks, and logs in.
    pub fn open(
        endpoint: &Endpoint,
        timeout: Duration,
        tls: &Arc<rustls::ClientConfig>,
    ) -> Result<Connection, SendError> {
        let socket = connect(&endpoint.host, endpoint.port, timeout)?;
        let stream = if endpoint.encryption == Encryption::Wrapper {
            encrypt(socket, &endpoint.host, tls)?
        } else {
            Stream::Plain(socket)
        };
        let mut conn = Connection {
            stream: BufReader::new(stream),
            server: ServerInfo::default(),
            pipelining: false,
        };
        expect(conn.read_reply()?, 220)?;
        conn.ehlo(&endpoint.hello)?;
        let offered = conn.server.supports_feature(Extension::StartTls);
        match endpoint.encryption {
            // A server that stops offering STARTTLS may be one whose offer was stripped on the
            // way: nothing goes in clear, and the pass stops as for an untrusted certificate.
            Encryption::Required if !offered => {
                return Err(SendError::Untrusted(
                    "the server does not offer STARTTLS, which the url requires (tls=required)"
                        .into(),
                ));
            }
            Encryption::Required | Encryption::Opportunistic if offered => {
                expect(conn.command(Starttls)?, 220)?;
                // Whatever the server sent after its 220 and before TLS is dropped with the
                // buffer: nothing said in clear is read as if it came encrypted.
                let Stream::Plain(socket) = conn.stream.into_inner() else {
                    unreachable!("STARTTLS is only sent on a plain connection");
                };
                conn.stream = BufReader::new(encrypt(socket, &endpoint.host, tls)?);
                conn.ehlo(&endpoint.hello)?;
            }
            _ => {}
        }
        if let Some(credentials) = &endpoint.credentials {
            conn.login(credentials)?;
        }
        Ok(conn)
    }

    fn ehlo(&mut self, hello: &ClientId) -> Result<(), SendError> {
        let reply = expect(self.command(Ehlo::new(hello.clone()))?, 250)?;
        self.server = ServerInfo::from_response(&reply)
            .map_err(|e| SendError::Transient(format!("the server's EHLO reply: {e}")))?;
        self.pipelining = reply
            .message()
            .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING"));
        Ok(())
    }

    /// Logs in by PLAIN or LOGIN, as lettre does; a refusal is [`SendError::Login`].
    fn login(&mut self, credentials: &Credentials) -> Result<(), SendError> {
        let mechanism = self
            .server
            .get_auth_mechanism(&[Mechanism::Plain, Mechanism::Login])
            .ok_or_else(|| {
                SendError::Login("the server offers no authentication mechanism duban has".into())
            })?;
        let auth = |e: lettre::transport::smtp::Error| SendError::Login(e.to_string());
        let mut reply =
            self.command(Auth::new(mechanism, credentials.clone(), None).map_err(auth)?)?;
        // A mechanism has a few challenges; a server that asks on and on is not followed.
        for _ in 0..10 {
            if !reply.has_code(334) {
                break;
            }
            let next =
                Auth::new_from_response(mechanism, credentials.clone(), &reply).map_err(auth)?;
            reply = self.command(next)?;
        }
        if reply.has_code(235) {
            Ok(())
        } else {
            Err(SendError::Login(shown(&reply)))
        }
    }

    /// Sends one message (as lettre formats it) to its envelope: the server's reply once it
    /// has taken it.
    pub fn send(&mut self, envelope: &Envelope, message: &[u8]) -> Result<Response, SendError> {
        let mut options = Vec::new();
        let addresses = envelope.from().into_iter().chain(envelope.to());
        if addresses.map(AsRef::<str>::as_ref).any(|a| !a.is_ascii()) {
            if !self.server.supports_feature(Extension::SmtpUtfEight) {
                return Err(SendError::Permanent(
                    "the address is not ASCII and the server does not take SMTPUTF8".into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !message.is_ascii() {
            if !self.server.supports_feature(Extension::EightBitMime) {
                return Err(SendError::Permanent(
                    "the mail is not ASCII and the server does not take 8BITMIME".into(),
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mut commands = vec![Mail::new(envelope.from().cloned(), options).to_string()];
        commands.extend(
            envelope
                .to()
                .iter()
                .map(|to| Rcpt::new(to.clone(), Vec::new()).to_string()),
        );
        commands.push(Data.to_string());
        if self.pipelining {
            self.write(commands.concat().as_bytes())?;
        }
        // Every reply is read, even after a refusal, so that none is left to answer the next.
        let mut first_refusal = None;
        let last = commands.len() - 1;
        for (i, command) in commands.iter().enumerate() {
            if !self.pipelining {
                self.write(command.as_bytes())?;
            }
            let reply = self.read_reply()?;
            let wanted = if i == last { 354 } else { 250 };
            if !(reply.has_code(wanted) || (i > 0 && i < last && reply.is_positive())) {
                first_refusal.get_or_insert_with(|| refused(&reply));
                if !self.pipelining {
                    break;
                }
            }
        }
        if let Some(refusal) = first_refusal {
            return Err(refusal);
        }
        // The message, its lines starting with a dot doubled, and its end, in one write.
        let mut data = Vec::with_capacity(message.len() + message.len() / 64 + 8);
        let mut line_start = true;
        for &byte in message {
            if line_start && byte == b'.' {
                data.push(b'.');
            }
            data.push(byte);
            line_start = byte == b'\n';
        }
        data.extend_from_slice(b"\r\n.\r\n");
        self.write(&data)?;
        let reply = self.read_reply()?;
        if reply.is_positive() {
            Ok(reply)
        } else {
            Err(refused(&reply))
        }
    }

    /// Whether the session is encrypted.
    pub fn encrypted(&self) -> bool {
        matches!(self.stream.get_ref(), Stream::Tls(_))
    }

    /// Whether the server takes commands pipelined.
    pub fn pipelining(&self) -> bool {
        self.pipelining
    }

    /// Says goodbye; what the server answers does not matter.
    pub fn quit(mut self) {
        let _ = self.command(Quit);
    }

    fn command(&mut self, command: impl std::fmt::Display) -> Result<Response, SendError> {
        self.write(command.to_string().as_bytes())?;
        self.read_reply()
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SendError> {
        let stream = self.stream.get_mut();
        stream
            .write_all(bytes)
            .and_then(|()| stream.flush())
            .map_err(|e| SendError::Transient(format!("writing to the server: {e}")))
    }

    /// One reply, every line of it (`250-…` lines, then `250 …`).
    fn read_reply(&mut self) -> Result<Response, SendError> {
        let mut text = String::new();
        loop {
            let before = text.len();
            let read = self
                .stream
                .read_line(&mut text)
                .map_err(|e| SendError::Transient(format!("reading from the server: {e}")))?;
            if read == 0 {
                return Err(SendError::Transient(
                    "the server closed the connection".into(),
                ));
            }
            let line = &text[before..];
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                break;
            }
            if text.len() > LONGEST_REPLY {
                return Err(SendError::Transient(
                    "the server's reply is too long".into(),
                ));
            }
        }
        text.parse::<Response>().map_err(|e| {
            SendError::Transient(format!("the server's reply {:?}: {e}", text.trim_end()))
        })
    }
}

/// A TCP connection to the first of `host`'s addresses that answers, with Nagle's algorithm
/// off and every read and write bounded by `timeout`.
fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, SendError> {
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| SendError::Transient(format!("{host}:{port}: {e}")))?;
    let mut last = format!("{host}:{port} has no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(socket) => {
                let set = socket
                    .set_nodelay(true)
                    .and_then(|()| socket.set_read_timeout(Some(timeout)))
                    .and_then(|()| socket.set_write_timeout(Some(timeout)));
                return match set {
                    Ok(()) => Ok(socket),
                    Err(e) => Err(SendError::Transient(format!("{address}: {e}"))),
                };
            }
            Err(e) => last = format!("connecting to {address}: {e}"),
        }
    }
    Err(SendError::Transient(last))
}

/// `socket` within TLS, the server's certificate checked for `host`.
fn encrypt(
    socket: TcpStream,
    host: &str,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<Stream, SendError> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| SendError::Transient(format!("{host} as a TLS name: {e}")))?;
    let mut session = rustls::ClientConnection::new(tls.clone(), name)
        .map_err(|e| SendError::Transient(format!("TLS: {e}")))?;
    let mut socket = socket;
    // The handshake now, so that a certificate refused is said as such, not as a failed write.
    while session.is_handshaking() {
        session.complete_io(&mut socket).map_err(|e| {
            let rustls_error = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
            match rustls_error {
                Some(rustls::Error::InvalidCertificate(why)) => SendError::Untrusted(format!(
                    "the certificate of {host} is not trusted: {why:?}"
                )),
                _ => SendError::Transient(format!("TLS with {host}: {e}")),
            }
        })?;
    }
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(
        session, socket,
    ))))
}

/// The TLS settings for mail: the system's certificate authorities, and those of `ca_file`.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, MailConfigError> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    // A system without a CA store (a minimal container) has none to add.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let bad = |why: String| MailConfigError(format!("ca_file {}: {why}", path.display()));
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no PEM certificate".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MailConfigError(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `reply` if it has `code`, else the refusal it is.
fn expect(reply: Response, code: u16) -> Result<Response, SendError> {
    if reply.has_code(code) {
        Ok(reply)
    } else {
        Err(refused(&reply))
    }
}

/// A reply that refuses: the server refusing the login — 530 (authentication required, at any
/// command), 534 (mechanism too weak), 535 (bad credentials), 538 (encryption required), 454
/// (temporary failure) — which no retry of this mail mends; else worth retrying (4xx) or not
/// (5xx).
fn refused(reply: &Response) -> SendError {
    let text = shown(reply);
    if [530, 534, 535, 538, 454].iter().any(|c| reply.has_code(*c)) {
        SendError::Login(text)
    } else if text.starts_with('4') {
        SendError::Transient(text)
    } else {
        SendError::Permanent(text)
    }
}

/// A reply as the records keep it: `250 2.0.0 Ok: queued`.
pub fn shown(reply: &Response) -> String {
    format!(
        "{} {}",
        reply.code(),
        reply.message().collect::<Vec<_>>().join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server on loopback that speaks just enough SMTP, offering PIPELINING as asked, and
    /// hands back every byte it read.
    fn server(pipelining: bool) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(socket.try_clone().unwrap());
            let mut out = socket;
            let mut seen = Vec::new();
            out.write_all(b"220 test\r\n").unwrap();
            let mut in_data = false;
            loop {
                let mut line = Vec::new();
                if reader.read_until(b'\n', &mut line).unwrap() == 0 {
                    break;
                }
                seen.extend_from_slice(&line);
                let reply: &[u8] = if in_data {
                    if line != b".\r\n" {
                        continue;
                    }
                    in_data = false;
                    b"250 2.0.0 queued\r\n"
                } else if line.starts_with(b"EHLO") {
                    if pipelining {
                        b"250-test\r\n250-8BITMIME\r\n250 PIPELINING\r\n"
                    } else {
                        b"250-test\r\n250 8BITMIME\r\n"
                    }
                } else if line.starts_with(b"DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if line.starts_with(b"QUIT") {
                    out.write_all(b"221 bye\r\n").unwrap();
                    break;
                } else {
                    b"250 ok\r\n"
                };
                out.write_all(reply).unwrap();
            }
            seen
        });
        (port, handle)
    }

    #[test]
    fn a_message_goes_with_its_dots_doubled_and_its_end_and_the_session_is_kept() {
        for pipelining in [true, false] {
            let (port, handle) = server(pipelining);
            let endpoint = Endpoint::parse(&format!("smtp://127.0.0.1:{port}")).unwrap();
            let tls = tls_config(None).unwrap();
            let mut conn = Connection::open(&endpoint, Duration::from_secs(5), &tls).unwrap();
            assert_eq!(conn.pipelining, pipelining);
            let envelope = Envelope::new(
                Some("duban@example.org".parse().unwrap()),
                vec!["lisi@example.org".parse().unwrap()],
            )
            .unwrap();
            for body in [
                "Subject: a\r\n\r\n.hidden\r\nline",
                "Subject: b\r\n\r\n第二封",
            ] {
                let reply = conn.send(&envelope, body.as_bytes()).unwrap();
                assert_eq!(shown(&reply), "250 2.0.0 queued");
            }
            conn.quit();
            let seen = String::from_utf8(handle.join().unwrap()).unwrap();
            assert!(
                seen.contains("\r\n..hidden\r\nline\r\n.\r\n"),
                "the dot doubled, the end after: {seen}"
            );
            assert_eq!(
                seen.matches("MAIL FROM:<duban@example.org>").count(),
                2,
                "{seen}"
            );
            assert!(
                seen.contains("BODY=8BITMIME"),
                "the second is not ASCII: {seen}"
            );
        }
    }

    #[test]
    fn urls_are_read_as_lettre_reads_them_and_never_shown_with_their_password() {
        let plain = Endpoint::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (plain.host.as_str(), plain.port, plain.encryption),
            ("127.0.0.1", 2525, Encryption::None)
        );
        assert!(plain.credentials.is_none());
        let submission = Endpoint::parse("smtp://mail.example.org?tls=required").unwrap();
        assert_eq!(
            (submission.port, submission.encryption),
            (587, Encryption::Required)
        );
        let smtps =
            Endpoint::parse("smtps://user%40x:p%40ss@mail.example.org/duban.example.org").unwrap();
        assert_eq!((smtps.port, smtps.encryption), (465, Encryption::Wrapper));
        assert_eq!(
            smtps.credentials,
            Some(Credentials::new("user@x".into(), "p@ss".into()))
        );
        assert_eq!(smtps.hello, ClientId::Domain("duban.example.org".into()));
        assert!(!format!("{smtps:?}").contains("p@ss"));
        let bad = Endpoint::parse("smtpx://user:secret@mail.example.org").unwrap_err();
        assert!(!bad.to_string().contains("secret"), "{bad}");
        assert!(Endpoint::parse("smtp://x?tls=sometimes").is_err());
    }
}
