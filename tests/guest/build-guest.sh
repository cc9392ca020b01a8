#!/usr/bin/env bash
# Build rewind's Linux test guest from Debian packages only:
#   - a Linux 6.1 riscv64 `Image` from Debian's linux-source-6.1 (tinyconfig + linux.config),
#   - a static riscv64 busybox from Debian's busybox source package, packed with our `init`
#     into initramfs.cpio.gz.
# Both are cached outside the source tree, keyed by a hash of every input (this script, the
# config fragment, the init script, the Debian package versions). A warm run takes seconds.
#
# Prints, on stdout and nothing else:
#   KERNEL=/path/to/Image
#   INITRD=/path/to/initramfs.cpio.gz
#   VMLINUX=/path/to/vmlinux   (the kernel's ELF with symbols, for gdb)
# Progress and errors go to stderr.
#
# Environment:
#   REWIND_GUEST_CACHE  cache directory (default: $HOME/.cache/rewind/guests)
#   REWIND_GUEST_JOBS   parallel make jobs (default: nproc)
#   REWIND_GUEST_NICE   nice level for the compilers (default: 10)
# Options:
#   --force             rebuild even when cached
#   --no-apt            never call apt-get (fail if something is missing)
set -Eeuo pipefail

prog=build-guest.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${REWIND_GUEST_CACHE:-${HOME:?HOME is not set}/.cache/rewind/guests}
jobs=${REWIND_GUEST_JOBS:-$(nproc)}
nicelvl=${REWIND_GUEST_NICE:-10}
force=0
use_apt=1

for arg in "$@"; do
    case $arg in
        --force) force=1 ;;
        --no-apt) use_apt=0 ;;
        -h|--help) sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "$prog: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

log() { echo "$prog: $*" >&2; }
die() { echo "$prog: error: $*" >&2; exit 1; }
current_log=
on_err() {
    local rc=$? line=$1 cmd=$2
    echo "$prog: error: command failed (exit $rc) at line $line: $cmd" >&2
    if [[ -n $current_log && -f $current_log ]]; then
        echo "$prog: last lines of $current_log:" >&2
        tail -n 40 "$current_log" >&2
        echo "$prog: full log: $current_log (work directory kept for inspection)" >&2
    fi
    exit 1
}
trap 'on_err $LINENO "$BASH_COMMAND"' ERR

# ---------------------------------------------------------------------------------------------
# Inputs
KCONFIG_FRAGMENT=$here/linux.config
INIT_SCRIPT=$here/init
UDHCPC_SCRIPT=$here/udhcpc.script
LINUX_PKG=linux-source-6.1
LINUX_TARBALL=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-linux-gnu-
# Fixed build identity, so that the guest's `uname -a` and busybox's banner are the same on
# every machine (record/replay tests compare console output).
BUILD_TIMESTAMP="Mon Jan  1 00:00:00 UTC 2024"
BUILD_EPOCH=1704067200

[[ -f $KCONFIG_FRAGMENT ]] || die "missing $KCONFIG_FRAGMENT"
[[ -f $INIT_SCRIPT ]] || die "missing $INIT_SCRIPT"

# Debian packages needed on the build host (binary packages; busybox comes as a source package).
HOST_PKGS=(
    "$LINUX_PKG" gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu
    gcc libc6-dev make bc flex bison perl cpio xz-utils bzip2 gzip dpkg-dev util-linux
)

as_root() {
    if [[ $(id -u) == 0 ]]; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
    else die "need root to run: $* (run this script as root, or install that by hand)"
    fi
}

apt_updated=0
apt_update() {
    ((apt_updated)) && return 0
    ((use_apt)) || die "apt-get update needed but --no-apt was given"
    log "apt-get update"
    as_root apt-get update -qq >&2 || die "apt-get update failed"
    apt_updated=1
}

installed_version() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
                      awk '$3 == "installed" { print $4 }'; }

