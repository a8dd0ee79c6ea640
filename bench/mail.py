#!/usr/bin/env python3
"""Mail throughput: one duban pass (`duban remind`: plan, render, queue, send, each mail's claim
and its being sent recorded before the next) against a local SMTP sink, beside a baseline
measured in the same run: Python's smtplib sending the very same messages to the same sink over
one connection, with nothing recorded.

    mail.py --duban target/release/duban [--mails N] [--rounds R] [--postgres]

The campaign has N units, each with its own mailbox, owing one report due in three days: the
pass sends one reminder to each. Each round uses a new workspace; the medians are compared.
Ends with one line:

    mails_per_s=… baseline_per_s=… ratio=… sent=N/N

ratio is duban's time over the baseline's (1.0: as fast as smtplib); sent counts the distinct
Message-IDs the sink received against the mails the outbox holds, all of them sent once. With
--postgres the records are in a PostgreSQL 15 server started for the run (as bench/pg.py does),
and a second line of the same form, prefixed `pg_`, follows.

Python 3 standard library only.
"""
import argparse
import os
import re
import shutil
import smtplib
import socket
import socketserver
import statistics
import subprocess
import tempfile
import threading
import time


class Sink:
    """A local SMTP server that accepts every mail at once and keeps what it received."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def setup(self):
                super().setup()
                # Replies go at once: with Nagle's algorithm each would wait for a delayed ack.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def handle(self):
                write = self.wfile.write
                write(b"220 sink\r\n")
                sender, rcpt, data = None, [], None
                for line in self.rfile:
                    if data is not None:
                        if line == b".\r\n":
                            with sink.lock:
                                sink.messages.append((sender, rcpt, b"".join(data)))
                            sender, rcpt, data = None, [], None
                            write(b"250 2.0.0 queued\r\n")
                        else:
                            data.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        data = []
                        write(b"354 go on\r\n")
                    elif verb == b"MAIL":
                        sender = re.search(rb"<([^>]*)>", line).group(1).decode()
                        write(b"250 ok\r\n")
                    elif verb == b"RCPT":
                        rcpt.append(re.search(rb"<([^>]*)>", line).group(1).decode())
                        write(b"250 ok\r\n")
                    elif verb == b"QUIT":
                        write(b"221 bye\r\n")
                        return
                    elif verb in (b"EHLO", b"HELO"):
                        write(b"250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n")
                    else:
                        write(b"250 ok\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            taken, self.messages = self.messages, []
        return taken

    def stop(self):
        self.server.shutdown()


def campaign(n):
    out = ['campaign mailbench "mail benchmark" {', "  period 2026-01-01 .. 2026-12-31",
           "  office 办公室", "}", 'unit 办公室 { email "office@bench.example.org" }']
    names = [f"V{i:06d}" for i in range(1, n + 1)]
    out += [f'unit {u} {{ email "{u.lower()}@bench.example.org" }}' for u in names]
    out.append("group 各单位 {")
    out += ["  " + " ".join(names[i:i + 10]) for i in range(0, n, 10)]
    out.append("}")
    out += ["report 月报 {", "  from 各单位", "  to 办公室", "  due 2026-03-20", "}", ""]
    return "\n".join(out)


def duban_round(duban, n, sink, database=None):
    """Seconds of one `duban remind` sending n mails, and the messages the sink received; the
    records in a new SQLite file, or in the PostgreSQL database `database` names (made anew)."""
    work = tempfile.mkdtemp(prefix="duban-mail-bench-")
    try:
        os.makedirs(os.path.join(work, "campaigns"))
        with open(os.path.join(work, "campaigns", "mailbench.campaign"), "w", encoding="utf-8") as f:
            f.write(campaign(n))
        with open(os.path.join(work, "duban.toml"), "w", encoding="utf-8") as f:
            if database:
                f.write(f'database = "{database()}"\n')
            f.write(f'[mail]\nurl = "smtp://127.0.0.1:{sink.port}"\nfrom = "督办 <duban@bench.example.org>"\n')
        env = dict(os.environ, RUST_LOG="warn")
        subprocess.run([duban, "sync", "--as-of", "2026-03-17T08:00"], cwd=work, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        sink.take()
        started = time.perf_counter()
        run = subprocess.run([duban, "remind", "--as-of", "2026-03-17T09:00"], cwd=work, env=env,
                             capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if run.returncode:
            raise SystemExit(f"duban remind failed: {run.stdout}{run.stderr[-2000:]}")
        received = sink.take()
        outbox = subprocess.run([duban, "outbox", "--all", "--format", "json"], cwd=work, env=env,
                                check=True, capture_output=True, text=True).stdout
        import json
        rows = json.loads(outbox)
        sent_once = sum(1 for r in rows if r["state"] == "sent" and r["attempts"] == 1)
        return seconds, received, len(rows), sent_once
    finally:
        shutil.rmtree(work, ignore_errors=True)


def baseline_round(messages, sink):
    """Seconds for smtplib to send `messages` to the sink over one connection."""
    sink.take()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for sender, rcpt, data in messages:
            options = [] if data.isascii() else ["BODY=8BITMIME"]
            smtp.sendmail(sender, rcpt, data, mail_options=options)
    seconds = time.perf_counter() - started
    if len(sink.take()) != len(messages):
        raise SystemExit("the baseline's messages did not all arrive")
    return seconds


def measure(duban, n, rounds, sink, database=None, prefix=""):
    """Rounds of duban and the baseline: the summary line, and whether every mail went once."""
    ours, theirs, agree = [], [], True
    distinct, expected = 0, 0
    for _ in range(rounds):
        seconds, received, rows, sent_once = duban_round(duban, n, sink, database)
        ids = {re.search(rb"(?im)^Message-ID:\s*(\S+)", d).group(1) for _, _, d in received}
        distinct, expected = len(ids), rows
        agree &= len(received) == rows == sent_once == len(ids) and rows >= n
        ours.append(seconds)
        theirs.append(baseline_round(received, sink))
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    engine = "PostgreSQL" if database else "SQLite"
    print(f"duban remind ({engine}): {expected} mails in {ours_s:.3f} s (rounds: "
          + ", ".join(f"{s:.3f}" for s in ours) + ")")
    print(f"smtplib, one connection: {expected} mails in {theirs_s:.3f} s (rounds: "
          + ", ".join(f"{s:.3f}" for s in theirs) + ")")
    line = (f"{prefix}mails_per_s={expected / ours_s:.0f} {prefix}baseline_per_s={expected / theirs_s:.0f} "
            f"{prefix}ratio={ours_s / theirs_s:.2f} {prefix}sent={distinct}/{expected}")
    return line, agree


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duban", default="target/release/duban")
    parser.add_argument("--mails", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    duban = os.path.abspath(args.duban)
    sink = Sink()
    try:
        lines = [measure(duban, args.mails, args.rounds, sink)]
        if args.postgres:
            import pg
            with pg.server() as folder:
                made = [0]

                def database():
                    made[0] += 1
                    name = f"mail{made[0]}"
                    pg.recreate(folder, name)
                    return pg.url(folder, name)

                lines.insert(0, measure(duban, args.mails, args.rounds, sink, database, "pg_"))
    finally:
        sink.stop()
    for line, _ in lines:
        print(line)
    if not all(agree for _, agree in lines):
        print("DISAGREE: a mail was not sent once")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
