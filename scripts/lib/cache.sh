# shellcheck shell=bash
# Sourced by the scripts that keep a per-machine cache of what the tests need (scripts/huawei-sdks.sh,
# scripts/python-env.sh): where the cache is, how an entry is built without ever leaving half of
# one, and a virtual environment from pinned requirements. The caller defines `log` and `die`.

cache_root=${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}

# hash_of FILE...: a short hash of the files' contents.
hash_of() { cat "$@" | sha256sum | cut -c1-12; }

# build_into DEST FILL: runs FILL with a fresh temporary directory beside DEST as its argument,
# then moves that directory to DEST whole (another run may have won: then its DEST is used).
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

# make_venv DIR PYTHON PIP_INSTALL_ARGS...: a virtual environment in DIR made by PYTHON, with
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
