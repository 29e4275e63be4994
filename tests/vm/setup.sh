#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the QEMU test rig; idempotent and fast when nothing changed.
#  - installs the Debian packages the rig and the guest tests use
#  - finds the kernel ABI of the installed headers (override: KDIR or KABI)
#  - fetches the matching linux-image package (not installed on the host,
#    only unpacked into tests/vm/.cache/<ABI>/image)
#  - builds a busybox initramfs that mounts the host root over 9p
#  - unpacks checkpatch.pl from linux-source-6.1 when it is missing
# Writes tests/vm/.cache/env (and env-<ABI>) for the other scripts.
# setup.sh --packages prints the package list and does nothing else.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The one package list of the project: make run, make check, make
# check-debug and CI (.ci/run runs this script) all rely on it alone.
#  build:      build-essential (make, gcc, libc6-dev) libssl-dev sparse
#              clang libclang-rt-14-dev (tests/fuzz) perl (checkpatch)
#              linux-source-6.1 (checkpatch; the debug kernel's source)
#  debug kernel (tests/debug/build.sh): bc bison flex libelf-dev
#  host side of the rig: qemu-system-x86 linux-headers-amd64 cpio kmod
#              busybox-static xz-utils zstd binutils rsync util-linux
#  guest tests (the guest runs the host's programs): sg3-utils fio
#              libiscsi-bin e2fsprogs lsscsi iproute2 open-iscsi python3
#              targetcli-fb dbus-daemon (65-iscsi-targetcli) procps
#              dmsetup (96-backstore-faults: dm-error, dm-flakey)
#              multipath-tools (91-alua-multipath: multipathd, multipath)
PKGS="build-essential libssl-dev sparse clang libclang-rt-14-dev perl
linux-source-6.1 bc bison flex libelf-dev
qemu-system-x86 linux-headers-amd64 cpio kmod busybox-static xz-utils zstd
binutils rsync util-linux
sg3-utils fio libiscsi-bin e2fsprogs lsscsi iproute2 open-iscsi python3
targetcli-fb dbus-daemon procps dmsetup multipath-tools"

# Modules the initramfs loads, in this order, before it can mount 9p.
INITRD_MODS="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay configfs"

APT_UPDATED=
apt_update_once() {
	[ -n "$APT_UPDATED" ] && return 0
	kt_log "setup: apt-get update"
	apt-get update -qq >&2
	APT_UPDATED=1
}

install_pkgs() {
	local missing=() p

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || kt_die "missing packages (need root): ${missing[*]}"
	apt_update_once
	kt_log "setup: installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >"$KT_CACHE/apt.log" 2>&1; then
		tail -n 30 "$KT_CACHE/apt.log" >&2
		kt_die "apt-get install failed (log: $KT_CACHE/apt.log)"
	fi
}

# The ABI of the headers that linux-headers-amd64 pulls in, unless the
# caller picked one with KABI or KDIR.
find_abi() {
	local dep

	if [ -n "${KABI:-}" ]; then
		echo "$KABI"
	elif [ -n "${KDIR:-}" ]; then
		[ -r "$KDIR/include/config/kernel.release" ] ||
			kt_die "KDIR=$KDIR has no include/config/kernel.release"
		cat "$KDIR/include/config/kernel.release"
	else
		dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
		dep=$(printf '%s\n' "$dep" | tr ',' '\n' |
		      sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1)
		[ -n "$dep" ] || kt_die "cannot tell the ABI linux-headers-amd64 depends on"
		echo "$dep"
	fi
}

fetch_image() {
	local img=$1 tmp deb

	[ -f "$img/boot/vmlinuz-$KABI" ] && return 0
	tmp=$(mktemp -d "$KT_CACHE/dl.XXXXXX")
	chmod 777 "$tmp"	# apt-get download runs as _apt when it can
	kt_log "setup: fetching linux-image-$KABI"
	if ! (cd "$tmp" && apt-get download -qq "linux-image-$KABI" >&2); then
		apt_update_once
		(cd "$tmp" && apt-get download -qq "linux-image-$KABI" >&2)
	fi
	deb=$(ls "$tmp"/linux-image-*.deb)
	mkdir "$tmp/x"
	dpkg-deb -x "$deb" "$tmp/x"
	rm -f "$deb"
	[ -f "$tmp/x/boot/vmlinuz-$KABI" ] || kt_die "no vmlinuz in $deb"
	rm -rf "$img"
	mv "$tmp/x" "$img"
	rmdir "$tmp"
}

