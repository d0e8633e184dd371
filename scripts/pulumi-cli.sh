#!/usr/bin/env bash
# Provide a `pulumi` CLI, the Node.js language host (`pulumi-language-nodejs`),
# the dynamic-provider launcher (`pulumi-resource-pulumi-nodejs`) and the YAML
# language host (`pulumi-language-yaml`) without the internet: built once from
# the Go module proxy, then cached.
#
# Usage:  PATH="$(scripts/pulumi-cli.sh | tail -n1):$PATH"
#         PATH="$(scripts/pulumi-cli.sh python | tail -n1):$PATH"   the same, with the Python host
#
# The LAST line of stdout is the directory to put first on PATH; everything
# else (progress, warnings, errors) goes to stderr.
#
# Resolution order:
#   1. `pulumi` and `pulumi-language-nodejs` already on PATH (unless
#      PULUMI_TERMINATION_FORCE_BUILD is set): print dirname of `pulumi` when
#      `pulumi-language-yaml` is on PATH too; else provide only the YAML host,
#      cached in $cache/pulumi-language-yaml-v$PULUMI_YAML_VERSION/bin, and
#      print that directory (the CLI stays found through the rest of PATH).
#   2. Cached build in
#      $cache = ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}/
#        pulumi-cli-v$PULUMI_CLI_VERSION-nodejs-v$PULUMI_LANGUAGE_HOST_VERSION-yaml-v$PULUMI_YAML_VERSION/bin
#   3. Build what is missing from the Go module proxy, in throw-away wrapper
#      modules, then move it into the cache atomically. Parts already built
#      are reused (hard links): the CLI and Node.js host from a cache made
#      before the YAML host was added (.../pulumi-cli-vX-nodejs-vY/bin), the
#      YAML host from any cache dir of the same YAML version. Cold: ~13 min
#      for the CLI and Node.js host, ~3 min for the YAML host (2 CPUs). Needs
#      `go` (>= 1.25) and GOPROXY access.
#
# Versions. The CLI version is NOT the project's @pulumi/pulumi (npm) version,
# because of what the Go module proxy (proxy.golang.org) serves:
#   PULUMI_CLI_VERSION (default 3.274.1)
#       github.com/pulumi/pulumi/pkg/v3 (the CLI). For a while the proxy
#       answered 403 for the source zips of v3.260.0 and later (their
#       .info/.mod were served, so only a download showed it); it serves
#       v3.274.1 now. A download failure is reported before anything is built.
#   PULUMI_LANGUAGE_HOST_VERSION (default 3.68.0)
#       The language host moved out of github.com/pulumi/pulumi/sdk/v3 into
#       its own module .../sdk/nodejs/cmd/pulumi-language-nodejs/v3 in v3.69.0,
#       and the proxy refuses every version of that module. v3.68.0 is the
#       last sdk/v3 that contains nodejs/cmd/pulumi-language-nodejs; it is
#       built in its own wrapper module (it needs that old sdk; it must not
#       share the CLI's module graph).
#   PULUMI_YAML_VERSION (default 1.25.0)
#       github.com/pulumi/pulumi-yaml, cmd/pulumi-language-yaml, in its own
#       wrapper module with pulumi-yaml's own replaces: the module graph of
#       its release build (it needs its own, older pulumi sdk).
#   The launcher script is copied from sdk/v3@v$PULUMI_CLI_VERSION nodejs/dist/.
#   PULUMI_LANGUAGE_PYTHON_VERSION (default 3.68.0), for `scripts/pulumi-cli.sh python`
#       The Python language host `pulumi-language-python`. The same story as Node.js's: its own
#       module .../sdk/python/cmd/pulumi-language-python/v3 is refused by the proxy (403 for
#       every version and for the list), and sdk/v3 contains python/cmd/pulumi-language-python
#       up to v3.79.0 (gone in v3.80.0). v3.68.0's main.go differs from v3.79.0's in one line,
#       and it shares the Node.js host's module graph, so its build reuses that one's compiled
#       packages (seconds). Beside it goes `pulumi-language-python-exec`, the script the host
#       runs the program with (it looks for it next to itself), copied from
#       sdk/v3@v$PULUMI_CLI_VERSION python/cmd/: the one that matches today's `pulumi` on PyPI.
#       `python` prints $cache/pulumi-cli-…-yaml-v$PULUMI_YAML_VERSION-python-v$PULUMI_LANGUAGE_PYTHON_VERSION/bin:
#       the CLI's files (hard links to the cache above) with the Python host beside them, as a
#       Pulumi distribution bundles it. The CLI warns "using pulumi-language-python from $PATH"
#       under every stack when the host is found on PATH anywhere else than next to `pulumi`.
#       It never uses a `pulumi` on PATH (step 1 below). The host runs the `python3` on PATH:
#       scripts/python-env.sh makes the environment for it.
#
# Environment: PULUMI_CLI_VERSION, PULUMI_LANGUAGE_HOST_VERSION,
# PULUMI_YAML_VERSION, PULUMI_LANGUAGE_PYTHON_VERSION, PULUMI_TERMINATION_CACHE,
# PULUMI_TERMINATION_FORCE_BUILD,
# and the usual GOPROXY / GOMODCACHE / GOCACHE / GOFLAGS.
set -euo pipefail

