#!/bin/bash
# make rebase [VERSION=x]: move the series to linux-source VERSION (default:
# the newest apt offers), for every Debian 6.12 update:
#   1. fetch VERSION's tarball (scripts/lib/base-fetch.sh; nothing installed) and
#      build a new tree on it in build/rebase/linux;
#   2. apply patches/ there with `git am -3` (the old base's objects are
#      fetched from build/linux, so git can merge where a hunk moved);
#   3. on a conflict: stop, show the files and hunks, say how to go on;
#   4. with every patch in: the new tree becomes build/linux (the old one
#      is kept as build/linux-OLDVERSION), config/base.env pins VERSION and
#      its sha256, and patches/ is exported from the new tree.
# After a conflict is resolved (git am --continue), `make rebase` again
# finishes with step 4. Until step 4, build/linux, patches/ and the pin are
# untouched; `rm -rf build/rebase` gives the rebase up.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

work=$BUILD/rebase
new=$work/linux

# conflict: git am stopped; show where and say how to go on.
conflict() {
	local n total patch files
	n=$(cat "$new/.git/rebase-apply/next")
	total=$(cat "$new/.git/rebase-apply/last")
	patch=$(series_patches | sed -n "${n}p")
	files=$(git -C "$new" diff --name-only --diff-filter=U)
	if [ -n "$files" ]; then
		git -C "$new" --no-pager diff >"$work/conflict.diff"
		echo "---- conflicts (first 60 lines; all in ${work#"$ROOT"/}/conflict.diff) ----" >&2
		head -n 60 "$work/conflict.diff" >&2
	else
		echo "---- git apply --check -v ${patch#"$ROOT"/} ----" >&2
		git -C "$new" apply --check -v "$new/.git/rebase-apply/patch" >&2 || true
	fi
	echo "----" >&2
	echo "patch $n of $total does not apply to $version: ${patch#"$ROOT"/}" >&2
	[ -z "$files" ] || echo "conflicting file(s): $(echo $files)" >&2
	cat >&2 <<-MSG
	To go on: fix the files in build/rebase/linux (where git could not merge,
	  the patch's hunks are in .git/rebase-apply/patch), then
	    git -C build/rebase/linux add FILE...
	    git -C build/rebase/linux am --continue
	  and again for each later conflict; then run make rebase again to finish.
	To give up: rm -rf build/rebase (build/linux, patches/ and the pin are untouched).
	MSG
	die "rebase stopped at ${patch#"$ROOT"/}"
}

start() {
	local total
	local -a patches
	version=${VERSION:-$(apt_newest_version)}
	[ -n "$version" ] || die "apt lists no $BASE_PKG (apt-get update, as root)"
	if [ "$version" = "$BASE_VERSION" ]; then
		log "rebase: the pin is $version already; nothing to do"
		exit 0
	fi
	[ -n "$(apt_deb_sha256 "$version")" ] ||
		die "apt offers no $BASE_PKG=$version (apt-cache madison $BASE_PKG lists what it has)"
	dpkg --compare-versions "$version" gt "$BASE_VERSION" ||
		warn "$version is older than the pinned $BASE_VERSION"
	[ -d "$TREE/.git" ] || die "no build/linux: run make tree first (the rebase starts from it)"
	! tree_is_dirty || die "build/linux has uncommitted changes: commit them and make export, or discard them"
	have=$(tree_patch_ids)
	want=$(series_patch_ids)
	[ "$have" = "$want" ] || die "build/linux and patches/ differ: make export (keeps the tree's commits) or make tree (keeps patches/) first"
	mapfile -t patches < <(series_patches)
	total=${#patches[@]}

	log "rebase: $BASE_VERSION -> $version, $total patch(es)"
	mkdir -p "$work"
	echo "$version" >"$work/version"
	# A failure before the new tree exists (no such version, no network)
	# leaves nothing behind.
	trap '[ -d "$new" ] || rm -rf "$work"' EXIT
	HARNESS_TREE=$new "$ROOT/scripts/lib/tree-create.sh" "$version"
	# The blobs the patches' index lines name (the old base and each step of
	# the series) let git am merge 3-way. Unrelated histories: git sends
	# every object, about 1.5 min.
	log "rebase: fetching the old tree's objects for 3-way merges"
	git -C "$new" fetch -q --no-tags "$TREE" "+HEAD:refs/old-series"
	desc=$(git -C "$TREE" config branch.main.description || true)
	[ -z "$desc" ] || git -C "$new" config branch.main.description "$desc"
	git -C "$new" am -q -3 --committer-date-is-author-date "${patches[@]}" || conflict
	log "rebase: all $total patch(es) applied to $version"
}

finish() {
	local prev sum old=$BASE_VERSION
	[ ! -e "$new/.git/rebase-apply" ] ||
		die "git am is still stopped in build/rebase/linux: resolve, git add, git -C build/rebase/linux am --continue, then make rebase"
	[ -z "$(git -C "$new" status --porcelain)" ] ||
		die "build/rebase/linux has uncommitted changes: commit them (git am --continue) first"
	sum=$(sha256_of "$(source_tarball "$version")")
	prev=$BUILD/linux-$old
	[ ! -e "$prev" ] || die "${prev#"$ROOT"/} exists: remove it, it is where build/linux goes"

	sed -e "s/^BASE_VERSION=.*/BASE_VERSION=$version/" \
		-e "s/^BASE_SHA256=.*/BASE_SHA256=$sum/" "$ROOT/config/base.env" >"$work/base.env"
	git -C "$new" update-ref -d refs/old-series
	mv "$TREE" "$prev"
	mv "$new" "$TREE"
	mv "$work/base.env" "$ROOT/config/base.env"
	rm -rf "$work"
	log "rebase: build/linux is on $version now (the old tree: ${prev#"$ROOT"/})"
	"$ROOT/scripts/export.sh"
	cat >&2 <<-MSG
	Pinned $version (sha256 $sum) in config/base.env; patches/ exported.
	Next: make regress-base (records the new base's results), make check, then
	  git add config/base.env patches tests/regress-base-*.results && git commit
	MSG
}

export GIT_COMMITTER_NAME=$HARNESS_GIT_NAME GIT_COMMITTER_EMAIL=$HARNESS_GIT_EMAIL
take_build_lock
if [ -d "$new" ]; then
	version=$(cat "$work/version" 2>/dev/null) ||
		die "build/rebase/linux exists without build/rebase/version: rm -rf build/rebase"
	[ -z "${VERSION:-}" ] || [ "$VERSION" = "$version" ] ||
		die "a rebase to $version is in progress in build/rebase: finish it (make rebase) or rm -rf build/rebase"
	log "rebase: finishing the rebase to $version"
else
	start
fi
finish
