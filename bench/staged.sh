#!/bin/sh
# usage: bench/staged.sh
#
# Times `leakgate staged` (what the pre-commit hook runs) on a 10-file
# change staged in a repository of 50,000 files, 5,000 directories and
# many commits, and prints a Markdown table of median wall times.  The
# target is under 50 ms.  The repository is generated once (git
# fast-import) and kept under $BENCH_DIR; each run resets it and stages
# the change again.  Uses hyperfine when installed (apt-get install -y
# hyperfine), else a loop timed with date +%s%N.
#
# Environment: LEAKGATE (default build/leakgate), BENCH_DIR (default
# build/bench), BENCH_RUNS (default 30), BENCH_RT=1 to time at real-time
# priority (chrt -f 50, as root): on a busy machine, what an idle one sees.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LG=${LEAKGATE:-$ROOT/build/leakgate}
WORK=${BENCH_DIR:-$ROOT/build/bench}
RUNS=${BENCH_RUNS:-30}
RT=
[ "${BENCH_RT:-0}" = 1 ] && RT="chrt -f 50"
REPO=$WORK/staged-sh
FILES=50000
COMMITS=300

note() { echo "staged.sh: $*" >&2; }

# A fast-import stream: one commit of $FILES files (100 top directories of
# 50 subdirectories of 10 files), then $COMMITS-1 commits of 20 edits.
stream() {
	awk -v files="$FILES" -v commits="$COMMITS" '
	function body(f, v,   k, s) {
		s = ""
		for (k = 0; k < 12; k++)
			s = s sprintf("int value_%d_%d = %d;\n", f, k, v + k)
		return s
	}
	function put(f, v,   s) {
		s = body(f, v)
		printf "M 100644 inline src/d%02d/s%02d/f%d.c\ndata %d\n%s\n",
			int(f / 500), int(f / 10) % 50, f % 10, length(s), s
	}
	function commit(n, msg) {
		printf "commit refs/heads/main\n"
		printf "author Bench <bench@example.com> %d +0000\n", 1700000000 + n * 60
		printf "committer Bench <bench@example.com> %d +0000\n", 1700000000 + n * 60
		printf "data %d\n%s\n", length(msg), msg
	}
	BEGIN {
		commit(0, "bench: 50,000 files")
		for (f = 0; f < files; f++)
			put(f, 0)
		for (c = 1; c < commits; c++) {
			commit(c, "bench: edit " c)
			for (e = 0; e < 20; e++)
				put((c * 7919 + e * 104729) % files, c)
		}
	}'
}

make_repo() {
	note "generating $REPO ($FILES files, $COMMITS commits; once)"
	rm -rf "$REPO"
	git init -q -b main "$REPO"
	stream | git -C "$REPO" fast-import --quiet
	git -C "$REPO" reset -q --hard main
	# A commit made through the index, as a user's last commit would be.
	git -C "$REPO" -c user.name=Bench -c user.email=bench@example.com \
		commit -q --allow-empty -m "bench: checked out"
	touch "$REPO/.git/bench-ready"
}

# Ten edits in ten directories, staged.
stage_change() {
	git -C "$REPO" reset -q --hard HEAD
	for i in 0 1 2 3 4 5 6 7 8 9; do
		f=$((i * 4999 + 17))
		path=src/d$(printf %02d $((f / 500)))/s$(printf %02d $((f / 10 % 50)))/f$((f % 10)).c
		echo "int staged_edit_$i = $i;" >>"$REPO/$path"
		git -C "$REPO" add "$path"
	done
	[ "$(git -C "$REPO" diff --cached --name-only | wc -l)" -eq 10 ]
}

# timing CMD...: "MEDIAN | CPU" for a table row: the median wall time of
# $RUNS runs (after 3 warm-ups) and the mean user+sys CPU time, in ms.
# CPU time says what the command costs even on a busy machine.  Runs
# inside the repository.
timing() {
	if command -v hyperfine >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		(cd "$REPO" && $RT hyperfine -N -i --warmup 3 --runs "$RUNS" \
			--export-json "$WORK/staged-hf.json" "$*" >/dev/null 2>&1)
		for key in median user system; do
			sed -n "s/.*\"$key\": *\([0-9.e-]*\).*/\1/p" \
				"$WORK/staged-hf.json" | head -n 1
		done | awk '{ v[NR] = $1 * 1000 }
			END { printf "%.1f | %.1f", v[1], v[2] + v[3] }'
		return
	fi
	(
		cd "$REPO"
		i=0
		while [ $i -lt $((RUNS + 3)) ]; do
			t0=$(date +%s%N)
			# shellcheck disable=SC2086
			$RT "$@" >/dev/null 2>&1 || true
			t1=$(date +%s%N)
			[ $i -ge 3 ] && echo $((t1 - t0))
			i=$((i + 1))
		done
	) | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.1f | n/a", v[int((NR + 1) / 2)] / 1e6 }'
}

[ -x "$LG" ] || { note "no leakgate binary at $LG (make first)"; exit 2; }
mkdir -p "$WORK"
[ -f "$REPO/.git/bench-ready" ] || make_repo
stage_change
one=$(git -C "$REPO" diff --cached --name-only | head -n 1)

staged=$(timing "$LG" staged -q --no-progress)
startup=$(timing "$LG" scan -q --no-progress "$one")
floor=$(timing git diff --cached --quiet)
status=0
(cd "$REPO" && "$LG" staged -q --no-progress) || status=$?

echo "\`${REPO#"$ROOT"/}\`: $FILES files in 5,100 directories, $COMMITS commits;"
echo "10 files edited in 10 directories and staged. Median wall time of"
echo "$RUNS runs after 3 warm-ups ($(command -v hyperfine >/dev/null 2>&1 &&
	echo hyperfine || echo 'date +%s%N loop')${RT:+, under $RT}); $(nproc)"
echo "cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
echo
echo "| command | median wall ms | CPU ms |"
echo "|---|---:|---:|"
echo "| \`leakgate staged\` (target: under 50 ms; exit status $status) | $staged |"
echo "| \`leakgate scan\` of one staged file: start-up alone (libgit2, rules) | $startup |"
echo "| \`git diff --cached --quiet\` (git compares the index with HEAD) | $floor |"
[ "$status" -eq 0 ]
