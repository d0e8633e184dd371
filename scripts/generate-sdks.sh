#!/usr/bin/env bash
# `npm run generate:sdks`: writes sdk/go (a Go module) and sdk/python (a pip-installable package)
# from schema.json, with pulumi/pkg/v3's code generators (scripts/codegen/sdkgen, built once per
# machine by scripts/go-binary.sh). Run it after `npm run generate` whenever schema.json changes.
#
#   scripts/generate-sdks.sh           regenerate and write both SDKs
#   scripts/generate-sdks.sh -check    fail, naming the files, when the committed SDKs are stale (CI)
#
# Needs Go (the version scripts/codegen/sdkgen/go.mod names) and GOPROXY, or a module cache that
# holds the modules: the Go SDK's go.sum is written by `go mod tidy`.
set -euo pipefail
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
sdkgen=$(bash "$root/scripts/go-binary.sh" "$root/scripts/codegen/sdkgen" | tail -n1)
cd "$root"
exec "$sdkgen" -schema schema.json -out sdk "$@"
