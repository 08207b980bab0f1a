#!/bin/bash
# Build the harness's own static test programs (tests/progs/*.c) against
# the uapi headers of the kernel under test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

headers=$KOUT/usr/include
[ -f "$headers/linux/kvm.h" ] || die "no uapi headers in $headers: run make selftests"
mkdir -p "$PROGS_OUT"
for src in "$ROOT"/tests/progs/*.c; do
	name=$(basename "$src" .c)
	ccache gcc -static -O2 -Wall -Wextra -Werror -isystem "$headers" \
		-o "$PROGS_OUT/$name" "$src"
done
log "progs: built $(ls "$ROOT"/tests/progs/*.c | wc -l) program(s) in ${PROGS_OUT#"$ROOT"/}"
