#!/bin/bash
# Build the harness's own static test programs (tests/progs/*.c) against
# the uapi headers of the kernel under test.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

headers=$KOUT/usr/include
[ -f "$headers/linux/kvm.h" ] || die "no uapi headers in $headers: run make selftests"
mkdir -p "$PROGS_OUT"
for src in "$ROOT"/tests/progs/*.c; do
	name=$(basename "$src" .c)
	ccache gcc -static -O2 -Wall -Wextra -Werror -isystem "$headers" \
		-o "$PROGS_OUT/$name" "$src"
done
# The VMM example (examples/gmem-vmm), when present, against the same headers.
if [ -f "$ROOT/examples/gmem-vmm/Makefile" ]; then
	make -s -C "$ROOT/examples/gmem-vmm" CC="ccache gcc" \
		KHDR_INCLUDES="-isystem $headers" OUTPUT="$PROGS_OUT"
fi
log "progs: built $(ls "$ROOT"/tests/progs/*.c | wc -l) program(s) in ${PROGS_OUT#"$ROOT"/}"
