#!/bin/bash
# Make build/kernel-$ARCH/.config: tinyconfig + the fragment(s) (only when
# they changed, so builds stay incremental), olddefconfig, then check that
# every option has the requested value (the last fragment that names it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# KERNEL_FRAGMENT, then EXTRA_FRAGMENTS (HARNESS_EXTRA_FRAGMENTS) in order.
fragments=()
for f in $KERNEL_FRAGMENT $EXTRA_FRAGMENTS; do
	[ -f "$ROOT/$f" ] || die "config fragment $f not found"
	fragments+=("$ROOT/$f")
done
stamp=$KOUT/.harness-fragment.sha256
mkdir -p "$KOUT"

sum=$(cat "${fragments[@]}" | sha256sum | awk '{ print $1 }')
if [ ! -f "$KOUT/.config" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$sum" ]; then
	log "kernel: configuring (tinyconfig + $KERNEL_FRAGMENT $EXTRA_FRAGMENTS)"
	kmake -s tinyconfig
	(cd "$TREE" && ARCH="$KERNEL_ARCH" scripts/kconfig/merge_config.sh -m -O "$KOUT" \
		"$KOUT/.config" "${fragments[@]}" >/dev/null)
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
done < <(awk '	# the last line about each option, in first-seen order
	/^CONFIG_[A-Za-z0-9_]+=/ { k = $0; sub(/=.*/, "", k) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { k = $2 }
	k != "" { if (!(k in v)) order[++n] = k; v[k] = $0; k = "" }
	END { for (i = 1; i <= n; i++) print v[order[i]] }' "${fragments[@]}")
[ "$missing" -eq 0 ] || die "$missing option(s) of $KERNEL_FRAGMENT $EXTRA_FRAGMENTS did not survive into $KOUT/.config (missing dependency?)"
log "kernel: config ok"
