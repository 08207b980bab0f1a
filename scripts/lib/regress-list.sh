#!/bin/bash
# regress-list.sh [SRCTREE]: the compiled KVM selftests of $ARCH, as the
# kernel's own tools/testing/selftests/kvm/Makefile lists them
# (TEST_GEN_PROGS), one path per line relative to the selftests output
# directory, e.g. "x86_64/cpuid_test". SRCTREE defaults to the tree in use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${1:-$TREE}
dir=$src/tools/testing/selftests/kvm
[ -f "$dir/Makefile" ] || die "no KVM selftests Makefile in $dir"

# A second makefile adds a target that prints the variable; OUTPUT is a
# marker stripped again below. make failing and an empty list are two
# different errors.
printer=$(mktemp)
trap 'rm -f "$printer"' EXIT
printf 'harness-print-tests:\n\t@printf "%%s\\n" $(TEST_GEN_PROGS)\n' >"$printer"
if ! list=$(make -s --no-print-directory -C "$dir" -f Makefile -f "$printer" \
	ARCH="$SELFTESTS_ARCH" OUTPUT=/@OUT@ harness-print-tests); then
	die "make could not list the tests of $dir/Makefile (its error is above)"
fi
tests=$(sed -n 's|^/@OUT@/||p' <<<"$list")
[ -n "$tests" ] || die "$dir/Makefile lists no tests (TEST_GEN_PROGS is empty for ARCH=$SELFTESTS_ARCH)"
echo "$tests"
