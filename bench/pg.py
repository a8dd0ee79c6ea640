"""The PostgreSQL column of the benchmark (measure.py --postgres): duban against the psql CLI
on one PostgreSQL server, in the same run.

A server is initialised from this machine's binaries (/usr/lib/postgresql/*/bin, or
$DUBAN_BENCH_PG_BIN) into a temporary folder, listening on a Unix socket there only, as
`nobody` when run as root (initdb refuses root), with the settings a dedicated database
machine would have for durability (fsync on). Then, on the same workload as the SQLite part:

  sync          duban's first sync into an empty database  vs  psql's \\copy of the same rows
  overdue       duban overdue --format csv                 vs  the same query in psql
  due-soon      duban due --within 3d --format csv         vs  the same query in psql
  re-sync       one deadline of the campaign file moved, synced again (as in the SQLite part)
  two passes    two `duban remind` at once against one database, mailing a local sink: each
                notice once (the outbox says so), and the wall time of both

Python 3 standard library only.
"""
import contextlib
import glob
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time


def binaries():
    given = os.environ.get("DUBAN_BENCH_PG_BIN")
    if given:
        return given
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def as_user(cmd):
    return ["runuser", "-u", "nobody", "--", *cmd] if os.getuid() == 0 else cmd


@contextlib.contextmanager
def server():
    """A running server; yields the folder of its socket."""
    bin_dir = binaries()
    folder = tempfile.mkdtemp(prefix="duban-bench-pg-", dir="/tmp")
    if os.getuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    data = os.path.join(folder, "data")
    subprocess.run(as_user([f"{bin_dir}/initdb", "-A", "trust", "-U", "duban", "-E", "UTF8", "-D", data]),
                   check=True, stdout=subprocess.DEVNULL)
    # Statements slower than half a second are logged: the log is kept as bench/out/pg.log.
    options = (f"-k {folder} -c listen_addresses= -c shared_buffers=1GB -c max_wal_size=8GB -c work_mem=64MB"
               " -c log_min_duration_statement=500")
    subprocess.run(as_user([f"{bin_dir}/pg_ctl", "-D", data, "-l", f"{folder}/log", "-w", "-o", options, "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    try:
        yield folder
    finally:
        subprocess.run(as_user([f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
        os.makedirs(out, exist_ok=True)
        shutil.copy(f"{folder}/log", os.path.join(out, "pg.log"))
        shutil.rmtree(folder, ignore_errors=True)


def url(folder, db):
    return f"postgresql://duban@/{db}?host={folder}"


def psql(folder, db, *args):
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder, "-U", "duban", "-d", db, *args]


def recreate(folder, db):
    subprocess.run(psql(folder, "postgres", "-c", "SET client_min_messages = warning",
                        "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"),
                   check=True, stdout=subprocess.DEVNULL)


def smtp_sink():
    """A local SMTP server that accepts every mail at once: (port, stop)."""
    import socket
    import socketserver

    class Handler(socketserver.StreamRequestHandler):
        def setup(self):
            super().setup()
            # Replies go at once: with Nagle's algorithm each would wait for a delayed ack.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def handle(self):
            self.wfile.write(b"220 sink\r\n")
            data = False
            for line in self.rfile:
                if data:
                    if line in (b".\r\n", b".\n"):
                        data = False
                        self.wfile.write(b"250 ok\r\n")
                    continue
                verb = line[:4].upper()
                if verb == b"DATA":
                    data = True
                    self.wfile.write(b"354 go on\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                elif verb in (b"EHLO", b"HELO"):
                    self.wfile.write(b"250 sink\r\n")
                else:
                    self.wfile.write(b"250 ok\r\n")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    sink = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    return sink.server_address[1], sink.shutdown


def measure(results, m, data, counts, expected_keys, work_files, as_of, soon_end, min_runs):
    """Adds the PostgreSQL rows to `results`; returns the summary's PostgreSQL entries.
    `m` is measure.py (for timed, interleaved, once, lines)."""
    summary = {}
    with server() as folder:
        work = tempfile.mkdtemp(prefix="duban-bench-pg-work-")
        try:
            os.makedirs(os.path.join(work, "campaigns"))
            for path in work_files:
                shutil.copy(path, os.path.join(work, "campaigns", os.path.basename(path)))
            env = dict(os.environ, NO_COLOR="1", DUBAN_DB=url(folder, "duban"))
            env.pop("DUBAN_CONFIG", None)
            d = lambda *a: [m.DUBAN, *a]

            # A first sync, against COPY of the same rows into a table of the same shape as the
            # SQLite baseline's.
            recreate(folder, "duban")
            m.once(results, "duban-pg", "sync", d("sync", "--as-of", as_of), cwd=work, env=env)
            csv_path = os.path.join(work, "obligations.csv")
            with open(os.path.join(data, "obligations.jsonl")) as src, open(csv_path, "w") as out:
                for line in src:
                    o = json.loads(line)
                    out.write(f"{o['id']},{o['unit']},{o['deliverable']},{o['due']},{int(o['submitted'])}\n")
            recreate(folder, "baseline")
            subprocess.run(psql(folder, "baseline", "-c",
                                "CREATE TABLE obligations(id BIGINT PRIMARY KEY, unit TEXT NOT NULL, "
                                "deliverable TEXT NOT NULL, due TEXT NOT NULL, submitted INT NOT NULL)"),
                           check=True, stdout=subprocess.DEVNULL)
            load = psql(folder, "baseline", "-c", f"\\copy obligations FROM '{csv_path}' CSV",
                        "-c", "CREATE INDEX ON obligations (submitted, due)", "-c", "ANALYZE obligations")
            m.once(results, "psql", "load (COPY)", load)

            # Submissions as in the SQLite part, so that both answer the same questions.
            subprocess.run(d("import", os.path.join(data, "submissions.jsonl"), "--as-of", as_of),
                           cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
            select = "SELECT id, unit, deliverable, due FROM obligations WHERE submitted = 0 AND"
            csv_rows = lambda o: m.lines(o) - 1
            outs = m.interleaved(results, [
                ("duban-pg", "overdue", d("overdue", "--as-of", as_of, "--format", "csv"), work, env, csv_rows,
                 counts["overdue"]),
                ("psql", "overdue", psql(folder, "baseline", "-At", "-c",
                                         f"{select} due < '{as_of}' ORDER BY due, id"),
                 None, None, m.lines, counts["overdue"]),
                ("duban-pg", "due-soon", d("due", "--within", "3d", "--as-of", as_of, "--format", "csv"), work,
                 env, csv_rows, counts["due_soon"]),
                ("psql", "due-soon", psql(folder, "baseline", "-At", "-c",
                                          f"{select} due BETWEEN '{as_of}' AND '{soon_end}' ORDER BY due, id"),
                 None, None, m.lines, counts["due_soon"]),
            ], min_runs)
            agree = expected_keys(outs[("duban-pg", "overdue")], outs[("duban-pg", "due-soon")])

            # One deadline moved in the campaign file, as in the SQLite part; then put back.
            path = os.path.join(work, "campaigns", "bench.campaign")
            original = open(path, encoding="utf-8").read()
            edited = original.replace("due every month by day 25", "due every month by day 24", 1)
            assert edited != original
            with open(path, "w", encoding="utf-8") as f:
                f.write(edited)
            seconds, code, _ = m.timed(d("sync", "--as-of", as_of), cwd=work, env=env)
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
            if code or m.timed(d("sync", "--as-of", as_of), cwd=work, env=env)[1]:
                raise SystemExit("duban sync on PostgreSQL around a moved deadline failed")
            results.add("duban-pg", "re-sync (one deadline moved)", seconds, 1, 0)

            # Two passes racing on one database: at 1M, whose morning has 30,000 mails, only if
            # asked (see BENCHMARKS.md, "Mail throughput").
            race = counts["total"] <= 100_000 or os.environ.get("DUBAN_BENCH_RACE_1M")
            if race:
                port, stop = smtp_sink()
                with open(os.path.join(work, "duban.toml"), "w") as f:
                    f.write(f'[mail]\nurl = "smtp://127.0.0.1:{port}"\nfrom = "督办 <duban@example.org>"\n')
                pass_cmd = d("remind", "--as-of", f"{as_of}T09:00")
                started = time.perf_counter()
                racers = [subprocess.Popen(pass_cmd, cwd=work, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE) for _ in range(2)]
                outputs = [p.communicate() for p in racers]
                seconds = time.perf_counter() - started
                stop()
                if any(p.returncode for p in racers):
                    raise SystemExit("a racing pass failed: " + " | ".join(e.decode()[-500:] for _, e in outputs))
                states = subprocess.run(psql(folder, "duban", "-At", "-c",
                                             "SELECT count(*), count(*) FILTER (WHERE state = 'sent' AND attempts = 1), "
                                             "(SELECT count(*) FROM notices), "
                                             "(SELECT count(DISTINCT (obligation_id, stage, due_date, recipient)) FROM notices) "
                                             "FROM mails"),
                                        check=True, capture_output=True, text=True).stdout.strip().split("|")
                mails, once_sent, notices, distinct = map(int, states)
                each_once = mails == once_sent and notices == distinct
                results.add("duban-pg", "two passes at once", seconds, 1, 0, rows=once_sent, expected=mails)
            r = lambda tool, op: results.get(tool, op)["median_s"]
            summary.update(
                pg_overdue_ratio=r("duban-pg", "overdue") / r("psql", "overdue"),
                pg_due_ratio=r("duban-pg", "due-soon") / r("psql", "due-soon"),
                pg_sync_ratio=r("duban-pg", "sync") / r("psql", "load (COPY)"),
                pg_two_passes_s=results.get("duban-pg", "two passes at once")["median_s"] if race else 0.0,
                pg_edit_resync_s=r("duban-pg", "re-sync (one deadline moved)"),
                pg_mails=mails if race else None,
                pg_agree=agree and (each_once if race else True),
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return summary
