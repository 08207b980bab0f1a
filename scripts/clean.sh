#!/bin/bash
# Remove build outputs (kernel, selftests, programs, VM images and logs);
# keep the edit tree build/linux.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rm -rf "$BUILD"/kernel-* "$BUILD"/selftests-* "$BUILD"/progs-* "$BUILD"/vm-* "$BUILD"/check-* \
	"$BUILD"/bench-* "$BUILD"/regress-* "$BUILD"/base-*
log "clean: removed build outputs, kept build/linux"
