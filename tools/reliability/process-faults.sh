#!/usr/bin/env bash
# Cases 1 and 2, heavy (issue 9; docs/reliability.md): the tests' process zone (two districts, branch parks, the Science
# City and finance as processes on a real redis-server, talent and the gateway) under write load, with the crash and
# the rolling restart of every service repeated ROUNDS times (default 5: several minutes and tens of thousands of
# writes) instead of once. The same assertions as the test: nothing acknowledged lost, one event id per enterprise,
# one talent effect per event, no in-flight call failed at any stop. Prints the figures of the run.
#   tools/reliability/process-faults.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-5}"
project=tests/Parks.Reliability.Tests
figures="$project/bin/Release/net10.0/reliability-figures.txt"
build_log=$(mktemp)
if ! dotnet build -c Release "$project" -nologo -v q >"$build_log" 2>&1; then
  cat "$build_log"
  exit 1
fi
rm -f "$build_log"
start=0
if [ -f "$figures" ]; then start=$(wc -l < "$figures"); fi
rc=0
PARKS_RELIABILITY_ROUNDS="$rounds" dotnet test -c Release --no-build "$project" \
  --filter "FullyQualifiedName~ProcessFaultTests" || rc=$?
# The figures of the run, whether it passed or not.
if [ -f "$figures" ]; then tail -n +"$((start + 1))" "$figures"; fi
exit "$rc"
