#!/bin/sh
# Regenerates data/world-map.json, the world map the portal draws, from
# Natural Earth's Admin 0 country shapes as the npm package world-atlas
# publishes them (TopoJSON). Provenance: data/world-map.md.
#
# usage: scripts/world-map.sh
# Installs the pinned packages below into a temporary folder with npm and
# runs scripts/world-map.mjs there, which simplifies the 1:50m topology
# (topojson-simplify), projects it once (Equal Earth, d3-geo) onto a
# 1000-pixel-wide plane, writes each country as one SVG path of whole
# pixels keyed by its ISO 3166-1 numeric and alpha-3 codes, and gives a
# marker (the centroid of its largest polygon in the 1:10m shapes) to every
# ISO 3166-1 entry whose shape is missing or under 5 pixels. It fails, and
# writes nothing, unless every UN member and observer state in
# data/un-membership.json has a shape or a marker. Needs node and npm
# (Debian: nodejs, npm) and iso-codes.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/data/world-map.json"
iso="${ISO_3166_JSON:-/usr/share/iso-codes/json/iso_3166-1.json}"
packages="world-atlas@2.0.2 topojson-client@3.1.0 topojson-simplify@3.0.3 d3-geo@3.1.2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund $packages >/dev/null)
cp "$root/scripts/world-map.mjs" "$work/"
# What was installed, from npm's lock file: name, version, licence and the
# registry's integrity hash of each tarball.
installed=$(cd "$work" && node -e '
const lock = require("./package-lock.json").packages
const out = {}
for (const [k, v] of Object.entries(lock))
  if (k.startsWith("node_modules/")) out[k.slice(13)] = {version: v.version, license: v.license, integrity: v.integrity}
process.stdout.write(JSON.stringify(out))')
iso_version=$(dpkg-query -W -f='${Version}' iso-codes 2>/dev/null || echo unknown)
source=$(INSTALLED="$installed" ISO_VERSION="$iso_version" node -e '
const p = JSON.parse(process.env.INSTALLED)
process.stdout.write(JSON.stringify({
  upstream: "Natural Earth 4.1.0, Admin 0 countries (public domain), https://www.naturalearthdata.com/",
  package: `world-atlas@${p["world-atlas"].version}`,
  package_integrity: p["world-atlas"].integrity,
  licence: "Natural Earth: public domain; world-atlas: ISC (Copyright 2013-2019 Michael Bostock); see data/world-map.md",
  shapes: "countries-50m.json, simplified (topojson-simplify, 5% of points kept); markers from countries-10m.json",
  projection: `Equal Earth (d3-geo@${p["d3-geo"].version}), fitted to 1000 px wide, whole pixels`,
  tools: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, `${v.version} ${v.integrity}`])),
  iso_codes: `Debian iso-codes ${process.env.ISO_VERSION}`,
  fetched: new Date().toISOString().slice(0, 10),
  converted_by: "scripts/world-map.sh"
}))')
(cd "$work" && WM_ATLAS="$work/node_modules/world-atlas" WM_RESOLUTION=50m WM_KEEP=0.05 WM_MIN_SIZE=5 \
    WM_ISO="$iso" WM_UN="$root/data/un-membership.json" WM_SOURCE="$source" \
    node world-map.mjs >"$work/world-map.json")
node -e "JSON.parse(require('fs').readFileSync('$work/world-map.json', 'utf8'))"
mv "$work/world-map.json" "$out"
echo "wrote $out ($(wc -c <"$out") bytes; $(grep -c '"d":' "$out") shapes, $(grep -c '"x":' "$out") markers; sha256 $(sha256sum "$out" | cut -d' ' -f1))"