# QEMU boots an uncompressed ELF vmlinux through its PVH entry point much
# faster than a bzImage under TCG (no real-mode setup, no decompression
# under emulation: 0.4 s instead of 3.8 s). Fall back to vmlinuz when the
# kernel has no PVH note.
extract_vmlinux() {
	local z=$1 out=$2 tmp sig pos

	[ -f "$out" ] && return 0
	tmp=$out.tmp
	for sig in '\xfd7zXZ\x00:xz -dc' '\x28\xb5\x2f\xfd:zstd -qdc' '\x1f\x8b\x08:gzip -dc'; do
		for pos in $(LC_ALL=C grep -aboP "${sig%%:*}" "$z" | cut -d: -f1); do
			tail -c +$((pos + 1)) "$z" | ${sig#*:} >"$tmp" 2>/dev/null
			# XEN_ELFNOTE_PHYS32_ENTRY (18) is the PVH entry point.
			if readelf -n "$tmp" 2>/dev/null | grep -q 'type: (0x00000012)'; then
				mv "$tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	kt_log "setup: no PVH vmlinux inside $z; booting the bzImage (slower)"
	return 1
}

# Copy one module of the image into the initramfs, uncompressed.
# Prints nothing and succeeds for a built-in module.
initrd_add_mod() {
	local mdir=$1 m=$2 dst=$3 f

	grep -q "/$m\.ko\$" "$mdir/modules.builtin" 2>/dev/null && return 0
	f=$(find "$mdir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \
	    -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) | head -n1)
	[ -n "$f" ] || kt_die "module $m not found in the image"
	case $f in
	*.xz) xz -dc "$f" >"$dst/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$dst/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$dst/$m.ko" ;;
	*) cp "$f" "$dst/$m.ko" ;;
	esac
	echo "$m" >>"$dst/order"
}

# Stage 1 of the guest: load virtio/9p/overlay, mount the host root
# read-only with a tmpfs overlay on top, mount /tmp, /run, configfs, the
# "out" share and the module staging folder of run-guest.sh (kt.run=),
# then switch_root to stage 2 (tests/vm/guest-init.sh, named by kt.init=).
# The host folders of kt.keep= (comma-separated: the checkout and the run
# folder when they live under /tmp or /run) stay visible through the
# guest's own tmpfs there: each is bind-mounted aside before the tmpfs
# goes on and moved back onto it after.
write_stage1() {
	cat >"$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /ro /rw /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# off through ACPI, or by a reset (QEMU's -no-reboot) without it
off() { if [ -d /sys/firmware/acpi ]; then echo o; else echo b; fi >/proc/sysrq-trigger; }
die() { echo "initramfs: $*"; off; sleep 5; }
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || die "insmod $m failed"
done
run=
init=
keep=
for a in $(cat /proc/cmdline); do
	case $a in
	kt.init=*) init=${a#kt.init=} ;;
	kt.run=*) run=${a#kt.run=} ;;
	kt.keep=*) keep=$(echo "${a#kt.keep=}" | tr , ' ') ;;
	esac
done
[ -n "$init" ] && [ -n "$run" ] || die "no kt.init= or kt.run= on the command line"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /ro ||
	die "cannot mount the host root"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work \
	overlay /newroot || die "cannot mount the overlay"
# Everything else is mounted here, with busybox from RAM: each program
# started from the 9p root costs ~0.1 s under TCG.
n=/newroot
mount --move /proc $n/proc
mount --move /sys $n/sys
mount --move /dev $n/dev
abi=$(uname -r)
mkdir -p $n/lib/modules/$abi
mount --bind $n$run/stage/lib/modules/$abi $n/lib/modules/$abi ||
	die "cannot bind the module staging folder"
i=0
for p in $keep; do
	mkdir -p /keep/$i
	mount --bind $n$p /keep/$i || die "cannot keep $p"
	i=$((i + 1))
done
mount -t tmpfs -o mode=1777 tmpfs $n/tmp
mount -t tmpfs -o mode=0755 tmpfs $n/run
i=0
for p in $keep; do
	mkdir -p $n$p
	mount --move /keep/$i $n$p || die "cannot put $p back"
	i=$((i + 1))
