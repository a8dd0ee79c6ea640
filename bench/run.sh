#!/usr/bin/env bash
# The duban benchmark for one size of the peer workload (see BENCHMARKS.md):
#
#   bench/run.sh N [--peers]
#
# Generates the workload with ../shared/bench/peers/gen.py (PEERS=… to point elsewhere), turns it
# into a campaign and a submissions file, and times duban next to the sqlite3 CLI (and
# Taskwarrior and Remind with --peers). Uses target/release/duban, building it if needed, unless
# DUBAN=path is given. Ends with one line:
#   overdue_ratio=… due_ratio=… sync_ratio=… plan_s=… rss_mib=… counts=agree
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: bench/run.sh N [--peers]}
shift
peers=${PEERS:-../shared/bench/peers}
[[ -f $peers/gen.py ]] || { echo "no workload generator at $peers/gen.py (set PEERS=…)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "the baseline needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 2; }
duban=${DUBAN:-target/release/duban}
if [[ -z ${DUBAN:-} ]]; then
  cargo build --release --quiet
fi
exec python3 bench/measure.py --n "$n" --duban "$duban" --peers-dir "$peers" "$@"
