# shellcheck shell=sh
# Source this file (". scripts/pulumi-env.sh") to run the pulumi CLI offline
# against a throw-away local state backend. It only exports:
#
#   PULUMI_SKIP_UPDATE_CHECK=true                    no "new version available" HTTP check
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true never download missing plugins
#   PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true    Automation API accepts any CLI version
#   PULUMI_CONFIG_PASSPHRASE                         kept if set, else "" (secrets provider of file backend)
#   PULUMI_HOME=$PULUMI_SCRATCH/home                 plugin cache, credentials, workspace settings
#   PULUMI_BACKEND_URL=file://$PULUMI_SCRATCH/state  local (DIY) state backend, no Pulumi Cloud
#
# PULUMI_SCRATCH is read, not exported; when it is unset a fresh directory is
# made with mktemp -d (find it again as the parent of $PULUMI_HOME).
# POSIX sh, safe under `set -eu`; does not change shell options.

__pulumi_termination_env() {
	__pt_scratch=${PULUMI_SCRATCH:-}
	if [ -z "$__pt_scratch" ]; then
		__pt_scratch=$(mktemp -d "${TMPDIR:-/tmp}/pulumi-termination.XXXXXX") || return 1
	fi
	mkdir -p "$__pt_scratch/home" "$__pt_scratch/state" || return 1
	__pt_scratch=$(cd "$__pt_scratch" && pwd) || return 1

	export PULUMI_SKIP_UPDATE_CHECK=true
	export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
	export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-}"
	export PULUMI_HOME="$__pt_scratch/home"
	export PULUMI_BACKEND_URL="file://$__pt_scratch/state"
	unset __pt_scratch
}
__pulumi_termination_env && __pt_rc=0 || __pt_rc=$?
unset -f __pulumi_termination_env
# `return` works when sourced; the fallback keeps a mistaken direct run harmless.
if [ "$__pt_rc" -ne 0 ]; then
	unset __pt_rc
	echo "pulumi-env.sh: could not create the pulumi scratch directory" >&2
	return 1 2>/dev/null || exit 1
fi
unset __pt_rc
