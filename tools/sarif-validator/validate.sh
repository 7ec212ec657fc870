#!/bin/sh
# Validates SARIF files with the SARIF 2.1.0 schema and Microsoft's SARIF
# Multitool (see validate.js).  The first run installs the pinned tools
# (package-lock.json) from npm into $LEAKGATE_TOOLS/sarif-validator
# (default: build/tools); later runs reuse them.
#
#   validate.sh FILE...    exit 0 valid, 1 invalid, 2 install or tool error,
#                          77 node or npm is not installed (a test skips)
#   validate.sh --install  only installs (for a CI or Makefile step)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tools=${LEAKGATE_TOOLS:-$here/../../build/tools}
dest=$tools/sarif-validator

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "sarif-validator: node and npm are not installed" \
		"(apt-get install -y nodejs npm)" >&2
	exit 77
fi

install_tools() {
	# The stamp is written last: an interrupted install is redone.
	if cmp -s "$here/package-lock.json" "$dest/installed.stamp"; then
		return 0
	fi
	rm -rf "$dest/node_modules" "$dest/installed.stamp"
	cp "$here/package.json" "$here/package-lock.json" "$dest/"
	# The Multitool's only install script is a chmod, done here instead.
	# Its own cache: tests run with HOME pointing nowhere.
	npm ci --prefix "$dest" --cache "$tools/npm-cache" --ignore-scripts \
		--no-audit --no-fund --update-notifier=false --loglevel=error >&2 || exit 2
	chmod u+x "$dest"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool
	cp "$here/package-lock.json" "$dest/installed.stamp"
}

mkdir -p "$dest"
# Tests run in parallel: one installs, the others wait for it.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$dest/.lock"
	flock 9
fi
install_tools
if command -v flock >/dev/null 2>&1; then
	flock -u 9
fi

[ "${1:-}" = --install ] && exit 0
NODE_PATH=$dest/node_modules
export NODE_PATH
exec node "$here/validate.js" "$@"
