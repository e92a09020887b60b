#!/bin/sh
# sqlmap.sh: sqlmap (Debian's package) against the search box, the comment form
# and the admin login of a real parley behind nginx.  Bounded: level and risk 1,
# no time-based payloads, SQLMAP_SECONDS (300) per target at most.
#   tests/security/sqlmap.sh            uses build/asan (sanitizers watch the programs)
#   PARLEY_BUILD_DIR=build/release tests/security/sqlmap.sh
# Exit status: 0 nothing injectable, 1 an injection point found, 2 a target not tested, 77 skipped.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v sqlmap >/dev/null 2>&1 || { echo "skip: sqlmap is not installed (apt-get install sqlmap)"; exit 77; }
export PARLEY_SOURCE_DIR="$ROOT"
export PARLEY_BUILD_DIR="${PARLEY_BUILD_DIR:-$ROOT/build/asan}"
export NGINX="${NGINX:-/usr/sbin/nginx}"
exec /usr/bin/python3 -B "$ROOT/tests/security/sqlmap_scan.py"