ensure_host_packages() {
    local missing=() p
    for p in "${HOST_PKGS[@]}"; do
        [[ -n $(installed_version "$p") ]] || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    ((use_apt)) || die "missing Debian packages: ${missing[*]} (apt-get install them)"
    apt_update
    log "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# The busybox source version apt-get source would fetch: the candidate of the binary package
# (its version changes with the source; it needs no deb-src list, so warm runs stay offline).
busybox_candidate() { apt-cache policy busybox 2>/dev/null | awk '/Candidate:/ { print $2 }'; }

# apt-get source needs deb-src entries. If none exist, derive them from the Debian `deb`
# entries already configured (same mirrors, suites and components).
derive_deb_src() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             { types = ""; uris = ""
               for (i = 1; i <= NF; i++) { if ($i ~ /^Types:/) types = $i; if ($i ~ /^URIs:/) uris = $i }
               if (types ~ /[ \t]deb([ \t]|$)/ && types !~ /deb-src/ && uris ~ /debian/) {
                 for (i = 1; i <= NF; i++) { if ($i ~ /^Types:/) print "Types: deb-src"; else print $i }
                 print ""
               } }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]\(.*debian.*\)$/deb-src \1/p' "$f"
    done
}

ensure_deb_src() {
    if apt-cache showsrc --only-source busybox 2>/dev/null | grep -q '^Package: busybox'; then
        return 0
    fi
    ((use_apt)) || die "no deb-src entry for busybox and --no-apt was given"
    local dst=/etc/apt/sources.list.d/rewind-deb-src.sources srcs
    if [[ ! -f $dst ]]; then
        srcs=$(derive_deb_src)
        [[ -n $srcs ]] || die "no Debian 'deb' entries in /etc/apt/sources.list* to derive deb-src from"
        log "adding deb-src entries ($dst)"
        printf '# Added by rewind tests/guest/build-guest.sh for `apt-get source busybox`.\n%s\n' \
            "$srcs" | as_root tee "$dst" >/dev/null
    fi
    apt_updated=0
    apt_update
    apt-cache showsrc --only-source busybox 2>/dev/null | grep -q '^Package: busybox' ||
        die "apt-get still knows no source package 'busybox' (check $dst)"
}

hash_of() { sha256sum | cut -c1-16; }

