#!/usr/bin/env python3
"""Turns bench/out/n*.json (written by measure.py) into the tables of BENCHMARKS.md:
one table per size (medians, peak RSS, ratios), and the growth from the smallest size to the
largest. Writes bench/out/report.md and prints it.

    report.py bench/out/n10000.json bench/out/n100000.json bench/out/n1000000.json

Python 3 standard library only.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def seconds(s):
    if s is None:
        return "—"
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def mib(row):
    return "—" if row is None or not row["rss_mib"] else f"{row['rss_mib']:.0f}"


def size_table(run):
    rows = {(r["tool"], r["op"]): r for r in run["rows"]}
    get = lambda tool, op: rows.get((tool, op))
    med = lambda tool, op: get(tool, op)["median_s"] if get(tool, op) else None
    c = run["counts"]
    out = [f"### N = {run['n']:,}: {c['units']:,} units, {c['total']:,} obligations, "
           f"{c['overdue']:,} overdue and {c['due_soon']:,} due within 3 days at 2025-06-23", "",
           "| operation | duban | MiB | sqlite3 | MiB | duban ÷ sqlite3 | Taskwarrior | MiB | ÷ duban "
           "| Remind | MiB | ÷ duban |",
           "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    lines = [
        ("`overdue --format csv`", "overdue", "overdue", "overdue", "overdue"),
        ("`due --within 3d --format csv`", "due-soon", "due-soon", "due-soon", "due-soon"),
        ("`sync` (compile + store) ÷ sqlite3 `.import` + insert", "sync", "load", "import", None),
        ("`sync` again, unchanged", "re-sync (unchanged)", None, None, None),
        ("`sync` after one deadline moved", "re-sync (one deadline moved)", None, None, None),
        ("`sync` after one contact edited", "re-sync (one contact edited)", None, None, None),
        ("`import` of the submissions", "import", None, None, None),
        ("`check` of the campaign file", "check", None, None, None),
        ("one notice-planning pass ÷ sqlite3 due-soon", "plan notices", "due-soon", None, None),
    ]
    for label, op, sq, tw, rm in lines:
        d, s = get("duban", op), get("sqlite", sq) if sq else None
        t, r = (get("taskwarrior", tw) if tw else None), (get("remind", rm) if rm else None)
        out.append(
            f"| {label} | {seconds(med('duban', op))} | {mib(d)} "
            f"| {seconds(s['median_s']) if s else '—'} | {mib(s) if s and op != 'plan notices' else '—'} "
            f"| {ratio(med('duban', op), s['median_s'] if s else None)} "
            f"| {seconds(t['median_s']) if t else '—'} | {mib(t)} "
            f"| {ratio(t['median_s'] if t else None, med('duban', op)) if t and op != 'sync' else '—'} "
            f"| {seconds(r['median_s']) if r else '—'} | {mib(r)} "
            f"| {ratio(r['median_s'] if r else None, med('duban', op)) if r else '—'} |")
    counts = "agree" if run["agree"] else "DIFFER"
    out += ["", f"Every tool's counts {counts} with gen.py's (and duban's rows are the same set as "
                f"the expected ones: overdue {run['same_overdue_set']}, due soon {run['same_due_soon_set']}).",
            f"Re-sync of an unchanged campaign ÷ full sync: {run['summary']['resync_ratio']:.4f}.", ""]
    return out


def growth_table(runs):
    ops = [("overdue", "overdue"), ("due soon", "due-soon"), ("sync", "sync"), ("import", "import"),
           ("check", "check"), ("plan", "plan notices")]
    out = ["### Growth: microseconds per obligation (flat = linear)", "",
           "| N | " + " | ".join(label for label, _ in ops) + " | peak MiB |",
           "|--:|" + "--:|" * (len(ops) + 1)]
    for run in runs:
        rows = {(r["tool"], r["op"]): r for r in run["rows"]}
        per = []
        for _, op in ops:
            r = rows.get(("duban", op))
            per.append("—" if r is None else f"{r['median_s'] / run['counts']['total'] * 1e6:.2f}")
        peak = max(r["rss_mib"] for r in run["rows"] if r["tool"] == "duban")
        out.append(f"| {run['n']:,} | " + " | ".join(per) + f" | {peak:.0f} |")
    return out + [""]


def main(paths):
    runs = sorted((json.load(open(p)) for p in paths), key=lambda r: r["n"])
    env = runs[-1].get("env", {})
    out = [f"Measured {env.get('date', '?')} on {env.get('cpu', '?')}, {env.get('memory_gib', '?')} GiB; "
           f"{env.get('duban')}, sqlite3 {(env.get('sqlite3') or '?').split(' ')[0]}, "
           f"Taskwarrior {env.get('taskwarrior') or 'not run'}, Remind {env.get('remind') or 'not run'}.", ""]
    for run in runs:
        out += size_table(run)
    out += growth_table(runs)
    for run in runs:
        s = run["summary"]
        out.append(f"N={run['n']}: overdue_ratio={s['overdue_ratio']:.2f} due_ratio={s['due_ratio']:.2f} "
                   f"sync_ratio={s['sync_ratio']:.2f} plan_s={s['plan_s']:.2f} rss_mib={s['rss_mib']:.0f} "
                   f"counts={'agree' if run['agree'] else 'DIFFER'}  ")
    text = "\n".join(out) + "\n"
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    open(os.path.join(HERE, "out", "report.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
