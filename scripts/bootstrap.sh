#!/usr/bin/env bash
# Installs every system package the project needs (Debian 12) and builds the package.
# Idempotent: packages already present are skipped. Needs root or sudo for apt-get.
#
#   scripts/bootstrap.sh            install + debug build
#   scripts/bootstrap.sh --no-build install only
#   scripts/bootstrap.sh --release  install + release build
#   scripts/bootstrap.sh --with-browser  also Debian's chromium (the report's headless render test)
set -euo pipefail

PACKAGES=(
    pkg-config
    libhdf5-dev
    libopenblas-dev
    libzstd-dev
    zlib1g-dev
    python3-numpy
    libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
)

build=debug
for arg in "$@"; do
    case "$arg" in
        --no-build) build=none ;;
        --release) build=release ;;
        --with-browser) PACKAGES+=(chromium) ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "bootstrap: system packages already installed" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: the Swift toolchain (6.0 or newer) is not on PATH; install it first" >&2
    exit 1
fi

cd "$(dirname "$0")/.."
case "$build" in
    debug) swift build ;;
    release) swift build -c release ;;
    none) ;;
esac
