#!/usr/bin/env python3
"""The web pages under load (issue 13): `duban serve` on the benchmark workload, hit by wrk.

    bench/web.py [--n 1000000] [--duban target/release/duban] [--seconds 30] [--connections 100]

Builds bench/data/nN/web/ afresh from the peer workload (../shared/bench/peers/gen.py, as
bench/measure.py does): the campaign synced and its submissions imported at the workload's as-of
date. Then `duban serve --as-of` it, signs a supervisor and one village's liaison in through the
pages (CSRF and all), and runs wrk with --latency on

  /login         the baseline: a page that reads no records (template, headers, no session)
  /board         the supervisor's board (level by level: the counties)
  /unit/VILLAGE  the liaison's unit page

the three as served by default (a page asked for again is shown again while nothing changed:
web/kept.rs), then the board and the unit page once more from a server that keeps no page
(`kept_pages_seconds = 0`, shown as board* and unit*: each page made afresh); each for --seconds
at --connections, reporting p50, p99, requests/s and errors (non-2xx/3xx and
socket errors). Then 200 submissions at once through the JSON API, each for a different overdue
obligation: all must answer 201 and all 200 must be in the records (counted with the sqlite3
CLI). The last line is the summary:

  board_p99_ms=… unit_p99_ms=… login_p99_ms=… board_ratio=… unit_ratio=… board_made_ratio=…
  unit_made_ratio=… errors=0 submissions=200/200

Python 3 standard library, wrk (Debian's) and the sqlite3 CLI.
"""
import argparse
import concurrent.futures
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SEED, AS_OF, YEAR = 20250101, "2025-06-23", 2025


def prepare(n, peers, duban):
    data = os.path.join(HERE, "data", f"n{n}")
    os.makedirs(data, exist_ok=True)
    manifest = os.path.join(data, "manifest.json")
    try:
        m = json.load(open(manifest))
        fresh = (m["n"], m["seed"], m["as_of"]) == (n, SEED, AS_OF)
    except (OSError, ValueError, KeyError):
        fresh = False
    if not fresh:
        subprocess.run([sys.executable, os.path.join(peers, "gen.py"), "--n", str(n), "--seed", str(SEED),
                        "--as-of", AS_OF, "--year", str(YEAR), "--out", data],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), data], check=True)
    work = os.path.join(data, "web")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "campaigns"))
    for name in ("bench.campaign", "bench.contacts.toml"):
        shutil.copy(os.path.join(data, name), os.path.join(work, "campaigns", name))
    run(duban, work, "sync", "--as-of", AS_OF)
    run(duban, work, "import", os.path.join(data, "submissions.jsonl"), "--as-of", AS_OF)
    expected = json.load(open(os.path.join(data, "expected.json"), encoding="utf-8"))
    return work, expected


def env():
    e = dict(os.environ, NO_COLOR="1")
    e.pop("DUBAN_CONFIG", None)
    e.pop("DUBAN_DB", None)
    return e


