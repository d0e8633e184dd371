#!/usr/bin/env bash
# Provide a `pulumi` CLI (plus the nodejs language host and the dynamic-provider
# launcher) matching the project's @pulumi/pulumi version, without the internet.
#
# Usage:  PATH="$(scripts/pulumi-cli.sh | tail -n1):$PATH"
#
# The LAST line of stdout is the directory to put on PATH; everything else
# (progress, warnings, errors) goes to stderr.
#
# Resolution order:
#   1. `pulumi` and `pulumi-language-nodejs` already on PATH (unless
#      PULUMI_TERMINATION_FORCE_BUILD is set): print dirname of `pulumi`.
#   2. Cached build in
#      ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}/pulumi-v$VERSION/bin
#   3. Build it from the Go module proxy (once per machine, several minutes) in
#      a throw-away wrapper module, then move it into the cache atomically.
#
# Version: node_modules/@pulumi/pulumi/package.json, else $PULUMI_VERSION,
# else 3.270.0.
set -euo pipefail

readonly DEFAULT_VERSION=3.270.0
readonly PKG_MOD=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MOD=github.com/pulumi/pulumi/sdk/v3
readonly LANG_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
readonly CLI_PKG=$PKG_MOD/cmd/pulumi
readonly VERSION_VAR=$SDK_MOD/go/common/version.Version

log() { printf '[pulumi-cli] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)

# --- 1. version --------------------------------------------------------------
read_version() {
	local pj=$repo_root/node_modules/@pulumi/pulumi/package.json v=""
	if [[ -f $pj ]]; then
		if command -v node >/dev/null 2>&1; then
			v=$(node -p 'require(process.argv[1]).version' "$pj" 2>/dev/null || true)
		fi
		if [[ -z $v ]]; then
			v=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n1)
		fi
	fi
	[[ -n $v ]] || v=${PULUMI_VERSION:-}
	[[ -n $v ]] || v=$DEFAULT_VERSION
	printf '%s\n' "${v#v}"
}

VERSION=$(read_version)
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
	die "unusable pulumi version '$VERSION'"

# Runs `pulumi version` hermetically (no update check, no writes to ~/.pulumi).
cli_version() {
	local home
	home=$(mktemp -d)
	PULUMI_HOME=$home PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n1 || true
	rm -rf "$home"
}

# --- 2. an existing installation on PATH -------------------------------------
if [[ -z ${PULUMI_TERMINATION_FORCE_BUILD:-} ]] &&
	path_cli=$(command -v pulumi 2>/dev/null) &&
	command -v pulumi-language-nodejs >/dev/null 2>&1; then
	cli_dir=$(cd -- "$(dirname -- "$path_cli")" && pwd)
	found=$(cli_version "$path_cli")
	if [[ $found != "v$VERSION" ]]; then
		log "warning: using pulumi from PATH ($path_cli) reporting '${found:-?}', project wants v$VERSION"
	else
		log "using pulumi v$VERSION from PATH ($cli_dir)"
	fi
	if [[ ! -x $cli_dir/pulumi-resource-pulumi-nodejs ]] &&
		! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then
		log "warning: pulumi-resource-pulumi-nodejs not found; dynamic providers will not load"
	fi
	printf '%s\n' "$cli_dir"
	exit 0
fi

# --- 3. cached build ----------------------------------------------------------
cache_root=${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}
dest=$cache_root/pulumi-v$VERSION
bin=$dest/bin

cache_ok() {
	local f
	for f in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do
		[[ -f $bin/$f && -x $bin/$f ]] || return 1
	done
	[[ $(cli_version "$bin/pulumi") == "v$VERSION" ]]
}

if cache_ok; then
	printf '%s\n' "$bin"
	exit 0
fi

# --- 4. build -----------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "pulumi v$VERSION is not cached in $bin and 'go' is not installed to build it"

