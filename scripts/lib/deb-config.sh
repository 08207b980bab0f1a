#!/bin/bash
# deb-config.sh DEBIAN_CONFIG TREE OUT: OUT/.config for make deb
# (scripts/deb.sh): Debian's config with DISTRO_OVERRIDES (config/$ARCH.env)
# on top, olddefconfig, each override checked to have taken effect.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: deb-config.sh DEBIAN_CONFIG TREE OUT"
cfg=$1 tree=$2 out=$3
overrides=$ROOT/$DISTRO_OVERRIDES
mkdir -p "$out"
clog=$out/.config.log
cmake() { (TREE=$tree KOUT=$out kmake "$@") >>"$clog" 2>&1 || die "deb-config: make $* failed; log: ${clog#"$ROOT"/}"; }

: >"$clog"
cat "$cfg" "$overrides" >"$out/.config"
cmake olddefconfig
grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$overrides" |
	while read -r line; do
		grep -qxF "$line" "$out/.config" ||
			die "deb-config: ${overrides#"$ROOT"/}: '$line' did not take effect (Kconfig dependencies?)"
	done
log "deb-config: Debian's config + ${overrides#"$ROOT"/}: $(grep -c '=y$' "$out/.config") built-in, $(grep -c '=m$' "$out/.config") modules"
