#!/usr/bin/env python3
"""A national morning across channels: one `duban remind` pass sending, for N late units, a mail
to each unit's liaison, a message to each unit's 企业微信 group robot (calling the liaison out)
and an SMS to each unit's leader — 3N notices — to a local SMTP sink and a local fake of the
robot API and the SMS gateway (HTTP/1.1, keep-alive, answering as the apps do). Beside it, a
baseline measured in the same run: Python sending the very same messages over one connection
each (smtplib for the mails, http.client for the robot and the gateway), with nothing recorded.

    morning.py --duban target/release/duban [--units N] [--rounds R]

Each robot carries one unit, as each county's group has its own: the robots' 20 a minute do not
bind (a robot carrying more is spread over minutes: tests/robots.rs). Ends with one line:

    notices_per_s=… baseline_per_s=… ratio=… sent=M/M mails=… robots=… sms=…

ratio is duban's time over the baseline's; sent counts the distinct messages the fakes received
against the outbox's rows, every one sent once.

Python 3 standard library only.
"""
import argparse
import http.client
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse

from mail import Sink


class Hooks:
    """The robot API and the SMS gateway on one port: each request kept, answered with the
    app's success code."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body go as one: without this each answer waits for a delayed ack.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.startswith("/cgi-bin/webhook/send"):
                    key = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)["key"][0]
                    text = json.loads(body)["text"]["content"]
                    item, answer = ("wecom", key, text), {"errcode": 0, "errmsg": "ok"}
                else:
                    form = urllib.parse.parse_qs(body.decode())
                    item = ("sms", form["PhoneNumbers"][0], form["TemplateParam"][0])
                    answer = {"Code": "OK", "Message": "OK", "BizId": "bench"}
                with hooks.lock:
                    hooks.received.append((self.path, body, item))
                out = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            taken, self.received = self.received, []
        return taken

    def stop(self):
        self.server.shutdown()


def names(n):
    return [f"V{i:06d}" for i in range(1, n + 1)]


def campaign(n):
    out = ['campaign morning "全国早晨" {', "  period 2026-01-01 .. 2026-12-31",
           "  office 办公室", "}", 'unit 办公室 { email "office@bench.example.org" }']
    for i, u in enumerate(names(n), 1):
        out += [f"unit {u} {{",
                f'  liaison "联络员{i}" email "{u.lower()}@bench.example.org" phone "138{i:08d}"',
                f'  leader "领导{i}" phone "139{i:08d}"', "}"]
    out.append("group 各单位 {")
    units = names(n)
    out += ["  " + " ".join(units[i:i + 10]) for i in range(0, n, 10)]
    out.append("}")
    out += ["report 月报 {", "  from 各单位", "  to 办公室", "  due 2026-03-16", "}",
            "提醒 {", "  逾期 1天 通知 联络员 经 邮件、企业微信，分管领导 经 短信", "}", ""]
    return "\n".join(out)


def robots(n):
    return "".join(f'["{u}群"]\nchannel = "企业微信"\nkey = "key-{u}"\nunits = ["{u}"]\n\n'
                   for u in names(n))


def duban_round(duban, n, sink, hooks):
    """Seconds of one `duban remind` pass, what the fakes received, and the outbox's rows."""
    work = tempfile.mkdtemp(prefix="duban-morning-bench-")
    try:
        os.makedirs(os.path.join(work, "campaigns"))
        with open(os.path.join(work, "campaigns", "morning.campaign"), "w", encoding="utf-8") as f:
            f.write(campaign(n))
        with open(os.path.join(work, "robots.toml"), "w", encoding="utf-8") as f:
            f.write(robots(n))
        with open(os.path.join(work, "sms-secret"), "w", encoding="utf-8") as f:
            f.write("bench-secret\n")
        url = f"http://127.0.0.1:{hooks.port}"
        with open(os.path.join(work, "duban.toml"), "w", encoding="utf-8") as f:
            f.write(f'[mail]\nurl = "smtp://127.0.0.1:{sink.port}"\nfrom = "督办 <duban@bench.example.org>"\n'
                    f'[channels]\nrobots_file = "robots.toml"\nwecom_url = "{url}"\n'
                    f'[sms]\nurl = "{url}/sms"\nkey_id = "bench"\nsecret_file = "sms-secret"\n'
                    f'sign_name = "督办"\ntemplate = "SMS_1"\n')
        env = dict(os.environ, RUST_LOG="warn")
        subprocess.run([duban, "sync", "--as-of", "2026-03-17T08:00"], cwd=work, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        sink.take()
        hooks.take()
        started = time.perf_counter()
        run = subprocess.run([duban, "remind", "--as-of", "2026-03-17T09:00"], cwd=work, env=env,
                             capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if run.returncode:
            raise SystemExit(f"duban remind failed: {run.stdout}{run.stderr[-2000:]}")
        mails, posts = sink.take(), hooks.take()
        rows = json.loads(subprocess.run([duban, "outbox", "--all", "--format", "json"], cwd=work,
                                         env=env, check=True, capture_output=True, text=True).stdout)
        return seconds, mails, posts, rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def baseline_round(mails, posts, sink, hooks):
    """Seconds for Python to send the same mails and requests, one connection each."""
    import smtplib
    sink.take()
    hooks.take()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for sender, rcpt, data in mails:
            options = [] if data.isascii() else ["BODY=8BITMIME"]
            smtp.sendmail(sender, rcpt, data, mail_options=options)
    connection = http.client.HTTPConnection("127.0.0.1", hooks.port)
    for path, body, item in posts:
        kind = "application/json" if item[0] == "wecom" else "application/x-www-form-urlencoded"
        connection.request("POST", path, body=body, headers={"Content-Type": kind})
        answer = connection.getresponse().read()
        if b'"errcode": 0' not in answer and b'"OK"' not in answer:
            raise SystemExit(f"the baseline's request was refused: {answer!r}")
    connection.close()
    seconds = time.perf_counter() - started
    if len(sink.take()) != len(mails) or len(hooks.take()) != len(posts):
        raise SystemExit("the baseline's messages did not all arrive")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duban", default="target/release/duban")
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    duban = os.path.abspath(args.duban)
    sink, hooks = Sink(), Hooks()
    ours, theirs, agree = [], [], True
    try:
        for _ in range(args.rounds):
            seconds, mails, posts, rows = duban_round(duban, args.units, sink, hooks)
            robots_got = {(i[1], i[2]) for _, _, i in posts if i[0] == "wecom"}
            sms_got = {i[1] for _, _, i in posts if i[0] == "sms"}
            mail_to = {tuple(r) for _, r, _ in mails}
            n = args.units
            robot_posts = sum(1 for _, _, i in posts if i[0] == "wecom")
            sms_posts = len(posts) - robot_posts
            counts = (len(mails), robot_posts, sms_posts)
            sent_once = sum(1 for r in rows if r["state"] == "sent" and r["attempts"] == 1)
            distinct = len(mail_to) + len(robots_got) + len(sms_got)
            # The office's digest of who is late is a mail too.
            agree &= (len(mails) >= n and robot_posts == len(robots_got) == n
                      and sms_posts == len(sms_got) == n
                      and distinct == len(rows) == sent_once == sum(counts))
            ours.append(seconds)
            theirs.append(baseline_round(mails, posts, sink, hooks))
    finally:
        sink.stop()
        hooks.stop()
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    total = sum(counts)
    print(f"duban remind: {total} messages ({counts[0]} mails, {counts[1]} robot messages, "
          f"{counts[2]} SMS) in {ours_s:.3f} s (rounds: " + ", ".join(f"{s:.3f}" for s in ours) + ")")
    print(f"Python, one connection each: the same in {theirs_s:.3f} s (rounds: "
          + ", ".join(f"{s:.3f}" for s in theirs) + ")")
    print(f"notices_per_s={total / ours_s:.0f} baseline_per_s={total / theirs_s:.0f} "
          f"ratio={ours_s / theirs_s:.2f} sent={distinct}/{len(rows)} mails={counts[0]} "
          f"robots={counts[1]} sms={counts[2]}")
    if not agree:
        print("DISAGREE: a message was not sent once")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
