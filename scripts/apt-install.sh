#!/usr/bin/env bash
# Install the Debian packages named on the command line that are not installed yet.
# As root this runs apt-get; otherwise it prints what to install and exits 1.
set -euo pipefail

missing=()
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them (Debian/Ubuntu): sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing ${missing[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