mkdir -p "$cache_root"
# One builder per version at a time; a second caller waits, then finds the cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_root/.lock-v$VERSION"
	if ! flock -n 9; then
		log "another process is building pulumi v$VERSION; waiting for it…"
		flock 9
	fi
	if cache_ok; then
		printf '%s\n' "$bin"
		exit 0
	fi
	# We hold the lock, so any leftover staging dirs are from interrupted runs.
	rm -rf "$cache_root/.build-v$VERSION."*
fi

work=$(mktemp -d "$cache_root/.build-v$VERSION.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
log "building pulumi v$VERSION from Go modules (takes several minutes, once per machine)…"
log "  go: $(go version | cut -d' ' -f3-)  GOPROXY=$(go env GOPROXY)"

mod=$work/mod
stage=$work/pulumi-v$VERSION
mkdir -p "$mod" "$stage/bin" "$work/home"
cd "$mod"
go mod init w >/dev/null 2>&1

# Fetch the three modules first, so an unavailable module fails fast and clearly.
if ! dl=$(go mod download -json "$PKG_MOD@v$VERSION" "$SDK_MOD@v$VERSION" "$LANG_MOD@v$VERSION" 2>&1); then
	errors=$(printf '%s\n' "$dl" | sed -n 's/^[[:space:]]*"Error":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')
	log "error: cannot download the pulumi v$VERSION Go modules:"
	printf '%s\n' "${errors:-$dl}" | sed 's/^/[pulumi-cli]   /' >&2
	log "The CLI lives in $PKG_MOD and the nodejs language host in $LANG_MOD;"
	log "both must be served by GOPROXY ($(go env GOPROXY)). Alternatives:"
	log "  - put a pulumi v$VERSION install (pulumi, pulumi-language-nodejs,"
	log "    pulumi-resource-pulumi-nodejs) on PATH, or"
	log "  - copy those three executables into $bin/"
	exit 1
fi

# pulumi's go.mod files carry replace directives that `go install pkg@version`
# refuses and that a dependent module does not inherit; copy the non-local ones.
declare -A replaced=()
while read -r gomod; do
	[[ -f $gomod ]] || continue
	while read -r old new; do
		[[ -n $old && -z ${replaced[${old%@*}]:-} ]] || continue
		replaced[${old%@*}]=1
		go mod edit -replace="$old=$new"
		log "  replace $old => $new"
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
	' "$gomod")
done < <(printf '%s\n' "$dl" | sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')

log "  resolving dependencies…"
go get "$CLI_PKG@v$VERSION" "$LANG_MOD@v$VERSION" "$SDK_MOD@v$VERSION" 2>&1 |
	sed 's/^/[pulumi-cli]   /' >&2

# Same flags as pulumi's .goreleaser.yml (plus CGO off for a static binary).
build() {
	CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-w -s -X $VERSION_VAR=v$VERSION" -o "$stage/bin/$1" "$2"
}
log "  compiling pulumi…"
build pulumi "$CLI_PKG"
log "  compiling pulumi-language-nodejs…"
build pulumi-language-nodejs "$LANG_MOD"

# Dynamic-provider launcher: pulumi's distribution ships sdk/nodejs/dist/*.
launcher=$stage/bin/pulumi-resource-pulumi-nodejs
sdk_dir=$(go list -m -f '{{.Dir}}' "$SDK_MOD" 2>/dev/null || true)
if [[ -n $sdk_dir && -f $sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs ]]; then
	cp "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$launcher"
else
	cat >"$launcher" <<'EOF'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" $@
fi
EOF
fi
chmod 0755 "$stage/bin/"*

got=$(cli_version "$stage/bin/pulumi")
[[ $got == "v$VERSION" ]] || die "built pulumi reports '${got:-nothing}', expected v$VERSION"

printf 'pulumi v%s\nbuilt %s with %s\n' "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(go version)" \
	>"$stage/BUILD-INFO"

# Atomic publish: a rename within $cache_root. A stale/broken dest goes aside first.
if [[ -e $dest ]]; then
	mv -T "$dest" "$work/stale"
fi
mv -T "$stage" "$dest"

elapsed=$((SECONDS - started))
log "built pulumi v$VERSION in $((elapsed / 60))m$((elapsed % 60))s -> $bin"
printf '%s\n' "$bin"
