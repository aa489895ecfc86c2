#!/usr/bin/env bash
# Builds the web client with the machine's Node/npm into the directory given as $1.
# Called by Maven (generate-resources). Installs dependencies only when the lock file changed,
# so repeated builds stay fast.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:?output directory}
command -v npm >/dev/null || { echo "web-client: npm not found: install Node.js 20+ (it provides npm)" >&2; exit 1; }
# `npm install` honours the versions pinned in package-lock.json. (`npm ci` is not used: npm 11
# here records only this platform's optional packages, such as rollup's native binary, in the
# lock file and then rejects it as out of sync.)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
npx vite build --outDir "$out" --emptyOutDir --logLevel warn
