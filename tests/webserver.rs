//! `duban serve` for the tests: the real binary on a free port, spoken to over plain HTTP on a
//! `TcpStream` (no client library between the test and the server), and the steps every web
//! test starts with — an account's one-time link, its password, its session cookie.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::common::Workspace;

/// A running `duban serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Server {
    /// `duban serve` in `w`'s folder, its lights (and what is done through it) at `as_of`.
    pub fn start(w: &Workspace, as_of: &str) -> Server {
        Server::start_with(w, &["--as-of", as_of])
    }

    /// `duban serve --listen 127.0.0.1:0` with `args`, once it says where it listens.
    pub fn start_with(w: &Workspace, args: &[&str]) -> Server {
        Server::spawn(w, Command::new(assert_cmd::cargo::cargo_bin("duban")), args)
    }

    /// `duban serve --listen 127.0.0.1:0` with `args`, in a shell that first lowers the limit on
    /// open files to `files` (`ulimit -n`); the server is the shell's process (`exec`).
    pub fn start_with_file_limit(w: &Workspace, files: u32, args: &[&str]) -> Server {
        let mut shell = Command::new("sh");
        shell.args([
            "-c",
            &format!("ulimit -n {files} && exec \"$0\" \"$@\""),
            assert_cmd::cargo::cargo_bin("duban").to_str().unwrap(),
        ]);
        Server::spawn(w, shell, args)
    }

    fn spawn(w: &Workspace, mut command: Command, args: &[&str]) -> Server {
        let mut child = command
            .current_dir(w.path())
            .env_remove("DUBAN_CONFIG")
            .env_remove("DUBAN_DB")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, port }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// One request with these extra header lines and body; the reply read to the end.
    pub fn exchange(&self, method: &str, path: &str, headers: &[String], body: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for line in headers {
            request.push_str(&format!("{line}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let bytes = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or_else(Vec::new, |at| raw[at + 4..].to_vec());
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
            bytes,
        }
    }

    /// One request; `cookies` as a `Cookie:` header, `form` urlencoded as the body.
    pub fn send(&self, method: &str, path: &str, cookies: &str, form: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut headers = Vec::new();
        if !cookies.is_empty() {
            headers.push(format!("Cookie: {cookies}"));
        }
        if !form.is_empty() {
            headers.push("Content-Type: application/x-www-form-urlencoded".to_string());
        }
        self.exchange(method, path, &headers, &body.join("&"))
    }

    pub fn get(&self, path: &str, cookies: &str) -> Reply {
        self.send("GET", path, cookies, &[])
    }
}

impl Server {
    /// One try at signing in as `name` with `password`, through the sign-in form (its CSRF
    /// cookie fetched first).
    pub fn sign_in_attempt(&self, name: &str, password: &str) -> Reply {
        let login = self.get("/login", "");
        let csrf = login.cookie("duban_csrf").unwrap();
        let secret = csrf.split_once('=').unwrap().1.to_string();
        self.send(
            "POST",
            "/login",
            &csrf,
            &[("name", name), ("password", password), ("csrf", &secret)],
        )
    }

    /// Sends SIGTERM and waits at most `seconds` for the process to end: its exit code, or a
    /// panic saying it did not end.
    pub fn terminate_within(&mut self, seconds: u64) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                std::time::Instant::now() < until,
                "the server still runs {seconds} s after SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits: the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap().code()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reply, read to its end.
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Header lines, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
    /// The body's bytes (a download's).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of a cookie the reply sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find(|(_, v)| v.starts_with(&format!("{name}=")))
            .map(|(_, v)| v.split(';').next().unwrap().to_string())
    }
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The one-time token the `user add` output ends with.
pub fn token(output: &str) -> String {
    output.trim().rsplit("token=").next().unwrap().to_string()
}

/// Sets `password` through the link, then signs in: the session cookie.
pub fn sign_up(server: &Server, link: &str, name: &str, password: &str) -> String {
    let form = server.get(&format!("/set-password?token={link}"), "");
    assert_eq!(form.status, 200);
    let csrf = form.cookie("duban_csrf").unwrap();
    let secret = csrf.split_once('=').unwrap().1.to_string();
    let set = server.send(
        "POST",
        "/set-password",
        &csrf,
        &[("token", link), ("password", password), ("csrf", &secret)],
    );
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(set.header("location"), Some("/login?done=1"));
    let signed = server.send(
        "POST",
        "/login",
        &csrf,
        &[("name", name), ("password", password), ("csrf", &secret)],
    );
    assert_eq!(signed.status, 303, "{}", signed.body);
    let set_cookie = signed
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("duban_session="))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    signed.cookie("duban_session").unwrap()
}

impl Server {
    /// A multipart form posted with the session `cookies`: its text `parts`, and a file part
    /// `file` for each of `files` (its name and text).
    pub fn send_multipart(
        &self,
        path: &str,
        cookies: &str,
        parts: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Reply {
        self.multipart(path, format!("Cookie: {cookies}"), parts, files)
    }

    /// A multipart form posted to the API with a bearer token, as [`Server::send_multipart`].
    pub fn api_multipart(
        &self,
        path: &str,
        token: &str,
        parts: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Reply {
        self.multipart(path, format!("Authorization: Bearer {token}"), parts, files)
    }

    fn multipart(
        &self,
        path: &str,
        credential: String,
        parts: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Reply {
        let boundary = "duban-test-boundary";
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        for (name, text) in files {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.exchange(
            "POST",
            path,
            &[
                credential,
                format!("Content-Type: multipart/form-data; boundary={boundary}"),
            ],
            &body,
        )
    }

    /// A JSON request with a bearer token.
    /// Every row of a listing read a page at a time from `first`, following each page's
    /// `Link: <…>; rel="next"`; each page answered 200 with at most `most` rows.
    pub fn pages(&self, first: &str, token: &str, most: usize) -> Vec<serde_json::Value> {
        let mut path = Some(first.to_string());
        let mut rows = Vec::new();
        while let Some(p) = path {
            let reply = self.api("GET", &p, token, None);
            assert_eq!(reply.status, 200, "{p}: {}", reply.body);
            let page: Vec<serde_json::Value> = serde_json::from_str(&reply.body).unwrap();
            assert!(page.len() <= most, "{p}: {} rows", page.len());
            rows.extend(page);
            path = reply
                .header("link")
                .map(|l| l[1..l.find('>').unwrap()].to_string());
        }
        rows
    }

    pub fn api(&self, method: &str, path: &str, token: &str, json: Option<&str>) -> Reply {
        let mut headers = Vec::new();
        if !token.is_empty() {
            headers.push(format!("Authorization: Bearer {token}"));
        }
        if json.is_some() {
            headers.push("Content-Type: application/json".to_string());
        }
        self.exchange(method, path, &headers, json.unwrap_or(""))
    }
}
