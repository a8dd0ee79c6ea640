#!/usr/bin/env python3
"""The API's listing read a page at a time (issue 32): what a page costs at the start and deep
into a campaign of N obligations, against a reading that touches no records.

    bench/paging.py [--n 1000000] [--duban target/release/duban] [--rounds 9] [--limit 100]

Builds bench/data/nN/web/ as bench/web.py does (the peer workload synced and its submissions
imported), starts `duban serve --as-of` on it, makes an office token and one village liaison's
token, and times, in rounds of one request each (so that a slow spell of the machine weighs on
every side of a ratio), sequential requests of:

  baseline   GET /api/v1/openapi.json   a reading that reads no records
  first      the first page of `limit` obligations (office token)
  middle     the page after the middle row (the cursor a client following Link would hold)
  last       the page after the row `limit` before the last
  offset     the middle page by an earlier version's cursor (`o<N/2>`: a count of rows walked)
  liaison    the village liaison's whole listing (its 28 rows, found among the N)
  unit       the same with `&unit=VILLAGE`: its own rows, read by the unit

Each page's rows are checked: `limit` of them, and the middle page's first row is the one after
the middle. Medians of the rounds. The last line is the summary:

  first_ms=… middle_ms=… last_ms=… offset_ms=… liaison_ms=… baseline_ms=…
  depth_ratio=… first_ratio=… offset_ratio=… liaison_ratio=… unit_ratio=…

where depth_ratio = last / first (a page read by key costs the same wherever it starts),
first_ratio = first / baseline, offset_ratio = offset / first, liaison_ratio = liaison /
first and unit_ratio = unit / first. Python 3 standard library and the sqlite3 CLI.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web import AS_OF, env, prepare, run  # noqa: E402


def get(base, path, token):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as reply:
        body = reply.read()
        link = reply.headers.get("Link")
    return time.perf_counter() - started, body, link


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--duban", default="target/release/duban")
    p.add_argument("--peers-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench", "peers"))
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--limit", type=int, default=100)
    args = p.parse_args()
    duban = os.path.abspath(args.duban)
    work, expected = prepare(args.n, args.peers_dir, duban)
    village = expected["overdue"][0][0]
    office = run(duban, work, "token", "create", "--role", "office").split()[-1]
    liaison = run(duban, work, "token", "create", "--unit", village, "--role", "liaison").split()[-1]
    ids = subprocess.run(
        ["sqlite3", os.path.join(work, "duban.db"), "SELECT id FROM obligations WHERE active ORDER BY id"],
        capture_output=True, text=True, check=True).stdout.split()
    middle, last = int(ids[len(ids) // 2]), int(ids[-args.limit - 1])
    n = len(ids)
    listing = f"/api/v1/obligations?campaign=bench&limit={args.limit}"
    paths = {
        "baseline": ("/api/v1/openapi.json", office),
        "first": (listing, office),
        "middle": (f"{listing}&cursor=k{middle}", office),
        "last": (f"{listing}&cursor=k{last}", office),
        "offset": (f"{listing}&cursor=o{n // 2 + 1}", office),
        "liaison": ("/api/v1/obligations?campaign=bench", liaison),
        "unit": (f"/api/v1/obligations?campaign=bench&unit={urllib.parse.quote(village)}", liaison),
    }
    server = subprocess.Popen([duban, "serve", "--listen", "127.0.0.1:0", "--as-of", f"{AS_OF}T09:00"],
                              cwd=work, env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    times = {name: [] for name in paths}
    try:
        base = server.stdout.readline().strip().split()[-1]
        # The checks, once: a full page, the middle page starting after the middle row (by key
        # and by count alike), the liaison's own rows.
        _, first, link = get(base, listing, office)
        assert len(json.loads(first)) == args.limit and link and "cursor=k" in link, link
        _, by_key, _ = get(base, paths["middle"][0], office)
        _, by_count, _ = get(base, paths["offset"][0], office)
        assert json.loads(by_key) == json.loads(by_count), "the same page by key and by count"
        _, last_page, link = get(base, paths["last"][0], office)
        assert len(json.loads(last_page)) == args.limit and link is None, link
        _, own, _ = get(base, paths["liaison"][0], liaison)
        own = json.loads(own)
        assert own and all(o["unit"] == village for o in own), len(own)
        _, by_unit, _ = get(base, paths["unit"][0], liaison)
        assert json.loads(by_unit) == own, "its own rows, by the unit"
        for _ in range(args.rounds):
            for name, (path, token) in paths.items():
                times[name].append(get(base, path, token)[0])
    finally:
        server.terminate()
        server.wait()
    ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    for name, value in ms.items():
        print(f"{name:8} median {value:9.2f} ms  ({args.rounds} rounds)")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out, exist_ok=True)
    json.dump({"n": args.n, "obligations": n, "limit": args.limit, "rounds": args.rounds, "ms": ms,
               "liaison_rows": len(own)}, open(os.path.join(out, f"paging-n{args.n}.json"), "w"), indent=1)
    print(" ".join(f"{k}_ms={ms[k]:.1f}" for k in ("first", "middle", "last", "offset", "liaison", "unit", "baseline"))
          + f" depth_ratio={ms['last'] / ms['first']:.2f} first_ratio={ms['first'] / ms['baseline']:.1f}"
          + f" offset_ratio={ms['offset'] / ms['first']:.1f} liaison_ratio={ms['liaison'] / ms['first']:.1f}"
          + f" unit_ratio={ms['unit'] / ms['first']:.1f}")


if __name__ == "__main__":
    main()