done
mkdir -p $n/run/lock $n/run/shm $n/dev/pts $n/dev/shm $n/ktout $n/root
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $n/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $n/dev/shm
mount -t configfs configfs $n/sys/kernel/config
mount -t debugfs debugfs $n/sys/kernel/debug
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $n/ktout ||
	die "cannot mount the out share"
ln -sf /proc/self/fd $n/dev/fd
ln -sf /proc/self/fd/0 $n/dev/stdin
ln -sf /proc/self/fd/1 $n/dev/stdout
ln -sf /proc/self/fd/2 $n/dev/stderr
hostname ktarget-vm
ip link set lo up
exec switch_root $n "$init"
EOF
	chmod 755 "$1"
}

build_initrd() {
	local img=$1 out=$2 mdir tmp m

	[ -f "$out" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ] && return 0
	kt_log "setup: building the initramfs"
	mdir=$img/lib/modules/$KABI
	tmp=$(mktemp -d "$KT_CACHE/initrd.XXXXXX")
	mkdir -p "$tmp/root/bin" "$tmp/root/lib/modules"
	: >"$tmp/root/lib/modules/order"
	cp /bin/busybox "$tmp/root/bin/busybox"
	for m in $INITRD_MODS; do
		initrd_add_mod "$mdir" "$m" "$tmp/root/lib/modules"
	done
	write_stage1 "$tmp/root/init"
	(cd "$tmp/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd"
	mv "$tmp/initrd" "$out"
	rm -rf "$tmp"
}

find_checkpatch() {
	local f

	for f in "$KT_ROOT/scripts/checkpatch.pl" \
		 /opt/linux-source-6.1/scripts/checkpatch.pl; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

unpack_checkpatch() {
	local tar=/usr/src/linux-source-6.1.tar.xz s=linux-source-6.1/scripts

	find_checkpatch >/dev/null && return 0
	[ -f "$tar" ] || kt_die "$tar is missing (package linux-source-6.1)"
	kt_log "setup: unpacking checkpatch.pl into /opt/linux-source-6.1"
	mkdir -p /opt
	tar -C /opt -xJf "$tar" "$s/checkpatch.pl" "$s/spelling.txt" \
		"$s/const_structs.checkpatch"
}

main() {
	local img kernel

	mkdir -p "$KT_CACHE"
	exec 9>"$KT_CACHE/setup.lock"
	flock 9
	# shellcheck disable=SC2086	# one word per package
	install_pkgs $PKGS
	KABI=$(find_abi)
	KDIR=${KDIR:-/usr/src/linux-headers-$KABI}
	[ -d "$KDIR" ] || install_pkgs "linux-headers-$KABI"
	[ -f "$KDIR/Makefile" ] || kt_die "no kernel headers at $KDIR"
	img=$KT_CACHE/$KABI/image
	mkdir -p "$KT_CACHE/$KABI"
	fetch_image "$img"
	build_initrd "$img" "$KT_CACHE/$KABI/initrd.gz"
	kernel=$img/boot/vmlinuz-$KABI
	extract_vmlinux "$kernel" "$KT_CACHE/$KABI/vmlinux" &&
		kernel=$KT_CACHE/$KABI/vmlinux
	unpack_checkpatch
	cat >"$KT_CACHE/env-$KABI.new" <<EOF
KABI='$KABI'
KDIR='$KDIR'
KT_IMAGE='$img'
KT_KERNEL='$kernel'
KT_INITRD='$KT_CACHE/$KABI/initrd.gz'
CHECKPATCH='$(find_checkpatch)'
EOF
	mv "$KT_CACHE/env-$KABI.new" "$KT_CACHE/env-$KABI"
	# The default kernel is the one chosen without KDIR/KABI.
	if [ -z "${KT_SETUP_EXPLICIT:-}" ] || [ ! -f "$KT_ENV_FILE" ]; then
		cp "$KT_CACHE/env-$KABI" "$KT_ENV_FILE.new"
		mv "$KT_ENV_FILE.new" "$KT_ENV_FILE"
	fi
	kt_log "setup: ok (kernel $KABI, headers $KDIR)"
}

# tests/debug/build.sh sources this file for its functions.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
if [ "${1:-}" = --packages ]; then
	# shellcheck disable=SC2086
	echo $PKGS
	exit 0
fi
[ -n "${KABI:-}${KDIR:-}" ] && KT_SETUP_EXPLICIT=1
main "$@"
