#!/bin/sh
# Installs the Debian packages leakgate needs to build (and, with "test",
# to test) when any is missing.  As root it runs apt-get; otherwise it
# prints the exact command and fails.
set -eu

need=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
want() { need="$need $1"; }

command -v pkg-config >/dev/null 2>&1 || want pkg-config
command -v cc >/dev/null 2>&1 || want gcc
have_pc libpcre2-8 || want libpcre2-dev
have_pc libgit2 || want libgit2-dev
have_pc libxxhash || want libxxhash-dev
have_pc yaml-0.1 || want libyaml-dev
have_pc jansson || want libjansson-dev
have_pc zlib || want zlib1g-dev
have_pc libhs || want libvectorscan-dev
have_pc libdeflate || want libdeflate-dev
have_pc libcrypto || want libssl-dev
# The binary links Vectorscan statically, and with it libstdc++'s archive.
[ -n "$(cc -print-file-name=libstdc++.a 2>/dev/null | grep /)" ] || want g++
command -v scdoc >/dev/null 2>&1 || want scdoc
have_pc libcurl || want libcurl4-openssl-dev
have_pc sqlite3 || want libsqlite3-dev
have_pc libarchive || want libarchive-dev
if [ "${1:-}" = test ]; then
	have_pc criterion || want libcriterion-dev
	# The verification tests' stub provider speaks TLS with a CA made by openssl.
	have_pc openssl || want libssl-dev
	command -v openssl >/dev/null 2>&1 || want openssl
	command -v git >/dev/null 2>&1 || want git
	command -v pre-commit >/dev/null 2>&1 || want pre-commit
	# The SARIF validator runs on node (installed from npm on first use).
	command -v node >/dev/null 2>&1 || want nodejs
	command -v npm >/dev/null 2>&1 || want npm
	command -v xmllint >/dev/null 2>&1 || want libxml2-utils
fi
# Optional: `make fuzz` needs clang and libFuzzer's runtime.
if [ "${1:-}" = fuzz ]; then
	command -v clang >/dev/null 2>&1 || want clang
	[ -n "$(clang -print-file-name=libclang_rt.fuzzer-$(uname -m).a 2>/dev/null |
		grep /)" ] || want libclang-rt-dev
fi

[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing:$need" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -q $need >/dev/null
	exit 0
fi
echo "leakgate needs these Debian packages; run:" >&2
echo "  sudo apt-get install -y$need" >&2
exit 1
