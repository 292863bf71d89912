#!/bin/sh
# Installs the Debian 12 packages accord needs to build, run and test,
# skipping those already present. Runs apt-get as root, or through sudo.
set -eu

packages="build-essential meson ninja-build pkg-config
libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
libcriterion-dev libcurl4-openssl-dev iso-codes gettext sqlite3 curl
libmagic-dev libcmark-dev libxlsxwriter-dev libzip-dev libexpat1-dev libssl-dev"
# With --test: what only the tests need. Go and its x/mod packages run the
# independent log check (tests/interop): signed notes, tiles and proofs
# verified by Go's sumdb code rather than ours.
# clang and libFuzzer's runtime (libclang-rt-14-dev: libclang_rt.fuzzer)
# build the fuzz targets (fuzz/), which the tests run over their corpora.
if [ "${1:-}" = "--test" ]; then
    packages="$packages golang-go golang-golang-x-mod-dev clang libclang-rt-14-dev"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
