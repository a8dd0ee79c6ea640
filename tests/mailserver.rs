//! A real SMTP server on loopback for the mail tests: aiosmtpd, installed into a virtualenv
//! under the target folder the first time it is needed (`.ci/run` installs it up front).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What to install when there is no Python to run the SMTP server with.
const MISSING_PYTHON: &str = "the mail tests run a real SMTP server (aiosmtpd) and need python3 with venv: install them (Debian: apt-get install python3 python3-venv), or set DUBAN_TEST_PYTHON to a python that has aiosmtpd";

/// The Python with aiosmtpd.
fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("DUBAN_TEST_PYTHON") {
                return PathBuf::from(p);
            }
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("smtp-venv");
            let python = venv.join("bin/python");
            let ready = |p: &Path| {
                Command::new(p)
                    .args(["-c", "import aiosmtpd"])
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !ready(&python) {
                let status = Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&venv)
                    .status()
                    .unwrap_or_else(|e| panic!("{}: {e}", MISSING_PYTHON));
                assert!(status.success(), "python3 -m venv failed: {MISSING_PYTHON}");
                let status = Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", "aiosmtpd"])
                    .status()
                    .unwrap_or_else(|e| panic!("pip of {}: {e}: {MISSING_PYTHON}", venv.display()));
                assert!(
                    status.success(),
                    "pip install aiosmtpd failed (PyPI must be reachable, or set DUBAN_TEST_PYTHON to a python that has aiosmtpd)"
                );
            }
            python
        })
        .clone()
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running SMTP server that keeps every message it accepts.
pub struct MailServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

/// A delivered message, as read back.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    /// The files it carries: name and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl MailServer {
    /// Starts a server on a free port.
    pub fn start() -> MailServer {
        MailServer::start_on(free_port())
    }

    /// Starts a server on `port`.
    pub fn start_on(port: u16) -> MailServer {
        MailServer::spawn(port, None)
    }

    /// Starts a server that accepts mail only after a login as `user` with `password`.
    pub fn start_with_login(user: &str, password: &str) -> MailServer {
        MailServer::spawn(free_port(), Some(format!("{user}:{password}")))
    }

    /// Starts a server that takes a login as `user` with `password` only over TLS, with the
    /// certificate chain and key of the files `tls` names: after STARTTLS, or (`wrapper`) from
    /// the first byte.
    pub fn start_with_tls(
        user: &str,
        password: &str,
        tls: (&Path, &Path),
        wrapper: bool,
    ) -> MailServer {
        let flag = if wrapper { "--smtps" } else { "--starttls" };
        let args = vec![
            "--auth".into(),
            format!("{user}:{password}"),
            flag.into(),
            tls.0.display().to_string(),
            tls.1.display().to_string(),
        ];
        MailServer::spawn_with(free_port(), &args)
    }

    fn spawn(port: u16, auth: Option<String>) -> MailServer {
        let args: Vec<String> = auth.map(|a| vec!["--auth".into(), a]).unwrap_or_default();
        MailServer::spawn_with(port, &args)
    }

    fn spawn_with(port: u16, args: &[String]) -> MailServer {
        let dir = tempfile::tempdir().unwrap();
        let script = crate::common::root().join("tests/smtp/server.py");
        let python = python();
        let mut command = Command::new(&python);
        command
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .args(args);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}: {MISSING_PYTHON}", python.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start under {}: it needs aiosmtpd (`pip install aiosmtpd` into that python, or unset DUBAN_TEST_PYTHON to have the tests make a virtualenv with it)",
            python.display()
        );
        MailServer { port, dir, child }
    }

    /// lettre's URL of it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Makes the server answer DATA with `reply` ("451 …") instead of accepting, or accept
    /// again with `None`.
    pub fn reply_with(&self, reply: Option<&str>) {
        let path = self.dir.path().join("reply");
        match reply {
            Some(r) => std::fs::write(path, r).unwrap(),
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Makes every DATA wait `seconds` before replying.
    pub fn delay(&self, seconds: f64) {
        std::fs::write(self.dir.path().join("delay"), seconds.to_string()).unwrap();
    }

    /// Makes each accepted message wait, before the server replies 250, until
    /// [`release`](Self::release) (with `true`), or accept at once again (`false`).
    pub fn hold(&self, on: bool) {
        let path = self.dir.path().join("hold");
        if on {
            std::fs::write(path, "").unwrap();
        } else {
            let _ = std::fs::remove_file(path);
            self.release();
        }
    }

    /// Waits (up to a minute) until a message is held before its 250; whether one is.
    pub fn held(&self) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if self.dir.path().join("held").exists() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Lets the held message's 250 go to the client.
    pub fn release(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("held"));
    }

    /// Every message delivered so far, in the order they arrived.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("new"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let raw = std::fs::read(f).unwrap();
                let mail = mailparse::parse_mail(&raw).unwrap();
                let header = |name: &str| {
                    mailparse::MailHeaderMap::get_first_value(&mail.headers[..], name)
                        .unwrap_or_default()
                };
                // A mail with a file is multipart: its text is the plain part.
                let text = mail
                    .subparts
                    .iter()
                    .find(|p| p.ctype.mimetype == "text/plain")
                    .unwrap_or(&mail);
                let attachments = mail
                    .subparts
                    .iter()
                    .filter_map(|p| {
                        let name = p.get_content_disposition().params.get("filename")?.clone();
                        Some((name, p.get_body_raw().unwrap()))
                    })
                    .collect();
                Received {
                    to: header("X-RcptTo"),
                    subject: header("Subject"),
                    body: text.get_body().unwrap(),
                    message_id: header("Message-ID"),
                    attachments,
                }
            })
            .collect()
    }

    /// Waits until at least `count` messages have arrived (or a minute has passed).
    pub fn wait_for(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count || started.elapsed() > Duration::from_secs(60) {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
