#!/usr/bin/env python3
"""Measures duban against the sqlite3 CLI (and, if asked, Taskwarrior and Remind) on one size of
the peer benchmark's workload. Called by bench/run.sh; see BENCHMARKS.md.

    measure.py --n N --duban PATH [--peers] [--min-runs 5]

Every timed command is run at least --min-runs times (and for at least a second in total, for
the fast ones); the median wall time is reported, with the peak RSS of one more run under GNU
time. The daily questions (overdue, due soon, a planning pass) run in rounds with the sqlite3
baseline's queries, one of each per round, so that a slow spell of a shared machine weighs on
both sides of a ratio. One-time operations (a first sync, an import, a load) run once on fresh
data.
The last line is a summary:  overdue_ratio=… due_ratio=… sync_ratio=… plan_s=… rss_mib=… counts=…

Python 3 standard library only.
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DUBAN = None  # the duban binary measured, set by main
AS_OF = "2025-06-23"
SEED = 20250101
YEAR = 2025


def timed(cmd, cwd=None, env=None):
    """Runs cmd once: (seconds, exit code, stdout bytes). Output goes to a file, as a user
    redirecting it would."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        code = subprocess.call(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        out.seek(0)
        data = out.read()
        if code != 0:
            err.seek(0)
            sys.stderr.write(f"FAILED ({code}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-3000:]}\n")
    return seconds, code, data


