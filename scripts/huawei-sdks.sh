#!/usr/bin/env bash
# Huawei's own MRS clients for the contract test (tests/contract/mrsSdks.test.ts), built once per
# machine and cached:
#   go      the official Go SDK's MRS v2 client (github.com/huaweicloud/huaweicloud-sdk-go-v3, the
#           version in tests/contract/go/go.mod, from the Go module proxy) built into
#           tests/contract/go/main.go. Cold (measured on 2 cores): 17 s to download the modules (the
#           SDK's zip is 48 MB; 344 MB in GOMODCACHE with its dependencies), 60 s to compile; 12 MB.
#   python  the official Python SDK (huaweicloudsdkmrs + huaweicloudsdkcore from PyPI, every
#           package pinned in tests/contract/python/requirements.txt) in a virtual environment.
#           Cold: 20-45 s (venv and pip); 52 MB.
#
# Usage:  scripts/huawei-sdks.sh go|python|all
# The LAST line of stdout is what to run: the Go program, or the venv's python (for `all`, both,
# on two lines: go first). Everything else (progress, errors) goes to stderr.
#
# Cache: ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}/
#   huawei-sdk-go-<version>-<hash of the Go program, go.mod, go.sum>/bin/mrs-contract
#   huawei-sdk-python-<version>-<hash of requirements.txt and the interpreter>/venv
# Each is built in a temporary directory beside it and moved into place whole, so an interrupted
# build never leaves a half cache. Needs `go` (>= the go.mod's version) with GOPROXY access, and
# `python3` with its venv module and PyPI access; a missing one fails first, naming what to install.
# Environment: PULUMI_TERMINATION_CACHE, GOPROXY, GOMODCACHE, GOCACHE, PIP_INDEX_URL.
set -euo pipefail

root=$(cd -- "$(dirname -- "$0")/.." && pwd)
readonly go_dir=$root/tests/contract/go
readonly py_requirements=$root/tests/contract/python/requirements.txt
readonly go_sdk=github.com/huaweicloud/huaweicloud-sdk-go-v3

log_tag=[huawei-sdks]
# cache_root, log, die, hash_of, build_into, require_go, make_venv
source "$root/scripts/lib/cache.sh"

# ---- Go ----------------------------------------------------------------------------------------

go_version=$(sed -n "s|^require $go_sdk \(v[^ ]*\)$|\1|p" "$go_dir/go.mod")
[[ -n $go_version ]] || die "tests/contract/go/go.mod names no version of $go_sdk"

fill_go() {
	local work=$1 log_file
	log_file=$(mktemp)
	log "downloading $go_sdk@$go_version and its dependencies from ${GOPROXY:-the Go module proxy}"
	if ! (cd "$go_dir" && go mod download) >"$log_file" 2>&1; then
		cat "$log_file" >&2
		die "the Go module proxy (GOPROXY=$(go env GOPROXY)) did not serve $go_sdk@$go_version: check GOPROXY and the network"
	fi
	log "building the Go SDK's MRS client (about a minute on 2 cores)"
	if ! (cd "$go_dir" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/mrs-contract" .) >"$log_file" 2>&1; then
		cat "$log_file" >&2
		die "building tests/contract/go failed"
	fi
	rm -f "$log_file"
}

provide_go() {
	require_go "$go_dir/go.mod"
	# No toolchain download at run time, no edits to go.mod or go.sum.
	export GOTOOLCHAIN=local GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"
	local dest
	dest=$cache_root/huawei-sdk-go-$go_version-$(hash_of "$go_dir/main.go" "$go_dir/go.mod" "$go_dir/go.sum")
	if [[ ! -x $dest/bin/mrs-contract ]]; then
		build_into "$dest" fill_go
		log "cached in $dest"
	fi
	printf '%s\n' "$dest/bin/mrs-contract"
}

# ---- Python ------------------------------------------------------------------------------------

py_version=$(sed -n 's/^huaweicloudsdkmrs==//p' "$py_requirements")
[[ -n $py_version ]] || die "tests/contract/python/requirements.txt pins no huaweicloudsdkmrs"

fill_python() {
	log "installing huaweicloudsdkmrs and huaweicloudsdkcore $py_version from PyPI"
	make_venv "$1/venv" "$python" -r "$py_requirements"
}

provide_python() {
	python=$(command -v python3 || true)
	[[ -n $python ]] ||
		die "Python 3 is needed for Huawei's Python SDK client in the contract test, and \`python3\` is not on PATH"
	local interpreter dest
	interpreter=$("$python" -c 'import sys; print(sys.version, sys.executable)')
	dest=$cache_root/huawei-sdk-python-$py_version-$(printf '%s\n' "$interpreter" | cat - "$py_requirements" | sha256sum | cut -c1-12)
	if ! "$dest/venv/bin/python" -c 'import huaweicloudsdkmrs.v2, huaweicloudsdkcore' >/dev/null 2>&1; then
		[[ ! -e $dest ]] || {
			log "the cached venv in $dest does not import the SDK: rebuilding it"
			rm -rf "$dest"
		}
		build_into "$dest" fill_python
		"$dest/venv/bin/python" -c 'import huaweicloudsdkmrs.v2, huaweicloudsdkcore' ||
			die "the venv in $dest does not import huaweicloudsdkmrs.v2 after its move"
		log "cached in $dest"
	fi
	printf '%s\n' "$dest/venv/bin/python"
}

case ${1:-} in
go) provide_go ;;
python) provide_python ;;
all)
	provide_go
	provide_python
	;;
*) die "usage: scripts/huawei-sdks.sh go|python|all" ;;
esac
