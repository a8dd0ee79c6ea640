#!/usr/bin/env bash
# The duban benchmark (see BENCHMARKS.md).
#
#   bench/run.sh                 # N = 10k, 100k, 1M; Taskwarrior and Remind up to 100k; report
#   bench/run.sh --peers-1m      # ... and Taskwarrior and Remind at 1M too (slow: minutes)
#   bench/run.sh N [--peers] [--postgres]   # one size; peers and PostgreSQL only if asked
#
# The full run times duban on PostgreSQL too (against psql on the same server, started from
# /usr/lib/postgresql/*/bin into a temporary folder).
#
# Generates the workload with ../shared/bench/peers/gen.py (PEERS=… to point elsewhere), turns it
# into a campaign and a submissions file, and times duban next to the sqlite3 CLI (and
# Taskwarrior and Remind). Uses target/release/duban, building it if needed, unless DUBAN=path
# is given. Each size ends with one line:
#   overdue_ratio=… due_ratio=… sync_ratio=… plan_s=… rss_mib=… counts=agree
# and the full run writes bench/out/report.md, the tables BENCHMARKS.md quotes.
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
peers_1m=()
case ${1:-} in
  "" | --peers-1m) all=1; [[ ${1:-} == --peers-1m ]] && peers_1m=(--peers) ;;
  *[!0-9]*) echo "usage: bench/run.sh [N [--peers] | --peers-1m]" >&2; exit 2 ;;
  *) n=$1; shift ;;
esac
peers=${PEERS:-../shared/bench/peers}
[[ -f $peers/gen.py ]] || { echo "no workload generator at $peers/gen.py (set PEERS=…)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "the baseline needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || echo "(no GNU time at /usr/bin/time: peak RSS is not measured; apt-get install time)" >&2
duban=${DUBAN:-target/release/duban}
if [[ -z ${DUBAN:-} ]]; then
  cargo build --release --quiet
fi
if ((all)); then
  for tool in task remind; do
    command -v $tool >/dev/null || echo "($tool is not installed: apt-get install -y taskwarrior remind)" >&2
  done
  python3 bench/measure.py --n 10000 --duban "$duban" --peers-dir "$peers" --peers --postgres
  python3 bench/measure.py --n 100000 --duban "$duban" --peers-dir "$peers" --peers --postgres
  python3 bench/measure.py --n 1000000 --duban "$duban" --peers-dir "$peers" --postgres "${peers_1m[@]}"
  exec python3 bench/report.py bench/out/n10000.json bench/out/n100000.json bench/out/n1000000.json
fi
exec python3 bench/measure.py --n "$n" --duban "$duban" --peers-dir "$peers" "$@"
