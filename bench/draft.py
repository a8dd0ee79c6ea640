#!/usr/bin/env python3
"""How much of the reviewed campaigns `duban draft` finds: drafts each seed document
(tests/fixtures/seeds/NAME.txt), compiles the draft and the reviewed file (campaigns/NAME.campaign)
with `duban schedule --format json`, and compares their dated obligations.

    bench/draft.py [path/to/duban]      (default: target/debug/duban)

An obligation is (due date, period, owing unit, recipients). Report names differ between a draft
and a reviewed file, so obligations are matched by date and unit, as a multiset:

- units: the reviewed files list a group's members (宛城区 … 邓州市 for 县区); a draft declares the
  collective the document names (各县区) as one unit. Each reviewed obligation's unit is therefore
  replaced by its group's name when the unit is a member of a group the reviewed file declares,
  and names compare without 各, brackets and 、 (各县(市、区) = 县市区, 市直各单位 = 市直单位);
- recipients: folded into their groups the same way (a department of each county reporting to its
  own county — `to parent` — is one obligation of the group to 县区, as it is one sentence of the
  document), and equal when one name ends with the other (市纪委党风政风监督室 = 党风政风监督室);
- period: compared as given (a monthly report covering the previous month has another period).

A match needs date and unit; the strict figures need recipients too, and are the ones printed
on the last line. Precision counts a drafted obligation as right only if the reviewed file has it.
Measures count as obligations too (gulu's 措施 have dates). Undated (standing) duties are left out.

Python 3 standard library only.
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CAMPAIGNS = ["nanyang-2017", "yichun-2016", "qianyang-2023", "gulu-2023"]


def norm(name):
    return re.sub(r"[各()（）、\s]", "", name or "")


def groups_of(path):
    """unit -> group name, for the groups a campaign file declares with their members."""
    text = open(path, encoding="utf-8").read()
    member_of = {}
    for m in re.finditer(r"^(?:分组|group)\s+(\S+)[^{\n]*\{([^}]*)\}", text, re.M):
        for unit in re.split(r"[\s、,，]+", m.group(2).strip()):
            if unit:
                member_of.setdefault(unit, m.group(1))
    return member_of


def schedule(duban, path):
    run = subprocess.run([duban, "schedule", path, "--format", "json"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return None
    return json.loads(run.stdout)


def obligations(rows, member_of):
    """The dated obligations, a group's members' (of one deliverable, date and period) as one
    obligation of the group."""
    seen = set()
    out = []
    for r in rows:
        if not r.get("due_date"):
            continue
        unit = member_of.get(r["unit"], r["unit"])
        to = (member_of.get(t, t) for t in r.get("to") or [])
        o = (r["due_date"], r.get("period") or "", norm(unit), tuple(sorted(norm(t) for t in to)))
        if (r["deliverable"], o) in seen:
            continue
        seen.add((r["deliverable"], o))
        out.append(o)
    return out


def same_to(a, b):
    return len(a) == len(b) and all(x.endswith(y) or y.endswith(x) for x, y in zip(a, b))


def matched(truth, drafted, to=True, period=False):
    """How many of `truth` have a drafted obligation on the same date for the same unit (and,
    as asked, the same recipients, the same period); each drafted one is used once."""
    pool = collections.defaultdict(list)
    for o in drafted:
        pool[(o[0], o[2])].append(o)
    hits = 0
    for o in truth:
        candidates = pool.get((o[0], o[2]), [])
        for i, c in enumerate(candidates):
            if (not to or same_to(o[3], c[3])) and (not period or o[1] == c[1]):
                del candidates[i]
                hits += 1
                break
    return hits


def main():
    duban = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "duban")
    totals = collections.Counter()
    compiled = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in CAMPAIGNS:
            document = os.path.join(ROOT, "tests", "fixtures", "seeds", f"{name}.txt")
            reviewed = os.path.join(ROOT, "campaigns", f"{name}.campaign")
            out = os.path.join(tmp, f"{name}.campaign")
            subprocess.run([duban, "draft", document, "-o", out], capture_output=True, check=True)
            check = subprocess.run([duban, "check", out], capture_output=True, text=True)
            ok = check.returncode == 0
            compiled += ok
            truth = obligations(schedule(duban, reviewed), groups_of(reviewed))
            rows = schedule(duban, out) if ok else None
            drafted = obligations(rows or [], {})
            strict = matched(truth, drafted)
            loose = matched(truth, drafted, to=False)
            periods = matched(truth, drafted, period=True)
            totals.update(truth=len(truth), drafted=len(drafted), strict=strict)
            recall = strict / len(truth) if truth else 0.0
            precision = strict / len(drafted) if drafted else 0.0
            print(f"{name:14} compiled={'yes' if ok else 'NO '} reviewed={len(truth):3} "
                  f"drafted={len(drafted):3} matched={strict:3} (date+unit only: {loose:3}, "
                  f"same period too: {periods:3}) "
                  f"recall={recall:.2f} precision={precision:.2f}")
    recall = totals["strict"] / totals["truth"] if totals["truth"] else 0.0
    precision = totals["strict"] / totals["drafted"] if totals["drafted"] else 0.0
    print(f"recall={recall:.2f} precision={precision:.2f} compiled={compiled}/{len(CAMPAIGNS)}")


if __name__ == "__main__":
    main()
