#!/usr/bin/env python3
"""The roll-up benchmark (issue 11, section 4): a national-scale form — 35,715 villages under
3,572 townships under 238 counties, each village reporting 10 integer fields once — added up
into counties by `duban rollup --by level:1`, against the same sum written as one SQL query in
the sqlite3 CLI on the same database file (and, with --postgres, in psql on a PostgreSQL
server, against `duban --db postgresql://…`), timed in rounds in the same run.

    bench/rollup.py --duban target/release/duban [--villages 35715] [--postgres] [--min-runs 5]

The whole province's figures are submitted by the province office as one CSV with a row per
village (a unit may report for the units under it). The last line is a summary:
    rollup_ratio=… [pg_rollup_ratio=…] sums=agree
Python 3 standard library only.
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402  (the timing helpers)

FIELDS = [f"指标{i:02d}" for i in range(1, 11)]
PER_TOWNSHIP = 10
PER_COUNTY = 15


def campaign(villages):
    townships = (villages + PER_TOWNSHIP - 1) // PER_TOWNSHIP
    counties = (townships + PER_COUNTY - 1) // PER_COUNTY
    out = io.StringIO()
    out.write('campaign rollup-bench "全国村级报表" { period 2024-01-01 .. 2024-12-31; office 省办 }\n')
    out.write("unit 省办\n")
    for c in range(counties):
        out.write(f"unit 县{c:04d} {{ under 省办 }}\n")
    for t in range(townships):
        out.write(f"unit 镇{t:05d} {{ under 县{t // PER_COUNTY:04d} }}\n")
    names = []
    for v in range(villages):
        name = f"村{v:06d}"
        names.append(name)
        out.write(f"unit {name} {{ under 镇{v // PER_TOWNSHIP:05d} }}\n")
    out.write("group 各村 {\n" + "\n".join(names) + "\n}\n")
    out.write('form 村报表 "村级统计表" {\n' + "".join(f"  field {f} integer 件\n" for f in FIELDS) + "}\n")
    out.write("report 村报表 { from 各村; to 省办; form 村报表; due 2024-06-25 }\n")
    return out.getvalue(), counties


def figures(v):
    return [str((v * (i + 7)) % 97) for i in range(len(FIELDS))]


def data_csv(villages):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["填报单位", *FIELDS])
    for v in range(villages):
        w.writerow([f"村{v:06d}", *figures(v)])
    return out.getvalue()


def expected_sums(villages):
    sums = {}
    for v in range(villages):
        county = f"县{v // PER_TOWNSHIP // PER_COUNTY:04d}"
        row = sums.setdefault(county, [0] * len(FIELDS))
        for i, x in enumerate(figures(v)):
            row[i] += int(x)
    return sums


# The same sum, as one query: each village's values, by its township's county.
SQL = """SELECT t.parent, v.field, sum(v.number)
FROM obligations o
JOIN units u ON u.id = o.unit_id
JOIN units t ON t.campaign_id = u.campaign_id AND t.name = u.parent
JOIN field_values v ON v.event_id = o.values_event
WHERE o.deliverable_id = (SELECT id FROM deliverables WHERE name = '村报表') AND o.state = 'received'
GROUP BY 1, 2 ORDER BY 1, 2;"""


def duban_sums(out):
    """County → sums, from `duban rollup --format csv`."""
    rows = list(csv.reader(io.StringIO(out.decode())))
    header = rows[0]
    sums = {}
    for row in rows[1:]:
        if row[0] == "合计":
            continue
        sums[row[0]] = [int(row[header.index(f)]) for f in FIELDS]
    return sums


def sql_sums(out):
    sums = {}
    for line in out.decode().splitlines():
        county, field, total = line.split("|")
        sums.setdefault(county, [0] * len(FIELDS))[FIELDS.index(field)] = int(float(total))
    return sums


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--duban", required=True)
    p.add_argument("--villages", type=int, default=35715)
    p.add_argument("--min-runs", type=int, default=5)
    p.add_argument("--postgres", action="store_true")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="duban-rollup-")
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, work):
    duban = os.path.abspath(args.duban)
    os.makedirs(f"{work}/campaigns")
    text, counties = campaign(args.villages)
    with open(f"{work}/campaigns/rollup-bench.campaign", "w") as f:
        f.write(text)
    with open(f"{work}/data.csv", "w") as f:
        f.write(data_csv(args.villages))
    expected = expected_sums(args.villages)
    results = measure.Results(args.villages)
    print(f"roll-up: {args.villages} villages × {len(FIELDS)} fields into {counties} counties", flush=True)
    submit = [duban, "submit", "rollup-bench", "村报表", "省办", "--at", "2024-06-20", "--data", "data.csv"]
    rollup = [duban, "rollup", "rollup-bench", "村报表", "--by", "level:2", "--format", "csv", "--as-of", "2024-06-30"]
    db = f"{work}/duban.db"
    measure.once(results, "duban", "submit (one file)", submit, cwd=work)
    specs = [
        ("duban", "rollup", rollup, work, None, None, None),
        ("sqlite3", "rollup", ["sqlite3", db, SQL], work, None, None, None),
    ]
    outs = measure.interleaved(results, specs, args.min_runs)
    agree = duban_sums(outs[("duban", "rollup")]) == expected == sql_sums(outs[("sqlite3", "rollup")])
    ratio = results.get("duban", "rollup")["median_s"] / results.get("sqlite3", "rollup")["median_s"]
    summary = [f"rollup_ratio={ratio:.2f}"]
    if args.postgres:
        import pg
        with pg.server() as folder:
            pg.recreate(folder, "rollup")
            url = pg.url(folder, "rollup")
            measure.once(results, "duban-pg", "submit (one file)", [duban, "--db", url, *submit[1:]], cwd=work)
            subprocess.run(pg.psql(folder, "rollup", "-c", "ANALYZE"), check=True)
            specs = [
                ("duban-pg", "rollup", [duban, "--db", url, *rollup[1:]], work, None, None, None),
                ("psql", "rollup", pg.psql(folder, "rollup", "-A", "-t", "-c", SQL), work, None, None, None),
            ]
            outs = measure.interleaved(results, specs, args.min_runs)
            agree = agree and duban_sums(outs[("duban-pg", "rollup")]) == expected == sql_sums(outs[("psql", "rollup")])
            pg_ratio = results.get("duban-pg", "rollup")["median_s"] / results.get("psql", "rollup")["median_s"]
            summary.append(f"pg_rollup_ratio={pg_ratio:.2f}")
    summary.append("sums=" + ("agree" if agree else "DIFFER"))
    print(" ".join(summary))
    if not agree:
        raise SystemExit("the sums differ")


if __name__ == "__main__":
    main()
