#!/usr/bin/env python3
"""The directory benchmark (issue 25): a province's 通讯录 — 35,715 villages under 3,572
townships under 238 counties under the province — as the office keeps it, one row per village
with a column per level (省, 县区, 乡镇, 村; the province, county and town cells left empty below
their first row, as merged cells export) and the liaison's name and phone, imported by `duban
units import` into an empty directory, against loading the same rows into one table with the
sqlite3 CLI (`.import` and an index on the parent), and — with --postgres — `duban --db
postgresql://…` against psql's `\\copy` into the same table on a PostgreSQL server started for
the run. Each import is timed once into a fresh database (its schema made first, untimed), in
rounds; then the same sheet imported again (nothing changes) is timed too. The units listed
afterwards are counted against the file.

Then a campaign over the directory: bound to the province (`通讯录 示范省`), a group of every
village (`层级 村`), a monthly report by the 25th for the twelve months of 2025 and a one-off
report, owed by each village (13 obligations a village, 464,295 at 35,715 villages). Its first
`duban sync` into a database holding only the directory is timed against loading the same
obligation rows (unit, report, period, due) into one table with an index on the deadline, by
the sqlite3 CLI (and psql). Then one village's phone is changed in the sheet, the sheet imported
again, and `duban sync` timed: the campaign file is as it was, so only the directory's change
makes it sync again — the village's new phone must be in the campaign's records straight after.
The obligations `duban status` counts (and the units it lists) must be those written, and the
baseline's table must hold as many rows.

    bench/directory.py --duban target/release/duban [--villages 35715] [--postgres] [--rounds 3]

The last line is a summary:
    import_ratio=… reimport_s=… sync_ratio=… resync_s=… [pg_import_ratio=… pg_reimport_s=…
    pg_sync_ratio=… pg_resync_s=…] units=agree obligations=agree
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
PROVINCE = "示范省"
CAMPAIGN = "bench-directory"
# The campaign is synced at the real time, as every command is: `units import` has no --as-of,
# and a sync at another time than the commands around it would sync the campaign again for
# that alone (how far ahead its records run is part of what tells a changed campaign). Its
# status is counted after its last deadline, when every obligation written is due.
COUNT_AS_OF = "2026-01-15"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
ONE_OFF_DUE = "2025-06-30"

CAMPAIGN_TEXT = f"""# bench/directory.py: every village of the directory owes a monthly report and a one-off one.
专项治理 {CAMPAIGN} "全省各村月报（基准测试）" {{
  发文单位 "{PROVINCE}纪委监委"
  印发 2025年1月1日
  时区 Asia/Shanghai
  期间 2025年1月1日 至 2025年12月31日
  主办单位 {PROVINCE}
  通讯录 {PROVINCE}
}}

单位 {PROVINCE} {{}}

分组 各村 隶属 {PROVINCE} 通讯录 {PROVINCE} 层级 村

报送 月报 "各村月报" {{
  报送单位 各村
  接收单位 {PROVINCE}
  时限 每月25日前
}}

报送 自查报告 "自查报告" {{
  报送单位 各村
  接收单位 {PROVINCE}
  时限 2025年6月30日前
}}
"""


def phone(v, changed=None):
    """Village v's liaison's phone; `changed` is the village whose phone the office edited."""
    return f"139{v:08d}" if v == changed else f"138{v:08d}"


def sheet(villages, changed=None):
    """The office's sheet (as UTF-8 CSV with a title row), and the number of units it makes."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["全省各村联系人通讯录（基准测试数据）", "", "", "", "", ""])
    w.writerow(["省", "县（市、区）", "乡镇（街道）", "村（社区）", "联系人", "联系电话"])
    townships = (villages + PER_TOWNSHIP - 1) // PER_TOWNSHIP
    counties = (townships + PER_COUNTY - 1) // PER_COUNTY
    last_county = last_town = None
    for v in range(villages):
        t = v // PER_TOWNSHIP
        c = t // PER_COUNTY
        province = PROVINCE if v == 0 else ""
        county = f"县{c:04d}" if c != last_county else ""
        town = f"镇{t:05d}" if t != last_town else ""
        last_county, last_town = c, t
        w.writerow([province, county, town, f"村{v:06d}", f"联络员{v}", phone(v, changed)])
    return out.getvalue(), villages + townships + counties + 1


def flat(villages):
    """The same units as the baseline loads them: name, parent, kind, liaison, phone."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([PROVINCE, "", "省", "", ""])
    seen = set()
    for v in range(villages):
        t = v // PER_TOWNSHIP
        c = t // PER_COUNTY
        county, town = f"县{c:04d}", f"镇{t:05d}"
        if county not in seen:
            seen.add(county)
            w.writerow([county, PROVINCE, "县", "", ""])
        if town not in seen:
            seen.add(town)
            w.writerow([town, county, "乡镇", "", ""])
        w.writerow([f"村{v:06d}", town, "村", f"联络员{v}", phone(v)])
    return out.getvalue()


def obligations(villages):
    """The campaign's obligations as the baseline loads them (unit, report, period, due), and
    how many. Written from the campaign's text by hand: the baseline schedules nothing."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    n = 0
    for v in range(villages):
        unit = f"村{v:06d}"
        for month in MONTHS:
            w.writerow([unit, "月报", month, f"{month}-25"])
            n += 1
        w.writerow([unit, "自查报告", "", ONE_OFF_DUE])
        n += 1
    return out.getvalue(), n


