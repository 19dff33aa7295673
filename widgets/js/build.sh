#!/bin/sh
# Rebuild the widget's one-file bundle: widgets/static/graph.js (an ES module with
# `export default { render }`, dagre and the CSS inlined; no CDN at run time).
# Usage: sh widgets/js/build.sh [OUTDIR]   (default: widgets/static)
# Reproducible: esbuild and dagre are pinned exactly in package.json and package-lock.json,
# and `npm ci` installs exactly those.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../static"}
cd "$here"
# the stamp is the lockfile node_modules was installed from: reinstall when it changed
if [ ! -x node_modules/.bin/esbuild ] || ! cmp -s package-lock.json node_modules/.docalc-lock; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.docalc-lock
fi
mkdir -p "$out"
./node_modules/.bin/esbuild graph.js --bundle --format=esm --target=es2020 --minify \
  --loader:.css=text --legal-comments=eof --charset=utf8 \
  --banner:js="// docalc graph widget: built by widgets/js/build.sh from widgets/js/ (do not edit)" \
  --outfile="$out/graph.js" --log-level=warning
