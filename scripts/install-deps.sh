#!/bin/sh
# Installs the Debian 12 packages accord needs to build, run and test,
# skipping those already present. Runs apt-get as root, or through sudo.
set -eu

packages="build-essential meson ninja-build pkg-config
libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
libcriterion-dev libcurl4-openssl-dev iso-codes gettext sqlite3 curl
libxlsxwriter-dev libzip-dev libexpat1-dev"

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