readonly CLI_VERSION=${PULUMI_CLI_VERSION:-3.274.1}
readonly LH_VERSION=${PULUMI_LANGUAGE_HOST_VERSION:-3.68.0}
readonly YAML_VERSION=${PULUMI_YAML_VERSION:-1.25.0}
readonly PY_VERSION=${PULUMI_LANGUAGE_PYTHON_VERSION:-3.68.0}
readonly PKG_MOD=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MOD=github.com/pulumi/pulumi/sdk/v3
readonly YAML_MOD=github.com/pulumi/pulumi-yaml
readonly CLI_PKG=$PKG_MOD/cmd/pulumi
readonly LH_PKG=$SDK_MOD/nodejs/cmd/pulumi-language-nodejs
readonly YAML_PKG=$YAML_MOD/cmd/pulumi-language-yaml
readonly PY_PKG=$SDK_MOD/python/cmd/pulumi-language-python
readonly VERSION_VAR=$SDK_MOD/go/common/version.Version
readonly YAML_VERSION_VAR=$YAML_MOD/pkg/version.Version
readonly CLI_FILES=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs)
readonly TICK=30 # seconds between "still …" progress lines

started=$SECONDS
elapsed() {
	local s=$((SECONDS - started))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}
log() { printf '[pulumi-cli] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

semver_re='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
[[ ${CLI_VERSION#v} =~ $semver_re ]] || die "unusable PULUMI_CLI_VERSION '$CLI_VERSION'"
[[ ${LH_VERSION#v} =~ $semver_re ]] || die "unusable PULUMI_LANGUAGE_HOST_VERSION '$LH_VERSION'"
[[ ${YAML_VERSION#v} =~ $semver_re ]] || die "unusable PULUMI_YAML_VERSION '$YAML_VERSION'"
[[ ${PY_VERSION#v} =~ $semver_re ]] || die "unusable PULUMI_LANGUAGE_PYTHON_VERSION '$PY_VERSION'"
CLI_V=v${CLI_VERSION#v}
LH_V=v${LH_VERSION#v}
YAML_V=v${YAML_VERSION#v}
PY_V=v${PY_VERSION#v}
case ${1:-} in
"") mode=cli ;;
python) mode=python ;;
*) die "usage: scripts/pulumi-cli.sh [python]" ;;
esac

# Runs `pulumi version` hermetically (no update check, no writes to ~/.pulumi).
cli_version() {
	local home
	home=$(mktemp -d)
	PULUMI_HOME=$home PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n1 || true
	rm -rf "$home"
}

cache_root=${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}

# --- 1. an existing installation on PATH -------------------------------------
# want: the files the printed directory must hold; the CLI's are checked by version too.
want=("${CLI_FILES[@]}" pulumi-language-yaml)
key=pulumi-cli-$CLI_V-nodejs-$LH_V-yaml-$YAML_V
if [[ $mode == python ]]; then
	want+=(pulumi-language-python pulumi-language-python-exec)
	key=$key-python-$PY_V
elif [[ -z ${PULUMI_TERMINATION_FORCE_BUILD:-} ]] &&
	path_cli=$(command -v pulumi 2>/dev/null) &&
	command -v pulumi-language-nodejs >/dev/null 2>&1; then
	cli_dir=$(cd -- "$(dirname -- "$path_cli")" && pwd)
	log "using pulumi $(cli_version "$path_cli") from PATH ($cli_dir)"
	if [[ ! -x $cli_dir/pulumi-resource-pulumi-nodejs ]] &&
		! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then
		log "warning: pulumi-resource-pulumi-nodejs not found; dynamic providers will not load"
	fi
	if command -v pulumi-language-yaml >/dev/null 2>&1; then
		printf '%s\n' "$cli_dir"
		exit 0
	fi
	log "pulumi-language-yaml is not on PATH: providing the YAML language host $YAML_V on its own"
	want=(pulumi-language-yaml)
	key=pulumi-language-yaml-$YAML_V
fi

# --- 2. cached build ----------------------------------------------------------
dest=$cache_root/$key
bin=$dest/bin

# files_ok DIR FILE...: every FILE is an executable in DIR, and a `pulumi` among them is $CLI_V.
files_ok() {
	local dir=$1 f
	shift
	for f in "$@"; do
		[[ -f $dir/$f && -x $dir/$f ]] || return 1
		if [[ $f == pulumi && $(cli_version "$dir/pulumi") != "$CLI_V" ]]; then return 1; fi
	done
}

if files_ok "$bin" "${want[@]}"; then
	printf '%s\n' "$bin"
	exit 0
fi

# --- 3. build -----------------------------------------------------------------
# The Python variant links the plain CLI's files: that cache first (built once, for both).
if [[ $mode == python ]]; then
	PULUMI_TERMINATION_FORCE_BUILD=1 bash "${BASH_SOURCE[0]}" >/dev/null
fi
mkdir -p "$cache_root"
# One builder per cache key at a time; a second caller waits, then finds the cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_root/.lock-$key"
	if ! flock -n 9; then
		log "another process is building $key; waiting for it…"
		flock 9
	fi
	if files_ok "$bin" "${want[@]}"; then
		printf '%s\n' "$bin"
		exit 0
	fi
	# We hold the lock, so any leftover staging dirs are from interrupted runs.
	rm -rf "$cache_root/.build-$key."*
fi

work=$(mktemp -d "$cache_root/.build-$key.XXXXXX")
stage=$work/$key
mkdir -p "$stage/bin"
step_pid=
cleanup() {
	if [[ -n $step_pid ]]; then
		kill "$step_pid" 2>/dev/null || true
		wait "$step_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# reuse DIR FILE...: hard-links (or copies) FILEs from another cache dir into the stage when
# that dir has them all: a part built once is not built again for a new combination.
reuse() {
	local dir=$1 f
	shift
	files_ok "$dir" "$@" || return 1
	for f in "$@"; do
		ln -f "$dir/$f" "$stage/bin/$f" 2>/dev/null || cp -f "$dir/$f" "$stage/bin/$f" || return 1
	done
	log "reusing $* from $dir"
	printf 'reused %s from %s\n' "$*" "$dir" >>"$stage/BUILD-INFO"
}

need_cli=0 need_yaml=0 need_python=0
if [[ ${want[0]} == pulumi ]] && ! reuse "$cache_root/pulumi-cli-$CLI_V-nodejs-$LH_V-yaml-$YAML_V/bin" "${CLI_FILES[@]}" &&
	! reuse "$cache_root/pulumi-cli-$CLI_V-nodejs-$LH_V/bin" "${CLI_FILES[@]}"; then
	need_cli=1
fi
need_yaml=1
for dir in "$cache_root"/*-yaml-"$YAML_V"/bin; do
	[[ $dir != "$bin" ]] && reuse "$dir" pulumi-language-yaml && need_yaml=0 && break
done
if [[ $mode == python ]]; then
	need_python=1
	for dir in "$cache_root"/pulumi-cli-"$CLI_V"-*-python-"$PY_V"/bin; do
		[[ $dir != "$bin" ]] && reuse "$dir" pulumi-language-python pulumi-language-python-exec && need_python=0 && break
	done
fi

if ((need_cli + need_yaml + need_python > 0)); then
	command -v go >/dev/null 2>&1 ||
		die "$key is not cached in $bin and 'go' is not installed to build it"
	# Wrapper modules are not in a VCS and must resolve their own go.mod.
	export GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
	log "building $key from Go modules (once per machine)…"
	log "  $(go version | cut -d' ' -f3-)  GOPROXY=$(go env GOPROXY)"
fi

# step LABEL CMD...: runs CMD with its output in a log, printing
# "still LABEL (elapsed)…" every $TICK s; on failure shows the log's tail.
step() {
	local label=$1 out=$work/step.log rc=0 next
	shift
	log "[$(elapsed)] $label…"
	"$@" >"$out" 2>&1 &
	step_pid=$!
	next=$((SECONDS + TICK))
	while kill -0 "$step_pid" 2>/dev/null; do
		sleep 1
		if ((SECONDS >= next)); then
			log "[$(elapsed)]   still $label…"
			next=$((SECONDS + TICK))
		fi
	done
	wait "$step_pid" || rc=$?
	step_pid=
	if ((rc != 0)); then
		log "error: $label failed (exit $rc); last lines of output:"
		grep -v -e '^go: downloading ' -e '^go: added ' -e '^go: upgraded ' "$out" |
			tail -n 40 | sed 's/^/[pulumi-cli]   /' >&2
	fi
	return "$rc"
}

# copy_replaces GOMOD FORKS_ONLY: copies GOMOD's non-local replace directives
# into the current module (first one wins per module path). pulumi's go.mod
# files carry replaces that a dependent module does not inherit. With
# FORKS_ONLY=1 only replacements by a different module are copied, not
# version pins.
declare -A replaced=()
copy_replaces() {
	local old new
	while read -r old new; do
		[[ -n $old && -z ${replaced[$PWD:${old%@*}]:-} ]] || continue
		[[ $2 == 1 && ${old%@*} == "${new%@*}" ]] && continue
		replaced[$PWD:${old%@*}]=1
		go mod edit -replace="$old=$new"
		log "  $(basename "$PWD"): replace $old => $new"
	done < <(awk '
		function emit(line,   n, f, i, arrow, l, r) {
			sub(/\/\/.*/, "", line)
			n = split(line, f, /[ \t]+/)
			arrow = 0; l = ""; r = ""
			for (i = 1; i <= n; i++) {
				if (f[i] == "") continue
				if (f[i] == "=>") { arrow = 1; continue }
				if (!arrow) l = (l == "" ? f[i] : l "@" f[i])
				else        r = (r == "" ? f[i] : r "@" f[i])
			}
			# Local-path replacements (../sdk etc.) only make sense inside the pulumi repo.
			if (l == "" || r == "" || r ~ /^(\.|\/)/ || r !~ /@/) return
			print l, r
		}
		/^replace[ \t]*\(/ { block = 1; next }
		block && /^\)/    { block = 0; next }
		block             { emit($0); next }
		/^replace[ \t]/   { sub(/^replace[ \t]+/, ""); emit($0) }
	' "$1")
}

# mod_field MOD@VER FIELD: a field (GoMod, Dir) of `go mod download -json`.
mod_field() {
	go mod download -json "$1" | sed -n 's/^[[:space:]]*"'"$2"'":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p'
}

# Same flags as pulumi's and pulumi-yaml's .goreleaser.yml (plus CGO off for a static binary).
gobuild() { # OUT PKG VERSION_VAR=VERSION
	CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-s -w -X $3" -o "$1" "$2"
}

build_cli() {
	mkdir -p "$work/cli" "$work/lh"
	(cd "$work/cli" && go mod init pulumi-cli-wrapper >/dev/null 2>&1)
	(cd "$work/lh" && go mod init pulumi-language-nodejs-wrapper >/dev/null 2>&1)

	# Fail fast, before the big dependency download, if the proxy does not serve
	# the source zips (it can serve .info/.mod of a version but 403 its .zip).
	cd "$work/cli"
	if ! step "downloading pulumi $CLI_V and sdk $LH_V sources" \
		go mod download "$PKG_MOD@$CLI_V" "$SDK_MOD@$CLI_V" "$SDK_MOD@$LH_V"; then
		log "GOPROXY must serve $PKG_MOD@$CLI_V, $SDK_MOD@$CLI_V and $SDK_MOD@$LH_V."
		log "proxy.golang.org refused pkg/v3 >= v3.260.0 for a while (it serves v3.274.1 now):"
		log "try another PULUMI_CLI_VERSION, or put pulumi, pulumi-language-nodejs and"
		log "pulumi-resource-pulumi-nodejs on PATH."
		exit 1
	fi
	local lh_sdk_dir cli_sdk_dir launcher
	lh_sdk_dir=$(mod_field "$SDK_MOD@$LH_V" Dir)
	[[ -f $lh_sdk_dir/nodejs/cmd/pulumi-language-nodejs/main.go ]] ||
		die "$SDK_MOD@$LH_V has no nodejs/cmd/pulumi-language-nodejs (only v3.68.0 and older do)"
	cli_sdk_dir=$(mod_field "$SDK_MOD@$CLI_V" Dir)

	# CLI wrapper: pkg's replaces take priority over the sdk's.
	copy_replaces "$(mod_field "$PKG_MOD@$CLI_V" GoMod)" 0
	copy_replaces "$(mod_field "$SDK_MOD@$CLI_V" GoMod)" 0
	step "resolving the CLI's dependencies" go get "$CLI_PKG@$CLI_V" "$SDK_MOD@$CLI_V"

	# Language-host wrapper: sdk@v3.68.0 only pins golang.org/x/text to the
	# vulnerable v0.3.6, which is deliberately not copied (forks would be).
	cd "$work/lh"
	copy_replaces "$(mod_field "$SDK_MOD@$LH_V" GoMod)" 1
	step "resolving the language host's dependencies" go get "$LH_PKG@$LH_V"

	cd "$work/cli"
	step "compiling pulumi $CLI_V" gobuild "$stage/bin/pulumi" "$CLI_PKG" "$VERSION_VAR=$CLI_V"
	cd "$work/lh"
	step "compiling pulumi-language-nodejs $LH_V" \
		gobuild "$stage/bin/pulumi-language-nodejs" "$LH_PKG" "$VERSION_VAR=$LH_V"

	# Dynamic-provider launcher: pulumi's distribution ships sdk/nodejs/dist/*.
	launcher=$stage/bin/pulumi-resource-pulumi-nodejs
	if [[ -f $cli_sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs ]]; then
		cp "$cli_sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$launcher"
	else
		cat >"$launcher" <<'SH'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@
fi
SH
	fi
	chmod 0755 "$stage/bin/pulumi" "$stage/bin/pulumi-language-nodejs" "$launcher"

	local got
	got=$(cli_version "$stage/bin/pulumi")
	[[ $got == "$CLI_V" ]] || die "built pulumi reports '${got:-nothing}', expected $CLI_V"
	{
		printf 'pulumi %s (%s)\n' "$CLI_V" "$CLI_PKG"
		printf 'pulumi-language-nodejs %s (%s)\n' "$LH_V" "$LH_PKG"
		printf 'pulumi-resource-pulumi-nodejs from %s@%s nodejs/dist\n' "$SDK_MOD" "$CLI_V"
		printf 'built %s with %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(go version)"
		printf '\n--- CLI go.mod ---\n'
		cat "$work/cli/go.mod"
		printf '\n--- language host go.mod ---\n'
		cat "$work/lh/go.mod"
	} >>"$stage/BUILD-INFO"
}

build_yaml() {
	mkdir -p "$work/yaml"
	cd "$work/yaml"
	go mod init pulumi-language-yaml-wrapper >/dev/null 2>&1
	if ! step "downloading pulumi-yaml $YAML_V sources" go mod download "$YAML_MOD@$YAML_V"; then
		log "GOPROXY must serve $YAML_MOD@$YAML_V; try another PULUMI_YAML_VERSION,"
		log "or put pulumi-language-yaml on PATH."
		exit 1
	fi
	# pulumi-yaml's own replaces are what its release build applies; those of the pulumi
	# modules it requires never applied to it (a dependency's replaces are ignored).
	copy_replaces "$(mod_field "$YAML_MOD@$YAML_V" GoMod)" 0
	step "resolving the YAML language host's dependencies" go get "$YAML_PKG@$YAML_V"
	step "compiling pulumi-language-yaml $YAML_V" \
		gobuild "$stage/bin/pulumi-language-yaml" "$YAML_PKG" "$YAML_VERSION_VAR=$YAML_V"
	chmod 0755 "$stage/bin/pulumi-language-yaml"
	# It has no version flag; -help at least proves the binary runs here.
	"$stage/bin/pulumi-language-yaml" -help >/dev/null 2>&1 ||
		die "the built pulumi-language-yaml does not run"
	{
		printf 'pulumi-language-yaml %s (%s)\n' "$YAML_V" "$YAML_PKG"
		printf 'built %s with %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(go version)"
		printf '\n--- YAML language host go.mod ---\n'
		cat "$work/yaml/go.mod"
	} >>"$stage/BUILD-INFO"
}

build_python() {
	mkdir -p "$work/py"
	cd "$work/py"
	go mod init pulumi-language-python-wrapper >/dev/null 2>&1
	if ! step "downloading pulumi sdk $PY_V and $CLI_V sources" go mod download "$SDK_MOD@$PY_V" "$SDK_MOD@$CLI_V"; then
		log "GOPROXY must serve $SDK_MOD@$PY_V and $SDK_MOD@$CLI_V; try another PULUMI_LANGUAGE_PYTHON_VERSION,"
		log "or put pulumi-language-python and pulumi-language-python-exec on PATH."
		exit 1
	fi
	local py_sdk_dir exec_script
	py_sdk_dir=$(mod_field "$SDK_MOD@$PY_V" Dir)
	[[ -f $py_sdk_dir/python/cmd/pulumi-language-python/main.go ]] ||
		die "$SDK_MOD@$PY_V has no python/cmd/pulumi-language-python (v3.79.0 and older have it)"
	exec_script=$(mod_field "$SDK_MOD@$CLI_V" Dir)/python/cmd/pulumi-language-python-exec
	[[ -f $exec_script ]] || die "$SDK_MOD@$CLI_V has no python/cmd/pulumi-language-python-exec"
	# As for the Node.js host: the sdk's forks, not its pin of the vulnerable golang.org/x/text.
	copy_replaces "$(mod_field "$SDK_MOD@$PY_V" GoMod)" 1
	step "resolving the Python language host's dependencies" go get "$PY_PKG@$PY_V"
	step "compiling pulumi-language-python $PY_V" \
		gobuild "$stage/bin/pulumi-language-python" "$PY_PKG" "$VERSION_VAR=$PY_V"
	cp "$exec_script" "$stage/bin/pulumi-language-python-exec"
	chmod 0755 "$stage/bin/pulumi-language-python" "$stage/bin/pulumi-language-python-exec"
	{
		printf 'pulumi-language-python %s (%s)\n' "$PY_V" "$PY_PKG"
		printf 'pulumi-language-python-exec from %s@%s python/cmd\n' "$SDK_MOD" "$CLI_V"
		printf 'built %s with %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(go version)"
		printf '\n--- Python language host go.mod ---\n'
		cat "$work/py/go.mod"
	} >>"$stage/BUILD-INFO"
}

# The YAML host first: it takes minutes where the CLI takes a quarter of an hour, so a version the
# proxy refuses fails before the long build.
if ((need_yaml)); then build_yaml; fi
if ((need_cli)); then build_cli; fi
if ((need_python)); then build_python; fi

# Atomic publish: a rename within $cache_root. A stale/broken dest goes aside first.
if [[ -e $dest ]]; then
	mv -T "$dest" "$work/stale"
fi
mv -T "$stage" "$dest"

log "[$(elapsed)] $key ready in $bin"
printf '%s\n' "$bin"
