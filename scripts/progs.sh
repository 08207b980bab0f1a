#!/bin/bash
# Build the harness's own static test programs (tests/progs/*.c) against
# the uapi headers of the kernel under test.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

s0=$SECONDS
headers=$KOUT/usr/include
[ -f "$headers/linux/kvm.h" ] || die "no uapi headers in $headers: run make selftests"
mkdir -p "$PROGS_OUT"
# PROGS and EXAMPLES of config/$ARCH.env: what runs on this architecture.
for name in $PROGS; do
	src=$ROOT/tests/progs/$name.c
	[ -f "$src" ] || die "config/$ARCH.env: PROGS names $name, but tests/progs/$name.c does not exist"
	ccache "${CROSS_COMPILE}gcc" -static -O2 -Wall -Wextra -Werror -isystem "$headers" \
		-o "$PROGS_OUT/$name" "$src"
done
for name in $EXAMPLES; do
	[ -f "$ROOT/examples/$name/Makefile" ] || die "config/$ARCH.env: EXAMPLES names $name, but examples/$name/Makefile does not exist"
	make -s -C "$ROOT/examples/$name" CC="ccache ${CROSS_COMPILE}gcc" \
		KHDR_INCLUDES="-isystem $headers" OUTPUT="$PROGS_OUT"
done
log "progs: built $PROGS $EXAMPLES in ${PROGS_OUT#"$ROOT"/}"
step_time "$ARCH: make progs" "$s0"
