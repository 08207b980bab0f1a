#!/bin/bash
# Print the branch description (subject, blank line, body) held by a
# format-patch cover letter: the subject without its [PATCH 0/N] prefix, and
# the body up to the shortlog/diffstat that format-patch generates itself.
set -euo pipefail

[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 0000-cover-letter.patch" >&2; exit 2; }

awk '
	in_body == 0 && /^Subject: / { sub(/^Subject: (\[[^]]*\] *)?/, ""); subject = $0; in_subj = 1; next }
	in_body == 0 && in_subj && /^[ \t]/ { sub(/^[ \t]+/, " "); subject = subject $0; next }
	in_body == 0 { in_subj = 0 }
	in_body == 0 && /^$/ { in_body = 1; next }
	in_body == 0 { next }
	/^[^ ].* \([0-9]+\):$/ || /^base-commit: / || /^-- $/ { exit }
	{ body[++n] = $0 }
	END {
		while (n > 0 && body[n] ~ /^[ \t]*$/) n--
		print subject
		if (n > 0) print ""
		for (i = 1; i <= n; i++) print body[i]
	}
' "$1"
