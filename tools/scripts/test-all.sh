#!/usr/bin/env bash
# Every test of the repository: lint (module boundaries), types, unit and integration specs,
# the built contracts package as another service installs it, then the end-to-end suites over real HTTP.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false
export NX_NO_CLOUD=true

npx nx run-many -t lint typecheck --parallel=2 --output-style=static
npx nx run-many -t test --parallel=1 --output-style=static
npx nx run contracts:consumer-check --output-style=static
npx nx run-many -t build --projects=api,receiver --parallel=2 --output-style=static
npx nx run-many -t e2e --parallel=1 --output-style=static
echo "all test stages passed"
