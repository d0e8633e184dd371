#!/usr/bin/env bash
# Type-checks every example the way a user has it: with the package installed from the tarball
# that `npm pack` makes. Also checks that the tarball holds the build, the types and the README,
# and none of the tests or sources.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
[ -f dist/index.js ] || npm run build

tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
tar -tzf "$tarball" | sort > "$work/contents"
for required in package/dist/index.js package/dist/index.d.ts package/README.md package/package.json; do
  grep -qx "$required" "$work/contents" || { echo "tarball lacks $required" >&2; exit 1; }
done
if grep -E '^package/(tests|provider|emulator|scripts|examples)/' "$work/contents"; then
  echo "tarball holds files that are not for users (above)" >&2
  exit 1
fi
echo "tarball: $(wc -l < "$work/contents") files, $(du -k "$tarball" | cut -f1) KiB"

for example in examples/*/; do
  name=$(basename "$example")
  [ -f "$example/tsconfig.json" ] || continue # a Pulumi YAML example has nothing to type-check
  echo "example $name: installing from the tarball and type-checking"
  cp -r "$example" "$work/$name"
  (
    cd "$work/$name"
    npm pkg set "dependencies.pulumi-termination=file:$tarball"
    npm install --no-audit --no-fund --prefer-offline --loglevel=error
    npx --no-install tsc -p tsconfig.json
  )
  echo "example $name: ok"
done
