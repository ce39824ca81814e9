#!/usr/bin/env bash
# Runs mosquitto 2.1.2's own client tests (test/client/ in its release tarball) against tspub and
# tssub: an outside check of the drop-in claim, not part of `npm test`. The tarball is unpacked into
# a temp dir and never copied into this project; the tests start 2.1.2's broker and run the tools
# in place of mosquitto_pub/mosquitto_sub. The tests are changed in two ways only, for ours: the
# program name in the "Use '<prog> --help' to see usage." line they expect, and the exit status of
# --help and --version (0 for ours: a deliberate difference, see the README).
#
#   bash scripts/mosquitto-client-tests.sh [--theirs] [--patient] [TEST.py...]
#
# --theirs runs the same tests against 2.1.2's own clients (the baseline). --patient gives a
# subscriber 1 s instead of the tests' 0.1 s to subscribe before they publish, which tells start-up
# time apart from behaviour (Node starts slower than a C program). Needs python3 (standard
# library only), mosquitto 2.1.2 built by .ci/run ($TSMQTT_MOSQUITTO21) and the tarball
# (shared/vendor/mosquitto-2.1.2.tar.gz beside this checkout, or $TSMQTT_SHARED).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
theirs=
patient=
while [ $# -gt 0 ]; do
  case $1 in
    --theirs) theirs=1 ;;
    --patient) patient=1 ;;
    *) break ;;
  esac
  shift
done

prefix=${TSMQTT_MOSQUITTO21:-$HOME/.cache/tspub-ci/mosquitto-2.1.2}
[ -x "$prefix/sbin/mosquitto" ] || { echo "no mosquitto 2.1.2 in $prefix (run .ci/run once)" >&2; exit 2; }
tarball=
for d in "${TSMQTT_SHARED:-}" "$root/../shared" /work/shared; do
  [ -n "$d" ] && [ -f "$d/vendor/mosquitto-2.1.2.tar.gz" ] && { tarball=$d/vendor/mosquitto-2.1.2.tar.gz; break; }
done
[ -n "$tarball" ] || { echo "cannot find vendor/mosquitto-2.1.2.tar.gz (set TSMQTT_SHARED)" >&2; exit 2; }

work=$(mktemp -d /tmp/tspub-mosq-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" --strip-components=1 mosquitto-2.1.2/test
# A build root as the tests expect it: client/mosquitto_{pub,sub} and src/mosquitto.
mkdir -p "$work/build/client" "$work/build/src"
ln -s "$prefix/sbin/mosquitto" "$work/build/src/mosquitto"
for t in pub sub; do
  if [ -n "$theirs" ]; then
    ln -s "$prefix/bin/mosquitto_$t" "$work/build/client/mosquitto_$t"
  else
    printf '#!/bin/sh\nexec "%s/bin/ts%s" "$@"\n' "$root" "$t" > "$work/build/client/mosquitto_$t"
    chmod +x "$work/build/client/mosquitto_$t"
    sed -i "s/'mosquitto_$t --help'/'ts$t --help'/" "$work"/test/client/0*.py
  fi
done
[ -n "$theirs" ] || sed -i "s/do_test(\['--\(help\|version\)'\], None, 1)/do_test(['--\1'], None, 0)/" "$work"/test/client/0*.py
[ -z "$patient" ] || sed -i 's/time\.sleep(0\.1)/time.sleep(1)/' "$work"/test/client/0*.py

cd "$work/test/client"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(02-*.py 03-*.py)
pass=0
fail=()
for t in "${tests[@]}"; do
  # Free ports, as many as test.py's table gives the test (the WebSocket and SOCKS tests take two).
  count=$(sed -n "s|^ *(\([0-9]\), './$t'),.*|\1|p" test.py)
  ports=$(python3 -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))' "${count:-1}")
  # shellcheck disable=SC2086
  if BUILD_ROOT="$work/build" timeout 120 python3 "./$t" $ports > "$work/$t.log" 2>&1; then
    pass=$((pass + 1))
    echo "pass $t"
  else
    fail+=("$t")
    echo "FAIL $t"
    sed 's/^/    /' "$work/$t.log" | tail -n 15
  fi
done
echo "$pass passed, ${#fail[@]} failed${fail[*]:+: ${fail[*]}}"
[ ${#fail[@]} -eq 0 ]