SQLITE_LOAD = """CREATE TABLE units (name TEXT, parent TEXT, kind TEXT, liaison TEXT, phone TEXT);
.mode csv
.import {path} units
CREATE INDEX units_parent ON units (parent);
"""

PG_LOAD = """CREATE TABLE units (name TEXT, parent TEXT, kind TEXT, liaison TEXT, phone TEXT);
\\copy units FROM '{path}' WITH (FORMAT csv)
CREATE INDEX units_parent ON units (parent);
"""

SQLITE_OBLIGATIONS = """CREATE TABLE obligations (unit TEXT NOT NULL, report TEXT NOT NULL, period TEXT,
                          due TEXT NOT NULL);
.mode csv
.import {path} obligations
CREATE INDEX obligations_due ON obligations (due, unit);
"""

PG_OBLIGATIONS = """CREATE TABLE obligations (unit TEXT NOT NULL, report TEXT NOT NULL, period TEXT,
                          due DATE NOT NULL);
\\copy obligations FROM '{path}' WITH (FORMAT csv)
CREATE INDEX obligations_due ON obligations (due, unit);
"""


def listed(duban, cwd, db=None):
    cmd = [duban, *(["--db", db] if db else []), "units", "list", "--format", "csv"]
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True).stdout.decode()
    return len(out.splitlines()) - 1


def counted(duban, cwd, env, db=None):
    """The campaign's obligations and units as `duban status` counts them once every deadline
    has passed: (obligations, units owing)."""
    cmd = [duban, *(["--db", db] if db else []), "status", "--as-of", COUNT_AS_OF, "--campaign", CAMPAIGN,
           "--format", "csv"]
    out = subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out)))
    return sum(int(r["due"]) for r in rows), len({r["unit"] for r in rows})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--duban", required=True)
    p.add_argument("--villages", type=int, default=35715)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--postgres", action="store_true")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="duban-directory-")
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Campaign:
    """The campaign part on one engine: its own workspace (so that the import rounds above
    never sync it), the directory imported untimed, then the timed syncs and the checks."""

    def __init__(self, args, work, name, env, written, db=None):
        self.duban = os.path.abspath(args.duban)
        self.villages = args.villages
        self.work, self.env, self.written, self.db = work, env, written, db
        self.cwd = f"{work}/{name}"
        os.makedirs(f"{self.cwd}/campaigns")
        self.agree = True

    def cmd(self, *a):
        return [self.duban, *(["--db", self.db] if self.db else []), *a]

    def run(self, contacts_of):
        """Times the first sync, an unchanged one and one after a phone changed in the
        directory; `contacts_of(unit)` reads the campaign's record of a unit's contacts as the
        engine keeps it. Returns seconds by step."""
        code = subprocess.run(self.cmd("units", "import", f"{self.work}/通讯录.csv"), cwd=self.cwd, env=self.env,
                              stdout=subprocess.DEVNULL).returncode
        if code:
            raise SystemExit("duban units import (before the campaign) failed")
        with open(f"{self.cwd}/campaigns/{CAMPAIGN}.campaign", "w", encoding="utf-8") as f:
            f.write(CAMPAIGN_TEXT)
        times = {}
        s, code, out = measure.timed(self.cmd("sync"), cwd=self.cwd, env=self.env)
        if code:
            raise SystemExit("duban sync of the campaign failed")
        times["first sync"] = s
        added = out.decode().strip()
        if added != f"{CAMPAIGN}: {self.written} added":
            print(f"  the first sync said `{added}`, not {self.written} added", flush=True)
            self.agree = False
        s, code, _ = measure.timed(self.cmd("sync"), cwd=self.cwd, env=self.env)
        times["sync again"] = s
        # One village's liaison has a new phone: the office edits its sheet and imports it.
        edited = self.villages // 2
        unit = f"村{edited:06d}"
        text, _ = sheet(self.villages, changed=edited)
        with open(f"{self.cwd}/通讯录-新.csv", "w", encoding="utf-8") as f:
            f.write(text)
        s, code, _ = measure.timed(self.cmd("units", "import", "通讯录-新.csv"), cwd=self.cwd, env=self.env)
        if code:
            raise SystemExit("duban units import of the edited sheet failed")
        times["import 1 phone"] = s
        if phone(edited, edited) in contacts_of(unit):
            print(f"  {unit}'s new phone is in the campaign before it synced again", flush=True)
            self.agree = False
        s, code, _ = measure.timed(self.cmd("sync"), cwd=self.cwd, env=self.env)
        if code:
            raise SystemExit("duban sync after the directory changed failed")
        times["sync after"] = s
        # Read straight from the records, before any other command could sync the campaign.
        if phone(edited, edited) not in contacts_of(unit):
            print(f"  {unit}'s new phone is not in the campaign after the sync", flush=True)
            self.agree = False
        n, units = counted(self.duban, self.cwd, self.env, self.db)
        if (n, units) != (self.written, self.villages):
            print(f"  duban status counts {n} obligations of {units} units, not {self.written} of {self.villages}",
                  flush=True)
            self.agree = False
        return times


