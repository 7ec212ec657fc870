#!/bin/sh
# A leak gate for any CI system: scans the commits a change adds and fails
# when one of them adds a secret that is not already known.
#
#   examples/gate.sh BASE HEAD
#
# BASE is where the change starts (the target branch of a merge request, or
# the commit a push moved the branch from); HEAD is its last commit.  Only
# lines the commits BASE..HEAD add are judged, each finding attributed to
# the commit that added it.  An empty or all-zero BASE (a new branch) means
# the merge base with $LEAKGATE_DEFAULT_BRANCH (default origin/HEAD); when
# there is none either, every commit reachable from HEAD is scanned.
#
# Needs only sh, git and the leakgate binary.  Settings (environment):
#   LEAKGATE           the binary (default: leakgate on PATH)
#   LEAKGATE_REPO      the repository (default: .)
#   LEAKGATE_SARIF     where the SARIF report goes (default: leakgate.sarif)
#   LEAKGATE_JUNIT     if set, where a JUnit XML report goes too
#   LEAKGATE_BASELINE  a JSON report of known findings (default:
#                      .leakgate-baseline.json in the repository, if there)
#   LEAKGATE_ARGS      more leakgate options, e.g. "--fail-on high"
#
# Exit status: 0 no new leak, 1 a new leak, 2 an error (such as a shallow
# clone that lacks BASE: fetch more history).  The findings are printed
# (redacted) on standard error; the SARIF report is written in every case.
set -u

usage() {
	echo "usage: gate.sh BASE HEAD" >&2
	exit 2
}

[ $# -eq 2 ] || usage
base=$1
head=$2
leakgate=${LEAKGATE:-leakgate}
repo=${LEAKGATE_REPO:-.}
sarif=${LEAKGATE_SARIF:-leakgate.sarif}
baseline=${LEAKGATE_BASELINE:-}
[ -n "$head" ] || usage

if [ -z "$baseline" ] && [ -f "$repo/.leakgate-baseline.json" ]; then
	baseline=$repo/.leakgate-baseline.json
fi

# A new branch has no BASE: start where it left the default branch.
case $base in
'' | *[!0]*) ;;
*) base= ;;
esac
if [ -z "$base" ]; then
	base=$(git -C "$repo" merge-base "$head" \
		"${LEAKGATE_DEFAULT_BRANCH:-origin/HEAD}" 2>/dev/null) || base=
fi

[ -n "$base" ] || echo "gate.sh: no base commit: scanning all of $head" >&2

# The scan: `range` for a change, `history` of HEAD when there is no base.
# Word splitting of LEAKGATE_ARGS is wanted.
run() {
	if [ -n "$base" ]; then
		set -- range "$base..$head" "$@"
	else
		set -- history --ref "$head" "$@"
	fi
	if [ -n "$baseline" ]; then
		set -- "$@" --baseline "$baseline"
	fi
	# shellcheck disable=SC2086
	"$leakgate" "$@" --repo "$repo" --no-progress ${LEAKGATE_ARGS:-}
}

run --format sarif --output "$sarif"
status=$?
if [ "$status" -le 1 ] && [ -n "${LEAKGATE_JUNIT:-}" ]; then
	run --quiet --format junit --output "$LEAKGATE_JUNIT"
fi
case $status in
0)
	echo "gate.sh: no new leak in ${base:+$base..}$head (SARIF: $sarif)" >&2
	;;
1)
	echo "gate.sh: new leaks in ${base:+$base..}$head:" >&2
	run --quiet --new-only --no-color >&2
	echo "gate.sh: rotate each secret first, then remove it; see" \
		"$sarif for the full report" >&2
	;;
*)
	echo "gate.sh: leakgate failed (exit $status)" >&2
	;;
esac
exit "$status"