def peak_rss(cmd, cwd=None, env=None):
    """Peak RSS (KiB) of one run, from GNU time (its own fork is small, unlike Python's)."""
    if not os.access("/usr/bin/time", os.X_OK):
        return 0
    with tempfile.NamedTemporaryFile() as report:
        subprocess.call(["/usr/bin/time", "-f", "%M", "-o", report.name, *cmd], cwd=cwd, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            return int(open(report.name).read().split()[-1])
        except (ValueError, IndexError):
            return 0


class Results:
    def __init__(self, n):
        self.n = n
        self.rows = []

    def add(self, tool, op, seconds, runs, rss_kib, rows=None, expected=None):
        agree = None if expected is None else rows == expected
        self.rows.append(dict(tool=tool, op=op, median_s=seconds, runs=runs, rss_mib=rss_kib / 1024,
                              rows=rows, expected=expected, agree=agree))
        shown = "" if expected is None else f"  rows={rows} expected={expected} {'ok' if agree else 'DIFFERENT'}"
        print(f"  {tool:11} {op:24} {seconds * 1000:10.1f} ms  x{runs:<3} {rss_kib / 1024:7.1f} MiB{shown}", flush=True)

    def get(self, tool, op):
        for r in self.rows:
            if r["tool"] == tool and r["op"] == op:
                return r
        return None


def repeat(results, tool, op, cmd, min_runs, cwd=None, env=None, count=None, expected=None):
    """Times a repeatable command: median of at least min_runs runs and one second."""
    spec = (tool, op, cmd, cwd, env, count, expected)
    return interleaved(results, [spec], min_runs, min_seconds=1.0)[(tool, op)]


def interleaved(results, specs, min_runs, min_seconds=2.0):
    """Times several repeatable commands in rounds, one run of each per round, so that a slow
    spell of the machine weighs on all of them alike: medians of at least min_runs rounds and
    min_seconds. A spec is (tool, op, cmd, cwd, env, count, expected); returns each one's last
    output, by (tool, op)."""
    times = {(tool, op): [] for tool, op, *_ in specs}
    outs = {}
    started = time.perf_counter()
    rounds = 0
    while rounds < min_runs or (time.perf_counter() - started < min_seconds and rounds < 50):
        for tool, op, cmd, cwd, env, _, _ in specs:
            seconds, code, outs[(tool, op)] = timed(cmd, cwd=cwd, env=env)
            if code != 0:
                raise SystemExit(f"{tool} {op} failed")
            times[(tool, op)].append(seconds)
        rounds += 1
    for tool, op, cmd, cwd, env, count, expected in specs:
        rows = count(outs[(tool, op)]) if count else None
        results.add(tool, op, statistics.median(times[(tool, op)]), rounds, peak_rss(cmd, cwd, env), rows, expected)
    return outs


def once(results, tool, op, cmd, cwd=None, env=None, rows=None, expected=None, undo=None):
    """Times a one-time operation; `undo` restores the state before it, so that a second run
    under GNU time can measure its memory."""
    seconds, code, out = timed(cmd, cwd=cwd, env=env)
    if code != 0:
        raise SystemExit(f"{tool} {op} failed")
    rss = 0
    if undo:
        undo()
        rss = peak_rss(cmd, cwd, env)
    results.add(tool, op, seconds, 1, rss, rows() if rows else None, expected)
    return out


def lines(out):
    return sum(1 for line in out.decode().splitlines() if line.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--duban", required=True)
    ap.add_argument("--peers-dir", default=os.path.join(HERE, "..", "..", "shared", "bench", "peers"))
    ap.add_argument("--peers", action="store_true", help="also time Taskwarrior and Remind")
    ap.add_argument("--min-runs", type=int, default=5)
    ap.add_argument("--postgres", action="store_true", help="also time duban on PostgreSQL against psql")
    ap.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL column")
    args = ap.parse_args()
    duban = os.path.abspath(args.duban)
    global DUBAN
    DUBAN = duban
    data = os.path.join(HERE, "data", f"n{args.n}")
    os.makedirs(data, exist_ok=True)

    manifest_path = os.path.join(data, "manifest.json")
    try:
        manifest = json.load(open(manifest_path))
        fresh = (manifest["n"], manifest["seed"], manifest["as_of"]) == (args.n, SEED, AS_OF)
    except (OSError, ValueError, KeyError):
        fresh = False
    if not fresh:
        subprocess.run([sys.executable, os.path.join(args.peers_dir, "gen.py"), "--n", str(args.n),
                        "--seed", str(SEED), "--as-of", AS_OF, "--year", str(YEAR), "--out", data],
                       check=True, stdout=subprocess.DEVNULL)
    manifest = json.load(open(manifest_path))
    subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), data], check=True)
    expected = json.load(open(os.path.join(data, "expected.json"), encoding="utf-8"))
    counts = manifest["counts"]
    assert len(expected["overdue"]) == counts["overdue"] and len(expected["due_soon"]) == counts["due_soon"]

    results = Results(args.n)
    print(f"N={args.n}: {counts['units']} units, {counts['total']} obligations, "
          f"{counts['overdue']} overdue, {counts['due_soon']} due soon at {AS_OF}", flush=True)

    soon_end = (dt.date.fromisoformat(AS_OF) + dt.timedelta(days=3)).isoformat()
    keys = lambda out: sorted([r["unit"], r["deliverable"], r["period"]] for r in csv.DictReader(io.StringIO(out.decode())))
    if args.postgres_only:
        return postgres(results, data, counts, expected, keys, soon_end, args.min_runs)

    # ---- duban
    work = os.path.join(data, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "campaigns"))
    for name in ("bench.campaign", "bench.contacts.toml"):
        shutil.copy(os.path.join(data, name), os.path.join(work, "campaigns", name))
    env = dict(os.environ, NO_COLOR="1")
    env.pop("DUBAN_CONFIG", None)
    env.pop("DUBAN_DB", None)
    d = lambda *a: [duban, *a]
    repeat(results, "duban", "check", d("check", "campaigns/bench.campaign"), args.min_runs, cwd=work, env=env)
    db = os.path.join(work, "duban.db")
    def fresh_db():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
    sync_times = []
    for _ in range(1 if args.n >= 1_000_000 else 3):
        fresh_db()
        seconds, code, _ = timed(d("sync", "--as-of", AS_OF), cwd=work, env=env)
        if code:
            raise SystemExit("duban sync failed")
        sync_times.append(seconds)
    fresh_db()
    sync_rss = peak_rss(d("sync", "--as-of", AS_OF), work, env)
    results.add("duban", "sync", statistics.median(sync_times), len(sync_times), sync_rss)
    repeat(results, "duban", "re-sync (unchanged)", d("sync", "--as-of", AS_OF), args.min_runs, cwd=work, env=env)
    snapshot = db + ".before-import"
    subprocess.run(["sqlite3", db, f"VACUUM INTO '{snapshot}'"], check=True)

    def undo_import():
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        shutil.copy(snapshot, db)
    once(results, "duban", "import", d("import", os.path.join(data, "submissions.jsonl"), "--as-of", AS_OF),
         cwd=work, env=env, undo=undo_import)
    os.remove(snapshot)

    # ---- the sqlite3 CLI baseline (the same schema, load and queries as peers/run.sh)
    sqlite_db = os.path.join(data, "baseline.sqlite")
    if os.path.exists(sqlite_db):
        os.remove(sqlite_db)
    load = os.path.join(data, "load.sql")
    with open(load, "w") as f:
        f.write(f"""CREATE TEMP TABLE raw(j TEXT);
.mode list
.separator "\\t" "\\n"
.import --schema temp {os.path.join(data, 'obligations.jsonl')} raw
CREATE TABLE obligations(id INTEGER PRIMARY KEY, unit TEXT NOT NULL, deliverable TEXT NOT NULL,
                         due TEXT NOT NULL, submitted INTEGER NOT NULL);
INSERT INTO obligations SELECT j->>'id', j->>'unit', j->>'deliverable', j->>'due', j->>'submitted' FROM raw;
CREATE INDEX obligations_submitted_due ON obligations(submitted, due);
ANALYZE;
""")
    once(results, "sqlite", "load", ["sqlite3", "-bail", sqlite_db, f".read {load}"],
         undo=lambda: os.remove(sqlite_db))
    select = "SELECT id, unit, deliverable, due FROM obligations WHERE submitted = 0 AND"

    # ---- the daily questions, duban and the baseline in turn
    csv_rows = lambda o: lines(o) - 1
    outs = interleaved(results, [
        ("duban", "overdue", d("overdue", "--as-of", AS_OF, "--format", "csv"), work, env, csv_rows,
         counts["overdue"]),
        ("sqlite", "overdue", ["sqlite3", "-readonly", sqlite_db, f"{select} due < '{AS_OF}' ORDER BY due, id;"],
         None, None, lines, counts["overdue"]),
        ("duban", "due-soon", d("due", "--within", "3d", "--as-of", AS_OF, "--format", "csv"), work, env, csv_rows,
         counts["due_soon"]),
        ("sqlite", "due-soon",
         ["sqlite3", "-readonly", sqlite_db, f"{select} due BETWEEN '{AS_OF}' AND '{soon_end}' ORDER BY due, id;"],
         None, None, lines, counts["due_soon"]),
        ("duban", "plan notices", d("remind", "--plan-only", "--as-of", f"{AS_OF}T09:00"), work, env, None, None),
    ], args.min_runs)
    same_overdue = keys(outs[("duban", "overdue")]) == sorted(expected["overdue"])
    same_soon = keys(outs[("duban", "due-soon")]) == sorted(expected["due_soon"])

    # ---- edits: the monthly deadline moved a day (every obligation of that report moves, the
    # rest of the campaign is as it was), then one village's liaison given another mailbox (no
    # obligation changes). Each file is put back and synced again before the next edit.
    def resync_after(op, name, old, new):
        path = os.path.join(work, "campaigns", name)
        original = open(path, encoding="utf-8").read()
        edited = original.replace(old, new, 1)
        assert edited != original, f"{name} holds `{old}`"
        with open(path, "w", encoding="utf-8") as f:
            f.write(edited)
        seconds, code, _ = timed(d("sync", "--as-of", AS_OF), cwd=work, env=env)
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        if code or timed(d("sync", "--as-of", AS_OF), cwd=work, env=env)[1]:
            raise SystemExit(f"duban sync around `{op}` failed")
        results.add("duban", op, seconds, 1, 0)
    resync_after("re-sync (one deadline moved)", "bench.campaign",
                 "due every month by day 25", "due every month by day 24")
    resync_after("re-sync (one contact edited)", "bench.contacts.toml", "v1-liaison@", "v1-liaison-new@")

    # ---- peers, if asked
    if args.peers:
        peers(results, data, counts, args.min_runs, soon_end)

    # ---- PostgreSQL, if asked
    pg_summary = pg_part(results, data, counts, expected, keys, soon_end, args.min_runs) if args.postgres else {}

    # ---- summary
    r = lambda tool, op: results.get(tool, op)["median_s"] if results.get(tool, op) else None
    agree = all(x["agree"] in (None, True) for x in results.rows) and same_overdue and same_soon
    summary = dict(
        overdue_ratio=r("duban", "overdue") / r("sqlite", "overdue"),
        due_ratio=r("duban", "due-soon") / r("sqlite", "due-soon"),
        sync_ratio=r("duban", "sync") / r("sqlite", "load"),
        resync_ratio=r("duban", "re-sync (unchanged)") / r("duban", "sync"),
        plan_s=r("duban", "plan notices"),
        edit_resync_s=r("duban", "re-sync (one deadline moved)"),
        contact_resync_s=r("duban", "re-sync (one contact edited)"),
        rss_mib=max(x["rss_mib"] for x in results.rows if x["tool"] == "duban"),
    )
    summary["plan_vs_due_soon"] = r("duban", "plan notices") / r("sqlite", "due-soon")
    summary.update(pg_summary)
    agree = agree and pg_summary.get("pg_agree", True)
    for tool in ("taskwarrior", "remind"):
        for op in ("overdue", "due-soon"):
            if results.get(tool, op):
                summary[f"{tool}_{op.replace('-', '_')}_ratio"] = r(tool, op) / r("duban", op)
    out_dir = os.path.join(HERE, "out")
    os.makedirs(out_dir, exist_ok=True)
    json.dump(dict(n=args.n, counts=counts, rows=results.rows, summary=summary, agree=agree, env=environment(duban),
                   same_overdue_set=same_overdue, same_due_soon_set=same_soon),
              open(os.path.join(out_dir, f"n{args.n}.json"), "w"), indent=1, ensure_ascii=False)
    print(f"overdue_ratio={summary['overdue_ratio']:.2f} due_ratio={summary['due_ratio']:.2f} "
          f"sync_ratio={summary['sync_ratio']:.2f} plan_s={summary['plan_s']:.2f} "
          f"edit_resync_s={summary['edit_resync_s']:.2f} "
          f"rss_mib={summary['rss_mib']:.0f}"
          + (f" pg_overdue_ratio={summary['pg_overdue_ratio']:.2f} pg_due_ratio={summary['pg_due_ratio']:.2f}"
             f" pg_sync_ratio={summary['pg_sync_ratio']:.2f} pg_two_passes_s={summary['pg_two_passes_s']:.2f}"
             if pg_summary else "")
          + f" counts={'agree' if agree else 'DIFFER'}")
    return 0 if agree else 1