def run(duban, work, *args):
    done = subprocess.run([duban, *args], cwd=work, env=env(), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"duban {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def sign_in(base, link, name, password):
    """A session cookie, by the pages: the one-time link's form, then the sign-in form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = link.rsplit("token=", 1)[1]
    opener.open(f"{base}/set-password?token={token}").read()
    csrf = next(c.value for c in jar if c.name == "duban_csrf")
    form = lambda d: urllib.parse.urlencode(d).encode()
    opener.open(f"{base}/set-password", form({"token": token, "password": password, "csrf": csrf})).read()
    opener.open(f"{base}/login", form({"name": name, "password": password, "csrf": csrf})).read()
    session = next(c.value for c in jar if c.name == "duban_session")
    return f"duban_session={session}"


def seconds(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def wrk(url, cookie, duration, connections):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(x) for x in socket.groups())
    return {
        "p50_ms": seconds(latency["50"]) * 1e3,
        "p99_ms": seconds(latency["99"]) * 1e3,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": errors,
    }


def submissions(base, token, overdue, count):
    """`count` submissions at once, each of a different overdue obligation: the status codes."""
    def submit(key):
        unit, deliverable, period = key
        body = json.dumps({"campaign": "bench", "deliverable": deliverable, "unit": unit,
                           "period": period, "at": f"{AS_OF}T10:00"}).encode()
        request = urllib.request.Request(f"{base}/api/v1/submissions", body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                return reply.status
        except urllib.error.HTTPError as e:
            return e.code
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(submit, overdue[:count]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--duban", default="target/release/duban")
    p.add_argument("--peers-dir", default=os.path.join(HERE, "..", "..", "shared", "bench", "peers"))
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--submissions", type=int, default=200)
    args = p.parse_args()
    duban = os.path.abspath(args.duban)
    work, expected = prepare(args.n, args.peers_dir, duban)
    village = expected["overdue"][0][0]
    links = {
        "督导": run(duban, work, "user", "add", "督导", "--role", "supervisor").strip(),
        "联络员": run(duban, work, "user", "add", "联络员", "--unit", village, "--role", "liaison").strip(),
    }
    token = run(duban, work, "token", "create", "--role", "office").split()[-1]
    config = os.path.join(work, "duban.toml")
    cookies, results, codes = {}, {}, []
    # First as served by default, the pages kept while nothing changes (web/kept.rs) — the page
    # asked for again; then with none kept (kept_pages_seconds = 0): each page made afresh, as
    # the first page of each of a hundred clerks is.
    for kept in (True, False):
        with open(config, "w") as f:
            f.write("" if kept else "kept_pages_seconds = 0\n")
        server = subprocess.Popen([duban, "serve", "--listen", "127.0.0.1:0", "--as-of", f"{AS_OF}T09:00"],
                                  cwd=work, env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            base = server.stdout.readline().strip().split()[-1]
            if not cookies:
                cookies = {name: sign_in(base, link, name, f"{name}的压力测试密码12345")
                           for name, link in links.items()}
            unit_url = f"{base}/unit/{urllib.parse.quote(village)}"
            # Warm up: the first board is made here, as a node's first request makes it.
            for url, cookie in ((f"{base}/board", cookies["督导"]), (unit_url, cookies["联络员"])):
                req = urllib.request.Request(url, headers={"Cookie": cookie})
                with urllib.request.urlopen(req, timeout=300) as reply:
                    assert reply.status == 200, url
            if kept:
                results["login"] = wrk(f"{base}/login", "", args.seconds, args.connections)
                results["board"] = wrk(f"{base}/board", cookies["督导"], args.seconds, args.connections)
                results["unit"] = wrk(unit_url, cookies["联络员"], args.seconds, args.connections)
            else:
                results["board*"] = wrk(f"{base}/board", cookies["督导"], args.seconds, args.connections)
                results["unit*"] = wrk(unit_url, cookies["联络员"], args.seconds, args.connections)
                codes = submissions(base, token, expected["overdue"], args.submissions)
        finally:
            server.terminate()
            server.wait()
    os.remove(config)
    recorded = subprocess.run(
        ["sqlite3", os.path.join(work, "duban.db"),
         "SELECT count(*) FROM events WHERE kind = 'submitted' AND actor LIKE 'token:%'"],
        capture_output=True, text=True, check=True).stdout.strip()
    for name, r in results.items():
        print(f"{name:7} p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  "
              f"{r['rps']:9.1f} req/s  {r['requests']} requests  {r['errors']} errors")
    created = sum(1 for c in codes if c == 201)
    print(f"submissions: {created} of {len(codes)} answered 201 ({sorted(set(codes))}); {recorded} recorded")
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    json.dump({"n": args.n, "seconds": args.seconds, "connections": args.connections, "results": results,
               "submissions": {"sent": len(codes), "created": created, "recorded": int(recorded)}},
              open(os.path.join(out, f"web-n{args.n}.json"), "w"), indent=1)
    errors = sum(r["errors"] for r in results.values())
    print(f"board_p99_ms={results['board']['p99_ms']:.1f} unit_p99_ms={results['unit']['p99_ms']:.1f} "
          f"login_p99_ms={results['login']['p99_ms']:.1f} "
          f"board_ratio={results['board']['p99_ms'] / results['login']['p99_ms']:.1f} "
          f"unit_ratio={results['unit']['p99_ms'] / results['login']['p99_ms']:.1f} "
          f"board_made_ratio={results['board*']['p99_ms'] / results['login']['p99_ms']:.1f} "
          f"unit_made_ratio={results['unit*']['p99_ms'] / results['login']['p99_ms']:.1f} "
          f"errors={errors} submissions={recorded}/{len(codes)}")


if __name__ == "__main__":
    main()
