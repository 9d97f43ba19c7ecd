#!/usr/bin/env bash
# The test suite in two pytest processes at once, over disjoint halves of tests/.
#
# Half the suite's time is single-threaded Python (imports, Hydra, NNCF graph work, `ovbuild`
# subprocesses), so two processes on a 2-core machine finish well before one. They are plain
# pytest runs, each with its own --basetemp and session stores: no worker protocol to break when a
# test kills a process or a watchdog ends one. Arguments go to both (e.g. -m 'not slow', -x).
#
# Half A: the directories listed below (runtime, precision, ...); half B: everything else, so a
# new test directory is never left out. Half A prints as it runs; half B's log follows it.
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
half_a=(tests/runtime tests/precision tests/compat tests/frontends)
ignore_a=()
for dir in "${half_a[@]}"; do ignore_a+=("--ignore=$dir"); done

tmp=$(mktemp -d -t ovbuild-tests.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$py" -m pytest -q -p no:cacheprovider --basetemp="$tmp/b" "${ignore_a[@]}" "$@" tests >"$tmp/b.log" 2>&1 &
pid_b=$!
"$py" -m pytest -q -p no:cacheprovider --basetemp="$tmp/a" "$@" "${half_a[@]}"
status_a=$?
wait "$pid_b"
status_b=$?

echo
echo "==================== half B: tests/ without ${half_a[*]} ===================="
cat "$tmp/b.log"
echo
echo "half A exit $status_a, half B exit $status_b"
# pytest's 5 (nothing collected, e.g. a -k that matches one half only) is not a failure here.
for status in "$status_a" "$status_b"; do
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
done
if [ "$status_a" -eq 5 ] && [ "$status_b" -eq 5 ]; then exit 5; fi
exit 0
