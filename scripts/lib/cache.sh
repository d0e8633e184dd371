# shellcheck shell=bash
# The per-machine cache that scripts/pulumi-cli.sh, huawei-sdks.sh, go-binary.sh and python-env.sh
# keep what they build in. Source it from a bash script that has `set -euo pipefail`, after setting `log_tag` (the
# "[name]" its messages start with). It defines:
#
#   cache_root          ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}
#   log MESSAGE…        "[tag] [Ns] MESSAGE" on stderr (stdout is kept for the one path a script prints)
#   die MESSAGE…        log "error: MESSAGE", exit 1
#   hash_of FILE…       the first 12 hex digits of the sha256 of the files' contents, in order
#   build_into DEST FILL
#                       runs FILL WORK (a function filling the fresh directory WORK), then moves
#                       WORK to DEST whole, so an interrupted build never leaves a half cache;
#                       when another run made DEST meanwhile, that one is kept
#   require_go GOMOD    fails early, saying what to install, unless `go` is on PATH and at least
#                       the version GOMOD's `go` line names
#   make_venv DIR PYTHON PIP_INSTALL_ARGS…
#                       a virtual environment in DIR made by PYTHON, PIP_INSTALL_ARGS installed

cache_root=${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}
cache_started=$SECONDS

log() { printf '%s [%ss] %s\n' "${log_tag:-[cache]}" "$((SECONDS - cache_started))" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

hash_of() { cat "$@" | sha256sum | cut -c1-12; }

build_into() {
	local dest=$1 fill=$2 work
	mkdir -p "$cache_root"
	work=$(mktemp -d "$cache_root/.build-$(basename "$dest").XXXXXX")
	# shellcheck disable=SC2064 # the trap must remove this build's directory.
	trap "rm -rf '$work'" EXIT
	"$fill" "$work"
	if ! mv -T "$work" "$dest" 2>/dev/null; then
		[[ -e $dest ]] || die "could not move $work to $dest"
		log "another run built $dest meanwhile: using it"
		rm -rf "$work"
	fi
	trap - EXIT
}

require_go() {
	local gomod=$1 want have
	want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")
	command -v go >/dev/null 2>&1 ||
		die "\`go\` is not on PATH: install Go >= $want (https://go.dev/dl/), which ${gomod#"${root:-}/"} needs"
	have=$(go env GOVERSION | sed 's/^go//')
	[[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1) == "$want" ]] ||
		die "Go $have is older than the $want that ${gomod#"${root:-}/"} needs: install Go >= $want (https://go.dev/dl/)"
}

# make_venv DIR PYTHON PIP_INSTALL_ARGS…: a virtual environment in DIR made by PYTHON, with
# `pip install PIP_INSTALL_ARGS` run in it (from PyPI, or PIP_INDEX_URL); fails naming the cause.
make_venv() {
	local dir=$1 python=$2 log_file
	shift 2
	log_file=$(mktemp)
	"$python" -m venv "$dir" >"$log_file" 2>&1 || {
		cat "$log_file" >&2
		die "\`$python -m venv\` failed: install Python's venv module (Debian: apt-get install python3-venv)"
	}
	if ! "$dir/bin/python" -m pip install --no-input --disable-pip-version-check --quiet "$@" >"$log_file" 2>&1; then
		cat "$log_file" >&2
		die "pip could not install $* (index: ${PIP_INDEX_URL:-as pip is configured}): check the network or PIP_INDEX_URL"
	fi
	rm -f "$log_file"
}
