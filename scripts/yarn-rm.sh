#!/usr/bin/env bash
# Prepare the real YARN ResourceManager the YARN tests run against (testing/yarn/MiniYarn.java,
# Hadoop's MiniYARNCluster): its jars from Maven Central and the launcher compiled, cached per
# machine. Prints, as its LAST line, the Java classpath to run pulumitermination.yarn.MiniYarn with;
# progress and errors go to stderr.
#
#   cache:   ${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}/yarn-$HADOOP_VERSION/
#              lib/            the jars of testing/yarn/pom.xml (mvn dependency:copy-dependencies)
#              classes-<sha>/  MiniYarn.java compiled; <sha> is the source's, so an edit recompiles
#   each moved into place atomically (a rename); one builder at a time (flock).
#   Cold: ~40 s to download ~110 MB (2 CPUs); cached: well under a second.
#
# Environment: HADOOP_VERSION (default 3.5.0: the hadoop-client-minicluster version; the
# versions of what it leaves out are pinned in testing/yarn/pom.xml), PULUMI_TERMINATION_CACHE.
# Needs java and javac (17 or later) and mvn, and Maven Central; each missing one fails here, first.
set -euo pipefail

readonly VERSION=${HADOOP_VERSION:-3.5.0}
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/testing/yarn
log() { printf '[yarn-rm] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "unusable HADOOP_VERSION '$VERSION'"
for tool in java javac; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed: the YARN tests run a real ResourceManager, which needs a JDK 17 or later (Debian: apt-get install openjdk-17-jdk-headless)"
done
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[[ ${java_major%%.*} -ge 17 ]] 2>/dev/null || die "java is version '${java_major:-unknown}': the ResourceManager needs 17 or later"

cache_root=${PULUMI_TERMINATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-termination}
dest=$cache_root/yarn-$VERSION
sha=$(cat "$src/src/main/java/pulumitermination/yarn/MiniYarn.java" "$src/pom.xml" | sha256sum | cut -c1-12)
classes=$dest/classes-$sha
classpath() { printf '%s\n' "$src/conf:$classes:$dest/lib/*"; }

# ready: the jars are there (lib/.complete is written last) and the launcher is compiled.
ready() { [[ -f $dest/lib/.complete && -f $classes/pulumitermination/yarn/MiniYarn.class ]]; }
if ready; then
	classpath
	exit 0
fi

mkdir -p "$dest"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$dest/.lock"
	if ! flock -n 9; then
		log "another process is preparing yarn-$VERSION; waiting for it…"
		flock 9
	fi
	if ready; then
		classpath
		exit 0
	fi
	rm -rf "$dest"/.build.*
fi
work=$(mktemp -d "$dest/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ ! -f $dest/lib/.complete ]]; then
	command -v mvn >/dev/null 2>&1 || die "'mvn' is not installed: it fetches the ResourceManager's jars from Maven Central (Debian: apt-get install maven)"
	log "fetching hadoop-client-minicluster $VERSION and what it needs from Maven Central (once per machine)…"
	started=$SECONDS
	# A throw-away local repository: only the jars are kept, in lib/.
	if ! mvn -B -q -f "$src/pom.xml" -Dhadoop.version="$VERSION" -Dmaven.repo.local="$work/m2" \
		dependency:copy-dependencies -DoutputDirectory="$work/lib" >"$work/mvn.log" 2>&1; then
		log "error: mvn could not fetch the jars; its last lines:"
		grep -v '^\[INFO\]' "$work/mvn.log" | tail -n 15 | sed 's/^/[yarn-rm]   /' >&2
		die "Maven Central must be reachable and serve org.apache.hadoop:hadoop-client-minicluster:$VERSION (try another HADOOP_VERSION)"
	fi
	ls "$work/lib"/hadoop-client-minicluster-"$VERSION".jar >/dev/null 2>&1 || die "mvn finished without hadoop-client-minicluster-$VERSION.jar"
	touch "$work/lib/.complete"
	[[ -e $dest/lib ]] && mv -T "$dest/lib" "$work/stale-lib"
	mv -T "$work/lib" "$dest/lib"
	log "jars ready in $dest/lib ($((SECONDS - started)) s, $(du -sh "$dest/lib" | cut -f1))"
fi

if [[ ! -f $classes/pulumitermination/yarn/MiniYarn.class ]]; then
	mkdir -p "$work/classes"
	javac -nowarn -d "$work/classes" -cp "$dest/lib/*" "$src/src/main/java/pulumitermination/yarn/MiniYarn.java" >&2 ||
		die "javac could not compile testing/yarn/src/main/java/pulumitermination/yarn/MiniYarn.java"
	[[ -e $classes ]] && mv -T "$classes" "$work/stale-classes"
	mv -T "$work/classes" "$classes"
	# Older compilations of an earlier source are of no use any more.
	find "$dest" -maxdepth 1 -name 'classes-*' ! -name "classes-$sha" -exec rm -rf {} + 2>/dev/null || true
fi
classpath
