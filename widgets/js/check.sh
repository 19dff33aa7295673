#!/bin/sh
# CI: rebuild the bundle into a temporary folder and fail if it differs from the
# committed widgets/static/graph.js (someone changed widgets/js/ without rebuilding).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/build.sh" "$tmp"
if ! cmp -s "$tmp/graph.js" "$here/../static/graph.js"; then
  echo "widgets/static/graph.js is stale: run 'sh widgets/js/build.sh' and commit it" >&2
  diff "$tmp/graph.js" "$here/../static/graph.js" | head -c 2000 >&2 || true
  exit 1
fi
echo "widgets/static/graph.js matches widgets/js/ (rebuilt with esbuild $("$here/node_modules/.bin/esbuild" --version 2>/dev/null || echo '?'))"
