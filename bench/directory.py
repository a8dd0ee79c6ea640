#!/usr/bin/env python3
"""The directory benchmark (issue 25): a province's 通讯录 — 35,715 villages under 3,572
townships under 238 counties — as the office keeps it, one row per village with a column per
level (县区, 乡镇, 村; the county and town cells left empty below their first row, as merged
cells export) and the liaison's name and phone, imported by `duban units import` into an empty
directory, against loading the same rows into one table with the sqlite3 CLI (`.import` and an
index on the parent), and — with --postgres — `duban --db postgresql://…` against psql's
`\\copy` into the same table on a PostgreSQL server started for the run. Each import is timed
once into a fresh database (its schema made first, untimed), in rounds; then the same sheet imported again (nothing changes)
is timed too. The units listed afterwards are counted against the file.

    bench/directory.py --duban target/release/duban [--villages 35715] [--postgres] [--rounds 3]

The last line is a summary:
    import_ratio=… reimport_s=… [pg_import_ratio=… pg_reimport_s=…] units=agree
Python 3 standard library only.
"""
import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402  (the timing helpers)

PER_TOWNSHIP = 10
PER_COUNTY = 15


def sheet(villages):
    """The office's sheet (as UTF-8 CSV with a title row), and the number of units it makes."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["全省各村联系人通讯录（基准测试数据）", "", "", "", ""])
    w.writerow(["县（市、区）", "乡镇（街道）", "村（社区）", "联系人", "联系电话"])
    townships = (villages + PER_TOWNSHIP - 1) // PER_TOWNSHIP
    counties = (townships + PER_COUNTY - 1) // PER_COUNTY
    last_county = last_town = None
    for v in range(villages):
        t = v // PER_TOWNSHIP
        c = t // PER_COUNTY
        county = f"县{c:04d}" if c != last_county else ""
        town = f"镇{t:05d}" if t != last_town else ""
        last_county, last_town = c, t
        w.writerow([county, town, f"村{v:06d}", f"联络员{v}", f"138{v:08d}"])
    return out.getvalue(), villages + townships + counties


def flat(villages):
    """The same units as the baseline loads them: name, parent, kind, liaison, phone."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    seen = set()
    for v in range(villages):
        t = v // PER_TOWNSHIP
        c = t // PER_COUNTY
        county, town = f"县{c:04d}", f"镇{t:05d}"
        if county not in seen:
            seen.add(county)
            w.writerow([county, "", "县", "", ""])
        if town not in seen:
            seen.add(town)
            w.writerow([town, county, "乡镇", "", ""])
        w.writerow([f"村{v:06d}", town, "村", f"联络员{v}", f"138{v:08d}"])
    return out.getvalue()


SQLITE_LOAD = """CREATE TABLE units (name TEXT, parent TEXT, kind TEXT, liaison TEXT, phone TEXT);
.mode csv
.import {path} units
CREATE INDEX units_parent ON units (parent);
"""

PG_LOAD = """CREATE TABLE units (name TEXT, parent TEXT, kind TEXT, liaison TEXT, phone TEXT);
\\copy units FROM '{path}' WITH (FORMAT csv)
CREATE INDEX units_parent ON units (parent);
"""


def listed(duban, cwd, db=None):
    cmd = [duban, *(["--db", db] if db else []), "units", "list", "--format", "csv"]
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True).stdout.decode()
    return len(out.splitlines()) - 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--duban", required=True)
    p.add_argument("--villages", type=int, default=35715)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--postgres", action="store_true")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="duban-directory-")
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, work):
    duban = os.path.abspath(args.duban)
    text, units = sheet(args.villages)
    with open(f"{work}/通讯录.csv", "w", encoding="utf-8") as f:
        f.write(text)
    with open(f"{work}/units.csv", "w", encoding="utf-8") as f:
        f.write(flat(args.villages))
    os.makedirs(f"{work}/campaigns")
    print(f"directory: {args.villages} villages, {units} units", flush=True)
    env = dict(os.environ, NO_COLOR="1")
    env.pop("DUBAN_DB", None)
    db = f"{work}/duban.db"
    base = f"{work}/baseline.db"
    times = {"duban": [], "sqlite3": [], "reimport": []}
    agree = True
    for _ in range(args.rounds):
        for path in (db, base):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        # The records' schema is made first, untimed: the baseline's one table costs nothing.
        listed(duban, work)
        s, code, _ = measure.timed([duban, "units", "import", "通讯录.csv"], cwd=work, env=env)
        if code:
            raise SystemExit("duban units import failed")
        times["duban"].append(s)
        s, code, _ = measure.timed([duban, "units", "import", "通讯录.csv"], cwd=work, env=env)
        times["reimport"].append(s)
        script = SQLITE_LOAD.format(path=f"{work}/units.csv")
        with open(f"{work}/load.sql", "w", encoding="utf-8") as f:
            f.write(script)
        s, code, _ = measure.timed(["sqlite3", base, f".read {work}/load.sql"], cwd=work, env=env)
        if code:
            raise SystemExit("sqlite3 load failed")
        times["sqlite3"].append(s)
        agree = agree and listed(duban, work) == units
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        print(f"  {k:<12} {v * 1000:9.1f} ms  x{len(times[k])}", flush=True)
    summary = [f"import_ratio={med['duban'] / med['sqlite3']:.2f}", f"reimport_s={med['reimport']:.2f}"]
    if args.postgres:
        import pg
        with pg.server() as folder:
            pg_times = {"duban-pg": [], "psql": [], "reimport-pg": []}
            with open(f"{work}/load-pg.sql", "w", encoding="utf-8") as f:
                f.write(PG_LOAD.format(path=f"{work}/units.csv"))
            for _ in range(args.rounds):
                pg.recreate(folder, "directory")
                pg.recreate(folder, "baseline")
                url = pg.url(folder, "directory")
                listed(duban, work, url)
                s, code, _ = measure.timed([duban, "--db", url, "units", "import", "通讯录.csv"], cwd=work, env=env)
                if code:
                    raise SystemExit("duban units import on PostgreSQL failed")
                pg_times["duban-pg"].append(s)
                s, _, _ = measure.timed([duban, "--db", url, "units", "import", "通讯录.csv"], cwd=work, env=env)
                pg_times["reimport-pg"].append(s)
                s, code, _ = measure.timed(pg.psql(folder, "baseline", "-f", f"{work}/load-pg.sql"), cwd=work, env=env)
                if code:
                    raise SystemExit("psql load failed")
                pg_times["psql"].append(s)
                agree = agree and listed(duban, work, url) == units
            pmed = {k: statistics.median(v) for k, v in pg_times.items()}
            for k, v in pmed.items():
                print(f"  {k:<12} {v * 1000:9.1f} ms  x{len(pg_times[k])}", flush=True)
            summary += [f"pg_import_ratio={pmed['duban-pg'] / pmed['psql']:.2f}",
                        f"pg_reimport_s={pmed['reimport-pg']:.2f}"]
    summary.append("units=" + ("agree" if agree else "DIFFER"))
    print(" ".join(summary))
    if not agree:
        raise SystemExit("the units listed differ from the file's")


if __name__ == "__main__":
    main()
