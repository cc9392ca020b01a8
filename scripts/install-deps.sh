#!/usr/bin/env bash
# Installs the Debian packages rewind needs to build and test, only when one is missing.
# Used by `make`, `make check` and .ci/run so that a fresh machine needs nothing by hand.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config
  libglib2.0-dev libfdt-dev zlib1g-dev libgtest-dev
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
  qemu-system-misc qemu-user opensbi gdb-multiarch device-tree-compiler
  qemu-utils e2fsprogs
  libslirp-dev tshark
  u-boot-qemu fdisk
  libpixman-1-dev libvncserver-dev  # the screen (ui/display.cc) and -vnc (ui/vnc.cc)
  novnc  # the -vnc websocket=on test connects noVNC in headless Chromium
  vncsnapshot  # the -vnc test takes a snapshot with a real VNC viewer
  chromium  # rewind-dump --timeline pages are tested in headless Chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
