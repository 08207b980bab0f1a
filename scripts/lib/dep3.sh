#!/bin/bash
# dep3.sh PATCH ORIGINS: PATCH (git format-patch) on stdout with DEP-3
# fields added to its mail header: "[PATCH n/m] " dropped from Subject,
# then Origin (backport of the mainline commit that ORIGINS names for its
# subject, else other), Forwarded: not-needed, and Last-Update (its Date).
# The body, the diff included, is unchanged.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: dep3.sh PATCH ORIGINS" >&2; exit 2; }
awk -v origins="$2" '
BEGIN {
	FS = "\t"
	while ((getline line < origins) > 0) {
		if (line ~ /^#/ || line == "")
			continue
		split(line, f, "\t")
		commit[f[1]] = f[2]
	}
	FS = " "
	months = "JanFebMarAprMayJunJulAugSepOctNovDec"
}
# The mail header ends at the first empty line; Subject may be folded.
!done && /^Subject: / { sub(/^Subject: \[PATCH[^]]*\] /, "Subject: "); subj = substr($0, 10); insubj = 1; print; next }
!done && insubj && /^ / { subj = subj $0; print; next }
!done && /^Date: / { m = index(months, $4); date = sprintf("%s-%02d-%02d", $5, (m + 2) / 3, $3) }
!done { insubj = 0 }
!done && /^$/ {
	if (subj in commit)
		print "Origin: backport, https://git.kernel.org/linus/" commit[subj]
	else
		print "Origin: other"
	print "Forwarded: not-needed"
	print "Last-Update: " date
	done = 1
}
{ print }
' "$1"
