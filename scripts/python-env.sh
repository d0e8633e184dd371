#!/usr/bin/env bash
# The Python toolchain for Pulumi programs in Python (tests/e2e/python.test.ts,
# examples/python-nodeman), made by this script once per machine and cached:
#   - a virtual environment with `pulumi` from PyPI and everything it needs, each pinned in
#     scripts/python-requirements.txt;
#   - the generated SDK `pulumi_termination` installed into it from sdk/python (a copy of it, so
#     that pip's build leaves nothing in the checkout), when sdk/python exists.
# The Python language host comes with the CLI: `scripts/pulumi-cli.sh python`. It runs the
# `python3` on PATH (it reads no `virtualenv` option from today's CLI), so this environment's
# bin/ goes first on PATH, where an activated virtual environment would put it:
#
# Usage:  PATH="$(scripts/python-env.sh | tail -n1):$(scripts/pulumi-cli.sh python | tail -n1):$PATH"
# The LAST line of stdout is that directory (the environment's bin/); progress and errors go to
# stderr.
#
# Cache: ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}/
#   python-env-<python version>-<hash of the interpreter, the requirements, sdk/python>/venv
# built in a temporary directory beside it and moved into place whole. A change to sdk/python
# (npm run generate:sdks) makes a new one; those unused for 3 days are removed.
# Cold: 30-50 s (pip, on 2 busy cores); cached: about a second.
#
# Needs Python >= 3.10 with its venv module (`python3`, or PULUMI_TERMINATION_PYTHON) and PyPI
# (or PIP_INDEX_URL): a missing one fails first, naming what to install.
# Environment: PULUMI_TERMINATION_PYTHON, PULUMI_TERMINATION_CACHE, PIP_INDEX_URL.
set -euo pipefail

root=$(cd -- "$(dirname -- "$0")/.." && pwd)
readonly requirements=$root/scripts/python-requirements.txt
readonly sdk_dir=$root/sdk/python
readonly min_python=3.10

log_tag=[python-env]
# cache_root, log, die, build_into, make_venv
source "$root/scripts/lib/cache.sh"

if [[ -n ${PULUMI_TERMINATION_PYTHON:-} ]]; then
	python=$PULUMI_TERMINATION_PYTHON
	command -v "$python" >/dev/null 2>&1 || die "PULUMI_TERMINATION_PYTHON=$python is not a command"
else
	python=$(command -v python3 || true)
	[[ -n $python ]] ||
		die "Python >= $min_python is needed for Pulumi programs in Python, and \`python3\` is not on PATH (or set PULUMI_TERMINATION_PYTHON)"
fi
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') ||
	die "\`$python\` does not run"
[[ $(printf '%s\n%s\n' "$min_python" "$py_version" | sort -V | head -n1) == "$min_python" ]] ||
	die "Python $py_version ($python) is older than $min_python, which pulumi $(sed -n 's/^pulumi==//p' "$requirements") needs"

# What the environment is made of: the interpreter, the pins, the SDK's files (by path and
# content, not the build's leftovers).
sdk_hash() {
	[[ -d $sdk_dir ]] || return 0
	(cd "$sdk_dir" && find . -type f ! -path '*/__pycache__/*' ! -path './build/*' ! -path '*.egg-info/*' \
		-print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
key=$({
	"$python" -c 'import sys; print(sys.version, sys.executable)'
	cat "$requirements"
	sdk_hash
} | sha256sum | cut -c1-12)
dest=$cache_root/python-env-$py_version-$key

fill() {
	local work=$1
	log "making a virtual environment with Python $py_version and scripts/python-requirements.txt (PyPI)"
	make_venv "$work/venv" "$python" -r "$requirements"
	if [[ -d $sdk_dir ]]; then
		log "installing the SDK from sdk/python"
		cp -R "$sdk_dir" "$work/sdk-python"
		# Its dependencies are the pins above (pip check below proves they satisfy it).
		"$work/venv/bin/python" -m pip install --no-input --disable-pip-version-check --quiet \
			--no-deps --no-build-isolation "$work/sdk-python" >&2 ||
			die "pip could not install sdk/python (regenerate it: npm run generate:sdks)"
		rm -rf "$work/sdk-python"
	else
		log "no sdk/python: the environment has pulumi only"
	fi
	"$work/venv/bin/python" -m pip check --disable-pip-version-check >&2 ||
		die "the environment's packages do not satisfy each other (scripts/python-requirements.txt)"
	# The venv's own scripts (pip, activate) name the directory it was made in; a moved venv
	# still runs through bin/python3, and the host runs `python3 …-exec`, never a shebang.
}

check() {
	"$dest/venv/bin/python" -c 'import pulumi' >/dev/null 2>&1 &&
		{ [[ ! -d $sdk_dir ]] || "$dest/venv/bin/python" -c 'import pulumi_termination' >/dev/null 2>&1; }
}

if ! check; then
	[[ ! -e $dest ]] || {
		log "the cached environment in $dest is incomplete: rebuilding it"
		rm -rf "$dest"
	}
	build_into "$dest" fill
	check || die "the environment in $dest does not import pulumi (and pulumi_termination) after its move"
	log "cached in $dest"
fi
touch "$dest"
# Environments of earlier sdk/python states, not used for 3 days.
find "$cache_root" -maxdepth 1 -name 'python-env-*' ! -path "$dest" -mtime +3 -exec rm -rf {} + 2>/dev/null || true
printf '%s\n' "$dest/venv/bin"
