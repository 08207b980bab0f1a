#!/bin/bash
# Remove build outputs: kernels, selftests, programs, VM images and logs,
# the mutation runs (worktree, kernels, results),
# the gate, lint, check/test, bench and regression outputs, the base
# kernel, the arm64 guest's busybox. Keeps the edit tree build/linux, an unfinished rebase
# (build/rebase), the old trees make rebase kept (build/linux-VERSION),
# the downloaded sources (build/source) and make deb's build/deb-ARCH (its
# packages, and a Debian-config build that takes hours: make distclean
# removes it).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

take_build_lock
rm -rf "$BUILD"/kernel-* "$BUILD"/selftests-* "$BUILD"/progs-* "$BUILD"/vm-* \
	"$BUILD"/check "$BUILD"/test "$BUILD"/check-* "$BUILD"/test-* "$BUILD"/bench-* \
	"$BUILD"/regress-* "$BUILD"/base-* "$BUILD"/gates-* "$BUILD"/lint-* \
	"$BUILD"/busybox-* "$BUILD"/mutate-* "$BUILD"/apt-update.log
# Worktrees of build/linux (gates, base, mutate) were removed with their dirs.
[ ! -d "$TREE/.git" ] || git -C "$TREE" worktree prune
log "clean: removed build outputs; kept build/linux, build/source, build/rebase, build/linux-*, build/deb-*"