def pg_part(results, data, counts, expected, keys, soon_end, min_runs):
    """The PostgreSQL column (bench/pg.py): its summary entries."""
    import pg

    def agree(overdue_out, soon_out):
        return (keys(overdue_out) == sorted(expected["overdue"])
                and keys(soon_out) == sorted(expected["due_soon"]))
    files = [os.path.join(data, name) for name in ("bench.campaign", "bench.contacts.toml")]
    return pg.measure(results, sys.modules[__name__], data, counts, agree, files, AS_OF, soon_end, min_runs)


def postgres(results, data, counts, expected, keys, soon_end, min_runs):
    """--postgres-only: the PostgreSQL column alone, and its summary line."""
    s = pg_part(results, data, counts, expected, keys, soon_end, min_runs)
    print(f"pg_overdue_ratio={s['pg_overdue_ratio']:.2f} pg_due_ratio={s['pg_due_ratio']:.2f} "
          f"pg_sync_ratio={s['pg_sync_ratio']:.2f} pg_edit_resync_s={s['pg_edit_resync_s']:.2f} "
          f"pg_two_passes_s={s['pg_two_passes_s']:.2f} counts={'agree' if s['pg_agree'] else 'DIFFER'}")
    return 0 if s["pg_agree"] else 1


def environment(duban):
    """What the numbers were measured on."""
    def version(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return dict(
        date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        cpu=f"{os.cpu_count()} x {cpu}",
        memory_gib=round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        duban=version([duban, "--version"]),
        sqlite3=version(["sqlite3", "--version"]),
        taskwarrior=version(["task", "--version"]) if shutil.which("task") else None,
        remind=subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "remind"], capture_output=True,
                              text=True).stdout or None if shutil.which("remind") else None,
    )


