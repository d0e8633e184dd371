#!/usr/bin/env bash
# Builds the main package of one of the project's Go modules once per machine and caches the binary:
# the SDK generator (scripts/codegen/sdkgen, used by `npm run generate:sdks`) and the Go end-to-end
# program (tests/e2e/go, which uses the generated SDK in sdk/go through a `replace`).
#
# Usage:  scripts/go-binary.sh MODULE_DIR [HASHED_DIR…]
# The LAST line of stdout is the binary's path; progress and errors go to stderr.
#
# Cache: $cache_root/go-<name>-<hash>/bin/<name>, <name> being MODULE_DIR's path in the repository
# with dashes for slashes (scripts-codegen-sdkgen, tests-e2e-go), where the hash covers the
# Go version and every file of MODULE_DIR and each HASHED_DIR (a directory its go.mod replaces a
# module with), so that any change to them builds anew; scripts/lib/cache.sh says where $cache_root
# is. Dependencies come from GOPROXY (go.sum pins them) into GOMODCACHE, the compiled packages land
# in GOCACHE: a second module that shares them (sdkgen and the e2e program share the pulumi sdk)
# compiles faster. Cold, on 2 cores: about 100 s for sdkgen, about 4 min for the e2e program (its
# dependency graph is the pulumi sdk's Automation API). Cached: well under a second.
set -euo pipefail

root=$(cd -- "$(dirname -- "$0")/.." && pwd)
log_tag=[go-binary]
# cache_root, log, die, hash_of, build_into, require_go
source "$root/scripts/lib/cache.sh"

[[ $# -ge 1 ]] || die "usage: scripts/go-binary.sh MODULE_DIR [HASHED_DIR…]"
module_dir=$(cd -- "$1" && pwd) || die "no directory $1"
shift
[[ -f $module_dir/go.mod ]] || die "$module_dir has no go.mod"
# Named by its path in the repository: tests/e2e/go is tests-e2e-go.
rel=${module_dir#"$root/"}
name=${rel//\//-}
require_go "$module_dir/go.mod"
# No toolchain download at run time, no edits to go.mod or go.sum: they are committed.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

# Every file (sorted, by path and content) of the module and of the directories it replaces into.
# Python's byproducts in sdk/python-like trees and editor files are not sources.
sources() {
	local dir
	for dir in "$module_dir" "$@"; do
		(cd -- "$dir" && find . -type f ! -path '*/__pycache__/*' ! -name '*.swp' -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum)
	done
}
hash=$( {
	go env GOVERSION GOOS GOARCH
	sources "$@"
} | sha256sum | cut -c1-12)
dest=$cache_root/go-$name-$hash

fill() {
	local work=$1 out
	out=$(mktemp)
	log "downloading $name's Go modules (GOPROXY=$(go env GOPROXY))"
	if ! (cd "$module_dir" && go mod download) >"$out" 2>&1; then
		tail -n 40 "$out" >&2
		die "the Go module proxy did not serve $name's modules (go.sum pins them): check GOPROXY and the network"
	fi
	log "compiling $name (once per change; minutes when GOCACHE is cold)"
	if ! (cd "$module_dir" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/$name" .) >"$out" 2>&1; then
		cat "$out" >&2
		die "building ${module_dir#"$root/"} failed"
	fi
	rm -f "$out"
}

if [[ ! -x $dest/bin/$name ]]; then
	build_into "$dest" fill
	log "cached in $dest"
fi
printf '%s\n' "$dest/bin/$name"
