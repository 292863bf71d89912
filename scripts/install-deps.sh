#!/bin/sh
# Installs the Debian 12 packages accord needs to build, run and test,
# skipping those already present. Runs apt-get as root, or through sudo.
set -eu

packages="build-essential meson ninja-build pkg-config
libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
libcriterion-dev libcurl4-openssl-dev iso-codes gettext sqlite3 curl
libmagic-dev libcmark-dev libxlsxwriter-dev libzip-dev libexpat1-dev libssl-dev zlib1g-dev
libicu-dev libxml2-dev"
# With --test: what only the tests need. Go and its x/mod packages run the
# independent log check (tests/interop): signed notes, tiles and proofs
# verified by Go's sumdb code rather than ours.
# clang and libFuzzer's runtime (libclang-rt-14-dev: libclang_rt.fuzzer)
# build the fuzz targets (fuzz/), which the tests run over their corpora.
# wrk loads the server in make stress. Chromium and Node.js drive the portal's browser tests (tests/browser); a
# Chinese font lets its screenshots show Chinese (Arabic comes with DejaVu).
if [ "${1:-}" = "--test" ]; then
    packages="$packages golang-go golang-golang-x-mod-dev chromium fonts-wqy-zenhei wrk
        clang libclang-rt-14-dev"
    # Node.js from Debian unless a node is already installed (it may come
    # from elsewhere, with its own npm).
    command -v node >/dev/null 2>&1 || packages="$packages nodejs"
    command -v npm >/dev/null 2>&1 || packages="$packages npm"
fi
# With --bench: the references make bench measures accord against (nginx
# serving the same bytes as files) and the load generator (wrk).
if [ "${1:-}" = "--bench" ]; then
    packages="$packages nginx-light wrk"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "Installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

# The browser tests' npm packages, exactly as tests/browser/package-lock.json pins them.
if [ "${1:-}" = "--test" ]; then
    browser="$(dirname "$0")/../tests/browser"
    lock="$browser/package-lock.json"
    stamp="$browser/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
        (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
