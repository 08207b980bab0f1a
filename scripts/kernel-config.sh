#!/bin/bash
# Make build/kernel-$ARCH/.config: tinyconfig + the fragment (only when the
# fragment changed, so builds stay incremental), olddefconfig, then check
# that every option of the fragment has the requested value.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragment=$ROOT/$KERNEL_FRAGMENT
stamp=$KOUT/.harness-fragment.sha256
mkdir -p "$KOUT"

sum=$(sha256sum <"$fragment" | awk '{ print $1 }')
if [ ! -f "$KOUT/.config" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$sum" ]; then
	log "kernel: configuring (tinyconfig + $KERNEL_FRAGMENT)"
	kmake -s tinyconfig
	(cd "$TREE" && ARCH="$KERNEL_ARCH" scripts/kconfig/merge_config.sh -m -O "$KOUT" \
		"$KOUT/.config" "$fragment" >/dev/null)
	echo "$sum" >"$stamp"
fi
# Every time: the series may change Kconfig.
kmake -s olddefconfig

missing=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$KOUT/.config" && continue
		got=$(grep -E "^(# )?${line%%=*}[= ]" "$KOUT/.config" || echo "absent")
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -qE "^$opt=" "$KOUT/.config" || continue
		got=$(grep -E "^$opt=" "$KOUT/.config")
		;;
	*) continue ;;
	esac
	warn "config: wanted '$line', got '$got'"
	missing=$((missing + 1))
done <"$fragment"
[ "$missing" -eq 0 ] || die "$missing option(s) of $KERNEL_FRAGMENT did not survive into $KOUT/.config (missing dependency?)"
log "kernel: config ok"