def run(args, work):
    duban = os.path.abspath(args.duban)
    text, units = sheet(args.villages)
    with open(f"{work}/通讯录.csv", "w", encoding="utf-8") as f:
        f.write(text)
    with open(f"{work}/units.csv", "w", encoding="utf-8") as f:
        f.write(flat(args.villages))
    rows, written = obligations(args.villages)
    with open(f"{work}/obligations.csv", "w", encoding="utf-8") as f:
        f.write(rows)
    os.makedirs(f"{work}/campaigns")
    print(f"directory: {args.villages} villages, {units} units; campaign: {written} obligations", flush=True)
    env = dict(os.environ, NO_COLOR="1")
    env.pop("DUBAN_DB", None)
    env.pop("DUBAN_CONFIG", None)
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

    # ---- the campaign over the directory, on SQLite: once, as a first sync is done once.
    sqlite = Campaign(args, work, "campaign", env, written)
    unit_db = f"{sqlite.cwd}/duban.db"

    def sqlite_contacts(unit):
        return subprocess.run(["sqlite3", "-readonly", unit_db, f"SELECT contacts FROM units WHERE name = '{unit}'"],
                              check=True, capture_output=True).stdout.decode()
    ctimes = sqlite.run(sqlite_contacts)
    obl_base = f"{work}/obligations.db"
    with open(f"{work}/load-obligations.sql", "w", encoding="utf-8") as f:
        f.write(SQLITE_OBLIGATIONS.format(path=f"{work}/obligations.csv"))
    s, code, _ = measure.timed(["sqlite3", obl_base, f".read {work}/load-obligations.sql"], cwd=work, env=env)
    if code:
        raise SystemExit("sqlite3 load of the obligations failed")
    ctimes["sqlite3 load"] = s
    loaded = int(subprocess.run(["sqlite3", "-readonly", obl_base, "SELECT count(*) FROM obligations"],
                                check=True, capture_output=True).stdout)
    obligations_agree = sqlite.agree and loaded == written
    show(ctimes)
    summary += [f"sync_ratio={ctimes['first sync'] / ctimes['sqlite3 load']:.2f}", f"resync_s={ctimes['sync after']:.2f}"]

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

            # ---- the campaign on PostgreSQL: its own database, the baseline in another.
            pg.recreate(folder, "campaign")
            pg.recreate(folder, "obligations")
            on_pg = Campaign(args, work, "campaign-pg", env, written, db=pg.url(folder, "campaign"))

            def pg_contacts(unit):
                return subprocess.run(pg.psql(folder, "campaign", "-At", "-c",
                                              f"SELECT contacts FROM units WHERE name = '{unit}'"),
                                      check=True, capture_output=True).stdout.decode()
            ptimes = on_pg.run(pg_contacts)
            with open(f"{work}/load-obligations-pg.sql", "w", encoding="utf-8") as f:
                f.write(PG_OBLIGATIONS.format(path=f"{work}/obligations.csv"))
            s, code, _ = measure.timed(pg.psql(folder, "obligations", "-f", f"{work}/load-obligations-pg.sql"),
                                       cwd=work, env=env)
            if code:
                raise SystemExit("psql load of the obligations failed")
            ptimes["psql load"] = s
            loaded = int(subprocess.run(pg.psql(folder, "obligations", "-At", "-c", "SELECT count(*) FROM obligations"),
                                        check=True, capture_output=True).stdout)
            obligations_agree = obligations_agree and on_pg.agree and loaded == written
            show(ptimes, "-pg")
            summary += [f"pg_sync_ratio={ptimes['first sync'] / ptimes['psql load']:.2f}", f"pg_resync_s={ptimes['sync after']:.2f}"]
    summary.append("units=" + ("agree" if agree else "DIFFER"))
    summary.append("obligations=" + ("agree" if obligations_agree else "DIFFER"))
    print(" ".join(summary))
    if not agree:
        raise SystemExit("the units listed differ from the file's")
    if not obligations_agree:
        raise SystemExit("the campaign's obligations or contacts differ from what was written")


def show(times, suffix=""):
    for k, v in times.items():
        print(f"  {k + suffix:<17} {v * 1000:9.1f} ms  x1", flush=True)


if __name__ == "__main__":
    sys.exit(main())
