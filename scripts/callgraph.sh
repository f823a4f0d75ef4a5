#!/bin/sh
# callgraph.sh - the file-level call graph of one program's directory, and
# whether it has a circle.
#
#   sh scripts/callgraph.sh [-r] DIR OBJECT...
#
# OBJECT... are the compiled objects of DIR's sources (build/obj/DIR/x.o
# for DIR/x.c).  An edge "a.c -> b.c" means that a.o uses a symbol that
# b.o defines: a call, a function pointer taken by name, or a global
# variable.  Calls through pointers handed over at run time (a callback,
# a table registered at start) make no edge, which is the point: a lower
# module may call up only through what it is given.  Headers make no edge
# either, as one that only declares a struct costs nothing at link time.
#
# Files that share an internal header (DIR/NAME_int.h, named in the
# object's .d file), directly or through a third file, are one module cut
# in files for size: they are one node, named "a.c+b.c", and calls between
# them are not edges.
#
# Prints every edge, then each circle found (tsort names the files on
# it).  Exits 1 when there is a circle, unless -r (report only).
set -eu

report_only=0
if [ "${1:-}" = "-r" ]; then
	report_only=1
	shift
fi
if [ $# -lt 2 ]; then
	echo "usage: callgraph.sh [-r] DIR OBJECT..." >&2
	exit 2
fi
dir=$1
shift
NM=${NM:-nm}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callgraph.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Each file's internal headers: "FILE HEADER" lines.
for o in "$@"; do
	if [ ! -f "$o" ]; then
		echo "callgraph: $o: no such object (build first)" >&2
		exit 2
	fi
	f=$(basename "$o" .o).c
	d=${o%.o}.d
	{ [ -f "$d" ] && tr ' \\' '\n\n' <"$d"; } |
	    grep -E "^$dir/[A-Za-z0-9_]+_int\.h$" | sort -u |
	    sed "s|^|$f |" || true
done | sort >"$tmp/groups"
# The node of each file: itself, or the members of its group joined by
# "+", where a group is every file linked to it through shared internal
# headers (a.c and b.c share x_int.h, b.c and c.c share y_int.h: one).
awk '{ pair[NR] = $1 " " $2; lab[$1] = $1; lab[$2] = $2 }
    END {
	do {
		changed = 0
		for (i in pair) {
			split(pair[i], w, " ")
			a = lab[w[1]]; b = lab[w[2]]
			if (a == b)
				continue
			m = a < b ? a : b
			lab[w[1]] = m; lab[w[2]] = m; changed = 1
		}
		for (x in lab)
			if (lab[lab[x]] != lab[x]) {
				lab[x] = lab[lab[x]]; changed = 1
			}
	} while (changed)
	for (x in lab)
		if (x ~ /\.c$/)
			g[lab[x]] = g[lab[x]] ? g[lab[x]] "+" x : x
	for (x in lab)
		if (x ~ /\.c$/)
			print x, g[lab[x]]
    }' "$tmp/groups" >"$tmp/nodes"

# One line per symbol: "defined NODE SYM" or "uses NODE SYM".
for o in "$@"; do
	f=$(basename "$o" .o).c
	f=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/nodes" | grep . ||
	    echo "$f")
	$NM -P --defined-only --extern-only "$o" |
	    awk -v f="$f" '{ print "defined", f, $1 }'
	$NM -P --undefined-only "$o" | awk -v f="$f" '{ print "uses", f, $1 }'
done >"$tmp/syms"

# Edges between two different files of DIR, each once.
awk '$1 == "defined" { def[$3] = $2; next }
    { use[NR] = $2 " " $3 }
    END {
	for (i in use) {
		split(use[i], w, " ")
		if ((w[2] in def) && def[w[2]] != w[1])
			print w[1], def[w[2]]
	}
    }' "$tmp/syms" | sort -u >"$tmp/edges"

echo "$dir: file-level call graph ($(wc -l <"$tmp/edges") edges)"
sed 's/ / -> /' "$tmp/edges" | sed 's/^/  /'

# tsort names the files of each circle it meets on stderr.
if tsort "$tmp/edges" >/dev/null 2>"$tmp/loops"; then
	echo "$dir: no circle between files"
	exit 0
fi
echo "$dir: circles between files (each block is one circle):"
sed -n 's/^tsort: -\{0,1\}[^:]*: input contains a loop:$/  circle:/p;
    s/^tsort: \([^ ]*\)$/    \1/p' "$tmp/loops"
if [ "$report_only" = 1 ]; then
	echo "$dir: report only, not failing"
	exit 0
fi
exit 1
