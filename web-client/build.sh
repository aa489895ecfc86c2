#!/usr/bin/env bash
# Builds the web client with the machine's Node/npm into the directory given as $1.
# Called by Maven (generate-resources). Installs dependencies only when the lock file changed,
# so repeated builds stay fast.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:?output directory}
command -v npm >/dev/null || { echo "web-client: npm not found: install Node.js 20+ (it provides npm)" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx vite build --outDir "$out" --emptyOutDir --logLevel warn