def peers(results, data, counts, min_runs, soon_end):
    """Taskwarrior and Remind on the same data, set up as peers/run.sh does."""
    for tool in ("task", "remind"):
        if shutil.which(tool) is None:
            print(f"  ({tool} is not installed: apt-get install -y taskwarrior remind)")
            return
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TASKDATA=os.path.join(tmp, "data"), TASKRC=os.path.join(tmp, "taskrc"))
        os.makedirs(env["TASKDATA"])
        next_day = (dt.date.fromisoformat(soon_end) + dt.timedelta(days=1)).isoformat()
        version = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
        with open(env["TASKRC"], "w") as f:
            f.write(f"""data.location={env['TASKDATA']}
confirmation=off
hooks=off
news.version={version}
detection=off
defaultwidth=0
color=off
report.overdue.filter=status:pending and due.before:{AS_OF}
report.duesoon.columns=id,due,description
report.duesoon.labels=ID,Due,Description
report.duesoon.sort=due+
report.duesoon.filter=status:pending and due >= {AS_OF} and due < {next_day}
""")
        once(results, "taskwarrior", "import", ["task", "rc.verbose=nothing", "import", os.path.join(data, "tasks.json")],
             env=env)
        repeat(results, "taskwarrior", "overdue", ["task", "rc.verbose=nothing", "rc.gc=off", "overdue"], min(min_runs, 3),
               env=env, count=lines, expected=counts["overdue"])
        repeat(results, "taskwarrior", "due-soon", ["task", "rc.verbose=nothing", "rc.gc=off", "duesoon"], min(min_runs, 3),
               env=env, count=lines, expected=counts["due_soon"])
    repeat(results, "remind", "overdue", ["remind", "-q", "-g", os.path.join(data, "overdue.rem"), AS_OF], min(min_runs, 3),
           count=lines, expected=counts["overdue"])
    repeat(results, "remind", "due-soon", ["remind", "-q", "-g", os.path.join(data, "reminders.rem"), AS_OF], min(min_runs, 3),
           count=lines, expected=counts["due_soon"])


if __name__ == "__main__":
    sys.exit(main())
