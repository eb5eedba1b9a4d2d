#!/usr/bin/env bash
# Vendor front-end assets into static/vendor/ from pinned npm package tarballs.
# Usage: scripts/vendor_static.sh   (needs npm and node; run from anywhere)
# To upgrade: bump a version, set its integrity to the value `npm view <pkg>@<ver> dist.integrity`
# prints, re-run, and update static/vendor/VERSIONS.md.
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_INTEGRITY="sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="
HTMX_VERSION="2.0.11"
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch_pkg NAME VERSION INTEGRITY -> extracts to $TMP/NAME/package
fetch_pkg() {
    local name="$1" version="$2" integrity="$3" tgz actual
    (cd "$TMP" && npm pack --silent --ignore-scripts "${name}@${version}" >/dev/null)
    tgz="$TMP/${name}-${version}.tgz"
    actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    if [[ "$actual" != "$integrity" ]]; then
        echo "integrity mismatch for ${name}@${version}: got $actual" >&2
        exit 1
    fi
    mkdir -p "$TMP/$name"
    tar -xzf "$tgz" -C "$TMP/$name"
}

fetch_pkg bootstrap "$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY"
fetch_pkg htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY"

BS="$TMP/bootstrap/package"
HX="$TMP/htmx.org/package"

rm -rf "$VENDOR/bootstrap" "$VENDOR/htmx"
mkdir -p "$VENDOR/bootstrap" "$VENDOR/htmx"

install -m 0644 \
    "$BS/dist/css/bootstrap.min.css" \
    "$BS/dist/css/bootstrap.min.css.map" \
    "$BS/dist/js/bootstrap.bundle.min.js" \
    "$BS/dist/js/bootstrap.bundle.min.js.map" \
    "$BS/LICENSE" \
    "$VENDOR/bootstrap/"
install -m 0644 \
    "$HX/dist/htmx.min.js" \
    "$HX/LICENSE" \
    "$VENDOR/htmx/"

# Every sourceMappingURL must resolve to a file next to it, or whitenoise's
# manifest storage fails during collectstatic.
status=0
while IFS= read -r f; do
    while IFS= read -r ref; do
        if [[ ! -f "$(dirname "$f")/$ref" ]]; then
            echo "missing source map: $f -> $ref" >&2
            status=1
        fi
    done < <(grep -ao 'sourceMappingURL=[^ *]*' "$f" | sed 's/^sourceMappingURL=//')
done < <(find "$VENDOR/bootstrap" "$VENDOR/htmx" -type f \( -name '*.css' -o -name '*.js' \))
exit "$status"