# ---------------------------------------------------------------------------------------------
mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd)
case $cache/ in "$(cd "$here/../.." && pwd)"/*) die "cache $cache is inside the source tree";; esac

# One build at a time per cache (parallel `make check` runs share it).
exec 9>"$cache/.lock"
flock 9
# Work directories of earlier failed runs (kept for inspection until now).
rm -rf "$cache"/work.* "$cache"/.linux-*.tmp "$cache"/.initramfs-*.tmp

ensure_host_packages
[[ -f $LINUX_TARBALL ]] || die "$LINUX_TARBALL is missing (is $LINUX_PKG installed?)"
bb_version=$(busybox_candidate)
if [[ -z $bb_version || $bb_version == "(none)" ]]; then
    apt_update
    bb_version=$(busybox_candidate)
    [[ -n $bb_version && $bb_version != "(none)" ]] || die "apt knows no package 'busybox'"
fi

toolchain_versions=$(for p in gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu; do
    echo "$p $(installed_version "$p")"; done)
script_hash=$(hash_of < "${BASH_SOURCE[0]}")
kernel_key=$( { echo "$script_hash"; cat "$KCONFIG_FRAGMENT"; echo "$LINUX_PKG $(installed_version "$LINUX_PKG")"
                echo "$toolchain_versions"; } | hash_of)
initrd_key=$( { echo "$script_hash"; cat "$INIT_SCRIPT" "$UDHCPC_SCRIPT"; echo "busybox $bb_version"
                echo "$LINUX_PKG $(installed_version "$LINUX_PKG")"; echo "$toolchain_versions"; } | hash_of)
kdir=$cache/linux-6.1-$kernel_key
idir=$cache/initramfs-$initrd_key
((force)) && rm -rf "$kdir" "$idir"

NICE=(nice -n "$nicelvl")
work=
cleanup_work() { [[ -n $work && -d $work ]] && rm -rf "$work"; work=; }
new_work() { cleanup_work; work=$(mktemp -d "$cache/work.XXXXXX"); }

# Extracts the kernel source tree into $work/linux (once per work dir).
extract_linux() {
    [[ -d $work/linux ]] && return 0
    log "extracting $LINUX_TARBALL"
    mkdir -p "$work/linux"
    tar -xJf "$LINUX_TARBALL" -C "$work/linux" --strip-components=1
}

# ---------------------------------------------------------------------------------------------
build_kernel() {
    local t0=$SECONDS src out line missing=()
    new_work
    extract_linux
    src=$work/linux out=$work/kout
    mkdir -p "$out"
    current_log=$work/kernel.log
    local kmake=(make -C "$src" O="$out" ARCH=riscv CROSS_COMPILE="$CROSS"
                 KBUILD_BUILD_TIMESTAMP="$BUILD_TIMESTAMP" KBUILD_BUILD_USER=rewind
                 KBUILD_BUILD_HOST=rewind KBUILD_BUILD_VERSION=1)
    log "configuring Linux (tinyconfig + $(basename "$KCONFIG_FRAGMENT"))"
    "${kmake[@]}" tinyconfig >"$current_log" 2>&1
    # -n: merge with allnoconfig, so that options made visible by the fragment (IPv6, VT,
    # input, wireless...) stay off instead of taking their defaults.
    (cd "$src" && ARCH=riscv CROSS_COMPILE="$CROSS" \
        scripts/kconfig/merge_config.sh -n -O "$out" "$out/.config" "$KCONFIG_FRAGMENT") >>"$current_log" 2>&1
    # Every line of the fragment must survive (a typo or an unmet dependency would otherwise be
    # dropped silently).
    while IFS= read -r line; do
        [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+=.*|#\ CONFIG_[A-Za-z0-9_]+\ is\ not\ set)$ ]] || continue
        grep -qxF -- "$line" "$out/.config" || missing+=("$line")
    done < "$KCONFIG_FRAGMENT"
    ((${#missing[@]} == 0)) ||
        die "linux.config lines not in the final .config (dependency unmet or misspelt): ${missing[*]}"
    log "building Linux Image (make -j$jobs, nice $nicelvl; a cold build takes ~10-15 min on 2 cores)"
    "${NICE[@]}" "${kmake[@]}" -j"$jobs" Image >>"$current_log" 2>&1
    local img=$out/arch/riscv/boot/Image
    [[ -s $img ]] || die "kernel build produced no $img"
    # RISC-V Image header: magic "RSC\x05" at offset 0x38.
    [[ $(dd if="$img" bs=1 skip=56 count=4 2>/dev/null | od -An -c | tr -d ' ') == 'RSC005' ]] ||
        die "$img has no RISC-V Image header"
    local tmp=$cache/.linux-$kernel_key.tmp
    rm -rf "$tmp"; mkdir -p "$tmp"
    cp "$img" "$tmp/Image"
    cp "$out/.config" "$tmp/config"
    cp "$out/System.map" "$tmp/System.map"
    # The ELF with its symbol table, for gdb (`gdb-multiarch vmlinux`, breakpoints by name).
    cp "$out/vmlinux" "$tmp/vmlinux"
    cp "$src/usr/gen_init_cpio.c" "$tmp/gen_init_cpio.c"
    { echo "linux: $LINUX_PKG $(installed_version "$LINUX_PKG")"; echo "$toolchain_versions"
      echo "built: $(date -u '+%F %T UTC') in $((SECONDS - t0)) s"; } > "$tmp/build-info.txt"
    mv "$tmp" "$kdir"
    current_log=
    log "Linux Image built in $((SECONDS - t0)) s"
}

build_initramfs() {
    local t0=$SECONDS dsc src out root list srcver l
    ensure_deb_src
    [[ -n $work && -d $work ]] || new_work
    current_log=$work/busybox.log
    log "fetching Debian source package busybox"
    mkdir -p "$work/bbsrc"
    (cd "$work/bbsrc" && apt-get source --download-only busybox) >"$current_log" 2>&1
    dsc=$(ls "$work"/bbsrc/busybox_*.dsc 2>/dev/null | head -n1)
    [[ -n $dsc ]] || die "apt-get source busybox fetched no .dsc"
    srcver=$(sed -n 's/^Version: //p' "$dsc")
    src=$work/bbsrc/src out=$work/bbout root=$work/root
    dpkg-source -x "$dsc" "$src" >>"$current_log" 2>&1   # unpacks and applies Debian's patches
    mkdir -p "$out"
    local bmake=(make -C "$src" O="$out" ARCH=riscv CROSS_COMPILE="$CROSS"
                 SOURCE_DATE_EPOCH="$BUILD_EPOCH" BB_EXTRA_VERSION="Debian $srcver")
    log "configuring busybox $srcver (defconfig, static)"
    "${bmake[@]}" defconfig >>"$current_log" 2>&1
    # Static, so the initramfs needs no libc. Nothing in defconfig fails to cross-build with
    # Debian 12's riscv64 toolchain; add `# CONFIG_X is not set` edits here if one ever does.
    sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$out/.config"
    "${bmake[@]}" oldconfig </dev/null >>"$current_log" 2>&1
    grep -qx 'CONFIG_STATIC=y' "$out/.config" || die "could not enable CONFIG_STATIC in busybox"
    log "building busybox (make -j$jobs, nice $nicelvl)"
    "${NICE[@]}" "${bmake[@]}" -j"$jobs" busybox >>"$current_log" 2>&1
    "${bmake[@]}" busybox.links >>"$current_log" 2>&1
    [[ $(od -An -tx1 -j18 -N2 "$out/busybox" | tr -d ' ') == f300 ]] ||
        die "$out/busybox is not a riscv64 ELF"

    # gen_init_cpio from the kernel source: builds the cpio from a list, without root
    # (device nodes, uid 0) and reproducibly (fixed mtime).
    local gic=$work/gen_init_cpio
    if [[ -f $kdir/gen_init_cpio.c ]]; then
        cp "$kdir/gen_init_cpio.c" "$work/gen_init_cpio.c"
    else
        tar -xJf "$LINUX_TARBALL" -O linux-source-6.1/usr/gen_init_cpio.c > "$work/gen_init_cpio.c"
    fi
    cc -O2 -o "$gic" "$work/gen_init_cpio.c" >>"$current_log" 2>&1

    list=$work/initramfs.list
    {
        for d in /bin /sbin /usr /usr/bin /usr/sbin /usr/share /usr/share/udhcpc /dev /proc /sys /tmp /run /etc /root /mnt /var; do
            echo "dir $d 755 0 0"
        done
        echo "nod /dev/console 600 0 0 c 5 1"
        echo "nod /dev/null 666 0 0 c 1 3"
        echo "file /init $INIT_SCRIPT 755 0 0"
        echo "file /usr/share/udhcpc/default.script $UDHCPC_SCRIPT 755 0 0"
        echo "file /bin/busybox $out/busybox 755 0 0"
        sort -u "$out/busybox.links" | while IFS= read -r l; do
            [[ $l == /bin/busybox || -z $l ]] && continue
            echo "slink $l /bin/busybox 777 0 0"
        done
    } > "$list"
    mkdir -p "$root"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/passwd"
    printf 'root:x:0:\n' > "$root/group"
    printf 'export PS1='"'"'\\u@\\h:\\w\\$ '"'"'\n' > "$root/profile"
    printf '127.0.0.1 localhost\n' > "$root/hosts"
    for l in passwd group profile hosts; do echo "file /etc/$l $root/$l 644 0 0"; done >> "$list"

    local tmp=$cache/.initramfs-$initrd_key.tmp
    rm -rf "$tmp"; mkdir -p "$tmp"
    "$gic" -t "$BUILD_EPOCH" "$list" 2>>"$current_log" | gzip -9n > "$tmp/initramfs.cpio.gz"
    cp "$out/busybox" "$tmp/busybox"
    cp "$out/.config" "$tmp/busybox.config"
    cp "$list" "$tmp/initramfs.list"
    { echo "busybox: $srcver (apt candidate $bb_version)"; echo "$toolchain_versions"
      echo "built: $(date -u '+%F %T UTC') in $((SECONDS - t0)) s"; } > "$tmp/build-info.txt"
    mv "$tmp" "$idir"
    current_log=
    log "initramfs built in $((SECONDS - t0)) s"
}

[[ -s $kdir/Image && -s $kdir/vmlinux ]] || build_kernel
[[ -s $idir/initramfs.cpio.gz ]] || build_initramfs
cleanup_work

echo "KERNEL=$kdir/Image"
echo "INITRD=$idir/initramfs.cpio.gz"
echo "VMLINUX=$kdir/vmlinux"
