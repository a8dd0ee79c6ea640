//! A real PostgreSQL server for the tests: this machine's server binaries
//! (`/usr/lib/postgresql/<version>/bin`, or `$DUBAN_TEST_PG_BIN`), initialised into a temporary
//! folder and listening only on a Unix socket there. `initdb` refuses to run as root, so as root
//! the server runs as `nobody`. One server per test process, started when first needed; a
//! watchdog stops it and removes its folder when the process ends, however it ends. Each test
//! gets a database of its own.
//!
//! Without the binaries the suite fails, saying what to install — unless
//! `DUBAN_TEST_POSTGRES=skip` asks to skip it, which each skipped test then says out loud.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A running server.
pub struct Server {
    /// The folder holding its data and its socket.
    dir: PathBuf,
}

/// The folder with `initdb`, `pg_ctl` and `postgres`.
fn binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DUBAN_TEST_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program` with `args`, as `nobody` when the tests run as root.
fn unprivileged(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "nobody", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Server, String> {
    let bin = binaries().ok_or(
        "no PostgreSQL server binaries under /usr/lib/postgresql: install them \
         (apt-get install postgresql-15), point DUBAN_TEST_PG_BIN at them, or set \
         DUBAN_TEST_POSTGRES=skip to skip the PostgreSQL suite knowingly",
    )?;
    let dir = tempfile::Builder::new()
        .prefix("duban-pg-")
        .tempdir_in("/tmp")
        .map_err(|e| e.to_string())?
        .keep();
    if is_root() {
        let status = Command::new("chown")
            .args(["nobody:nogroup"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cannot hand {} to nobody", dir.display()));
        }
    }
    let data = dir.join("data");
    let output = unprivileged(&bin.join("initdb"))
        .args([
            "-A",
            "trust",
            "-U",
            "duban",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // The watchdog: stops the server and removes its folder once this process is gone. Without
    // fsync a crash of the machine would lose data, a crash of the server would not (the
    // restart test's): what was committed is in the operating system's cache.
    let script = r#"
        "$1/pg_ctl" -D "$2/data" -l "$2/log" -w -o "-k $2 -c listen_addresses= -c fsync=off \
            -c full_page_writes=off -c max_connections=300" start
        while [ -d "/proc/$3" ]; do sleep 0.5; done
        "$1/pg_ctl" -D "$2/data" -m immediate -w stop; rm -rf "$2"
    "#;
    unprivileged(Path::new("/bin/sh"))
        .args(["-c", script, "sh"])
        .arg(&bin)
        .arg(&dir)
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let server = Server { dir };
    for _ in 0..200 {
        if postgres::Client::connect(&server.url("postgres"), postgres::NoTls).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(server.dir.join("log")).unwrap_or_default();
    Err(format!("postgres did not start within 10 s:\n{log}"))
}

impl Server {
    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgresql://duban@/{name}?host={}", self.dir.display())
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}", NEXT.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the test server takes connections");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a new database");
        self.url(&name)
    }

    /// A new, empty database on a server listening on `port` (see [`own_with_tls`]); its name.
    pub fn database_on_port(&self, port: u16) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("tls{}", NEXT.fetch_add(1, Ordering::SeqCst));
        let admin_url = format!(
            "postgresql://duban@/postgres?host={}&port={port}",
            self.dir.display()
        );
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
            .expect("the test server takes connections on its socket");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a new database");
        name
    }

    /// Stops the server at once (as a crash would), leaving it down until [`start`](Self::start).
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }

    /// Starts the server stopped by [`stop`](Self::stop) again, on the same data.
    pub fn start(&self) {
        let options = format!(
            "-k {} -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_connections=300",
            self.dir.display()
        );
        self.pg_ctl(&["-w", "-o", &options, "start"]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let bin = binaries().expect("the server runs");
        let run = unprivileged(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(args)
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }

    /// Ends every other session on database `url` (`pg_terminate_backend`), as an
    /// administrator or a failover would; how many it ended.
    pub fn terminate_sessions(url: &str) -> i64 {
        let mut admin = postgres::Client::connect(url, postgres::NoTls).expect("the server runs");
        admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .expect("sessions ended")
            .get(0)
    }

    /// Stops the server at once (as a crash would), then starts it again on the same data.
    pub fn restart(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "restart"]);
    }
}

/// The shared test server, started on first use; `None` when the suite is skipped knowingly.
pub fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    usable(SERVER.get_or_init(start).as_ref())
}

/// A server of the caller's own, for a test that stops it; `None` when skipped knowingly.
pub fn own() -> Option<Server> {
    let started = start();
    usable(started.as_ref())?;
    started.ok()
}

fn usable<T>(started: Result<T, &String>) -> Option<T> {
    match started {
        Ok(server) => Some(server),
        Err(why) if std::env::var("DUBAN_TEST_POSTGRES").as_deref() == Ok("skip") => {
            eprintln!("SKIPPED: the PostgreSQL suite did not run ({why})");
            None
        }
        Err(why) => panic!("the PostgreSQL suite cannot run: {why}"),
    }
}

/// A new, empty database on the test server; `None` when the suite is skipped knowingly.
pub fn database() -> Option<String> {
    server().map(Server::database)
}

/// A server of the caller's own that takes connections over TCP on `localhost` only with TLS
/// (`hostssl` in pg_hba.conf: a plain connection is refused), presenting `cert` (PEM, with
/// the chain) and `key`; and its port. `None` when the suite is skipped knowingly.
pub fn own_with_tls(cert: &str, key: &str) -> Option<(Server, u16)> {
    let server = own()?;
    let data = server.dir.join("data");
    std::fs::write(data.join("server.crt"), cert).unwrap();
    std::fs::write(data.join("server.key"), key).unwrap();
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
    )
    .unwrap();
    if is_root() {
        let status = Command::new("chown")
            .args(["nobody:nogroup"])
            .arg(data.join("server.crt"))
            .arg(data.join("server.key"))
            .status()
            .unwrap();
        assert!(status.success());
    }
    let status = Command::new("chmod")
        .arg("600")
        .arg(data.join("server.key"))
        .status()
        .unwrap();
    assert!(status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = format!(
        "-k {} -c listen_addresses=localhost -c port={port} -c ssl=on -c fsync=off \
         -c full_page_writes=off -c max_connections=300",
        server.dir.display()
    );
    server.pg_ctl(&["-m", "fast", "-w", "-o", &options, "restart"]);
    Some((server, port))
}
