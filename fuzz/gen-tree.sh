#!/bin/sh
# usage: gen-tree.sh DIR FILES
# Writes FILES small text files spread over 20 directories under DIR, each
# holding filler lines and a URL with a password (made up at run time from
# a fixed seed), plus one 2 MB file: work for every thread of a scan.
set -eu
dir=$1
n=$2
for d in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
	mkdir -p "$dir/d$d"
done
awk -v dir="$dir" -v n="$n" 'BEGIN {
	srand(8)
	a = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for (i = 0; i < n; i++) {
		f = dir "/d" (i % 20) "/f" i ".txt"
		pw = ""
		for (k = 0; k < 14; k++)
			pw = pw substr(a, int(rand() * length(a)) + 1, 1)
		for (l = 0; l < 20; l++)
			print "line " l " of file " i ": nothing here" > f
		print "remote = https://u" i ":" pw "@git.example.org/r" > f
		close(f)
	}
	f = dir "/big.txt"
	for (l = 0; l < 40000; l++)
		print "filler " l ": a ghp_ prefix, a :// and no secret" > f
	close(f)
}'
