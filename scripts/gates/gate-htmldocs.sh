#!/bin/bash
# Gate 5: gate-htmldocs.sh OUTDIR. `make SPHINXDIRS=virt htmldocs` at the
# tip with Debian's sphinx-build and python3, output in
# build/gates-$ARCH/docs. Every Sphinx or kernel-doc warning about a file
# the series touches (Documentation/virt/kvm/api.rst, headers pulled in by
# kernel-doc) fails unless the base build has the same one (file and
# message, no line numbers, counted); the base is built
# (build/base-$ARCH/docs) only when the tip has such warnings.
# -E: Sphinx re-reads every document, or an unchanged document would not
# repeat its warnings on the next run.
# TAP: the build itself, then one result per touched documentation file.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

[ $# -eq 1 ] || die "usage: gate-htmldocs.sh OUTDIR"
PATH=$DEBIAN_PATH
sphinx=/usr/bin/sphinx-build
[ -x "$sphinx" ] || die "$sphinx not found (Debian's python3-sphinx): run make deps"
take_build_lock
tap_begin "$1" htmldocs
gstart=$SECONDS

gates_series "no docs built"
mapfile -t changed < <(git -C "$TREE" diff --name-only "$base" "$tip")

# docs TREE OUT LOGNAME: build; OUT/.gate-docs = "FILE<TAB>LINE<TAB>LEVEL:
# MESSAGE" for every warning with a file.
docs() {
	local tree=$1 out=$2 logname=$3 s=$SECONDS rc=0
	mkdir -p "$out"
	make -C "$tree" O="$out" PYTHON3=/usr/bin/python3 SPHINXBUILD="$sphinx" \
		SPHINXDIRS=virt SPHINXOPTS=-E -j"$(nproc)" htmldocs >"$logs/$logname.log" 2>&1 || rc=$?
	sed -e 's/\x1b\[[0-9;]*[mK]//g' "$logs/$logname.log" |
		sed -nE -e "s#^($tree/|\./)?([^: ]+):([0-9]+): (WARNING|ERROR|CRITICAL|SEVERE|warning|error): (.*)\$#\2\t\3\t\4: \5#p" \
			-e "s#^($tree/|\./)?([^: ]+): (WARNING|ERROR|CRITICAL|SEVERE|warning|error): (.*)\$#\2\t\t\3: \4#p" \
			>"$out/.gate-docs"
	log "gate-htmldocs: $logname in $(elapsed_since "$s") (status $rc, $(wc -l <"$out/.gate-docs") warnings in all of virt/)"
	return "$rc"
}

gates_worktree "$GATES_TREE" "$tip"
tout=$GATES/docs
s=$SECONDS
if docs "$GATES_TREE" "$tout" htmldocs-tip; then
	tap_ok "tip: make SPHINXDIRS=virt htmldocs builds [$(elapsed_since "$s")]"
else
	tap_diag "$(tail -n 20 "$logs/htmldocs-tip.log")"
	tap_fail "tip: make SPHINXDIRS=virt htmldocs failed, see ${logs#"$ROOT"/}/htmldocs-tip.log [$(elapsed_since "$s")]"
fi

# Warnings about files the series touches.
touched_only() { awk -F'\t' 'NR == FNR { t[$0] = 1; next } ($1 in t)' <(printf '%s\n' "${changed[@]}") "$1"; }
touched_only "$tout/.gate-docs" >"$tout/.gate-docs-touched"

bout=$BUILD/base-$ARCH/docs
: >"$GATES/.gate-docs-base"
if [ -s "$tout/.gate-docs-touched" ]; then
	gates_worktree "$BASE_WT" "$base"
	docs "$BASE_WT" "$bout" htmldocs-base || true
	touched_only "$bout/.gate-docs" >"$GATES/.gate-docs-base"
fi

mapfile -t docfiles < <(printf '%s\n' "${changed[@]}" | grep -E '^Documentation/.*\.rst$' || true)
# Other touched files (headers with kernel-doc) only get a result if they warn.
mapfile -t others < <(cut -f1 "$tout/.gate-docs-touched" | grep -vE '^Documentation/.*\.rst$' | sort -u || true)
for f in "${docfiles[@]}" "${others[@]}"; do
	[ -n "$f" ] || continue
	mapfile -t bad < <(gates_new_warnings "$GATES/.gate-docs-base" "$tout/.gate-docs-touched" "$f" |
		while IFS=$'\t' read -r file ln msg; do
			who="?"
			[ -z "$ln" ] || who=$(gates_blame "$GATES_TREE" "$tip" "$file" "$ln")
			echo "$file:$ln: $msg [$who]"
		done)
	n=$(awk -F'\t' -v f="$f" '$1 == f' "$tout/.gate-docs-touched" | wc -l)
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "$f: htmldocs adds no warning ($n at the tip, all also at the base)"
	else
		tap_diag "${bad[@]}"
		tap_fail "$f: ${#bad[@]} new htmldocs warning(s): ${bad[0]}${bad[1]:+ (+$((${#bad[@]} - 1)) more)}"
	fi
done
tap_end
log "gate-htmldocs: done in $(elapsed_since "$gstart")"
