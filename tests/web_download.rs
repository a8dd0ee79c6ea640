//! Downloads of large files through the real `duban serve`: the exact bytes (by SHA-256), sent
//! as they are read — several people downloading a 40 MiB file at once raise the server's peak
//! memory by far less than one copy of it, where holding each download whole took one copy per
//! download. On SQLite (files on disk) and PostgreSQL (files in `blobs`, read in slices).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Barrier;

use sha2::{Digest, Sha256};

use crate::common::Workspace;
use crate::webserver::{Server, sign_up, token};

const MIB: usize = 1024 * 1024;
const SIZE: usize = 40 * MIB;
/// Downloads at once.
const AT_ONCE: usize = 6;

/// `len` bytes that compress to nothing (xorshift), so that no store can keep them small.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The peak resident memory of process `pid`, in bytes (`VmHWM`).
fn peak_memory(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// A download begun: the status line and headers read, the body not yet.
struct Download {
    reader: BufReader<TcpStream>,
    status: u16,
    headers: Vec<(String, String)>,
}

impl Download {
    fn begin(server: &Server, path: &str, cookie: &str) -> Download {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let Some((k, v)) = line.trim_end().split_once(": ") else {
                break;
            };
            headers.push((k.to_ascii_lowercase(), v.to_string()));
        }
        Download {
            reader,
            status,
            headers,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body, read to its end: its SHA-256 and length.
    fn finish(mut self) -> (String, usize) {
        assert_eq!(self.header("transfer-encoding"), None, "{:?}", self.headers);
        let mut digest = Sha256::new();
        let mut buffer = vec![0u8; 256 * 1024];
        let mut len = 0;
        loop {
            let n = self.reader.read(&mut buffer).unwrap();
            if n == 0 {
                break;
            }
            digest.update(&buffer[..n]);
            len += n;
        }
        (hex(&digest.finalize()), len)
    }
}

#[test]
fn large_files_are_sent_whole_and_never_held_whole_on_sqlite() {
    large_files_are_sent_whole_and_never_held_whole(Workspace::new(&["nanyang-2017"]));
}

#[test]
fn large_files_are_sent_whole_and_never_held_whole_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    large_files_are_sent_whole_and_never_held_whole(w);
}

fn large_files_are_sent_whole_and_never_held_whole(w: Workspace) {
    let content = noise(SIZE);
    let sha256 = hex(&Sha256::digest(&content));
    let file = w.path().join("全县台账.zip");
    std::fs::write(&file, &content).unwrap();
    drop(content);
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14")
        .args(&["--file", file.to_str().unwrap()])
        .ok();
    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-27");
    let cookie = sign_up(&server, &link, "张三", "宛城区联络员的密码1234");
    let path = format!(
        "/o/nanyang-2017/%E5%B7%A5%E4%BD%9C%E6%96%B9%E6%A1%88/%E5%AE%9B%E5%9F%8E%E5%8C%BA/-/file/{sha256}"
    );
    let page = server.get(
        "/o/nanyang-2017/%E5%B7%A5%E4%BD%9C%E6%96%B9%E6%A1%88/%E5%AE%9B%E5%9F%8E%E5%8C%BA/-",
        &cookie,
    );
    assert!(
        page.body.contains(&format!("&#x2f;file&#x2f;{sha256}")),
        "{}",
        page.body
    );

    // One download: the exact bytes, their length said in advance.
    let one = Download::begin(&server, &path, &cookie);
    assert_eq!(one.status, 200);
    assert_eq!(
        one.header("content-length"),
        Some(SIZE.to_string().as_str())
    );
    assert_eq!(one.header("content-type"), Some("application/octet-stream"));
    assert_eq!(one.finish(), (sha256.clone(), SIZE));

    // Several at once, each begun (its headers read) before any is read on: a server holding
    // each download whole would hold them all now.
    let before = peak_memory(server.pid());
    let ready = Barrier::new(AT_ONCE);
    let done: Vec<(String, usize)> = std::thread::scope(|scope| {
        let downloads: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                let (server, path, cookie, ready) = (&server, &path, &cookie, &ready);
                scope.spawn(move || {
                    let download = Download::begin(server, path, cookie);
                    assert_eq!(download.status, 200);
                    ready.wait();
                    download.finish()
                })
            })
            .collect();
        downloads.into_iter().map(|d| d.join().unwrap()).collect()
    });
    let after = peak_memory(server.pid());
    assert!(done.iter().all(|d| *d == (sha256.clone(), SIZE)));
    let grown = after.saturating_sub(before);
    eprintln!(
        "peak memory: {} MiB before, {} MiB after {AT_ONCE} downloads of {} MiB at once",
        before / MIB,
        after / MIB,
        SIZE / MIB
    );
    // Each download holds a piece or two and a connection's buffers, whatever the file's size;
    // holding each whole would raise the peak by about AT_ONCE × SIZE (240 MiB).
    assert!(
        grown < SIZE,
        "{AT_ONCE} downloads of {} MiB at once raised the peak by {} MiB",
        SIZE / MIB,
        grown / MIB
    );
}
