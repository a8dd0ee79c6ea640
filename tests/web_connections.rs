//! `duban serve` against clients that hold connections: more idle connections than the server
//! may open files, a half-sent request head, a request under way when SIGTERM comes.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::Workspace;
use crate::webserver::Server;

/// `GET path` on a connection of its own, waiting at most a minute for the answer: its status
/// line.
fn status_line(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    if let Err(e) = stream.read_to_end(&mut raw) {
        panic!("no answer to GET {path} within a minute: {e}");
    }
    let text = String::from_utf8_lossy(&raw);
    text.lines().next().unwrap_or_default().to_string()
}

/// Whether the server closed `stream`, waiting at most `seconds`.
fn closed_within(stream: &mut TcpStream, seconds: u64) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(seconds)))
        .unwrap();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            // The read timed out: still open.
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            // Reset or aborted: the server closed it as hard as it may.
            Err(_) => return true,
        }
    }
}

#[test]
fn idle_connections_beyond_the_file_limit_leave_room_and_sigterm_ends_a_half_sent_head() {
    let w = Workspace::new(&["nanyang-2017"]);
    let mut server = Server::start_with_file_limit(&w, 256, &["--as-of", "2017-05-27"]);
    // More connections that send nothing than the server may open files.
    let mut idle: Vec<TcpStream> = (0..320)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    assert!(
        status_line(&server, "/login").contains(" 200 "),
        "a normal request is not answered beside 320 idle connections"
    );
    // The oldest idle ones were closed to make room.
    assert!(
        closed_within(&mut idle[0], 60),
        "the oldest idle connection is still open"
    );
    // The server still answers once the idle ones are many again.
    idle.extend((0..320).map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap()));
    assert!(status_line(&server, "/login").contains(" 200 "));

    // A client holds a half-sent head: SIGTERM still ends the server, and cleanly.
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    assert_eq!(server.terminate_within(60), Some(0));
}

#[test]
fn an_idle_connection_is_closed_by_the_server() {
    let w = Workspace::new(&["nanyang-2017"]);
    let server = Server::start(&w, "2017-05-27");
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    assert!(
        closed_within(&mut stream, 120),
        "an idle connection is still open after two minutes"
    );
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.write_all(b"GET /login HTTP/1.1\r\n").unwrap();
    assert!(
        closed_within(&mut slow, 120),
        "a half-sent head is still waited for after two minutes"
    );
}

#[test]
fn a_request_under_way_at_sigterm_is_answered_before_the_server_ends() {
    let w = Workspace::new(&["nanyang-2017"]);
    let mut server = Server::start(&w, "2017-05-27");
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = "name=a&password=b&csrf=c";
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server asks for the body once the request is being handled.
    let mut buf = [0u8; 64];
    let n = stream.read(&mut buf).unwrap();
    let continued = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(continued.starts_with("HTTP/1.1 100"), "{continued}");
    let stop = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(stop.success());
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    // A reset after the whole answer came is the kernel closing a socket with bytes unread;
    // the answer is what this test asks for, so it is judged by what arrived.
    if let Err(e) = stream.read_to_end(&mut raw) {
        assert!(
            raw.starts_with(b"HTTP/1.1 "),
            "the request under way got no answer: {e}"
        );
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 "), "{text}");
    assert!(!text.starts_with("HTTP/1.1 5"), "{text}");
    assert_eq!(server.terminate_within(60), Some(0));
}
