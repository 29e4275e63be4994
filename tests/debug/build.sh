#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of `make check-debug` from Debian's linux-source-6.1
# with tests/debug/kernel.config on top of allnoconfig (KASAN, lockdep,
# kmemleak, DEBUG_OBJECTS, UBSAN, SLUB_DEBUG_ON, fault injection, KCOV),
# and prepare it for the rig like setup.sh does for Debian's kernel: its
# build tree is the KDIR our modules are built against, its modules are
# installed into an image folder, and an initramfs goes beside them.
#
# The result is cached in tests/vm/.cache/debug-<hash>/, the hash covering
# the config fragment, the source package version and RECIPE below, so a
# second run returns at once.  Writes tests/vm/.cache/env-<release> and
# prints the release on stdout (the rest goes to stderr).
#
# Environment: KT_DEBUG_JOBS (default: the number of CPUs), KT_DEBUG_NICE
# (default 15); the build log is .cache/debug-<hash>/build.log.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"
# setup.sh's functions (install_pkgs, build_initrd, find_checkpatch, ...)
# shellcheck source=../vm/setup.sh
. "$KT_VM_DIR/setup.sh"

# Bump when the way the kernel is built changes (not the fragment).
RECIPE=2
FRAG=$KT_ROOT/tests/debug/kernel.config
TAR=/usr/src/linux-source-6.1.tar.xz

debug_hash() {
	{
		cat "$FRAG"
		dpkg-query -W -f='${Version}\n' linux-source-6.1
		echo "recipe $RECIPE"
	} | sha256sum | cut -c1-16
}

# Every =y/=m line of the fragment must have survived allnoconfig.
check_config() {
	local cfg=$1 line bad=0

	while read -r line; do
		grep -qxF "$line" "$cfg" && continue
		kt_log "debug: $line did not survive allnoconfig (missing dependency?)"
		bad=1
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$FRAG")
	return $bad
}

build_kernel() {
	local d=$1 src=$1/linux log=$1/build.log t0 jobs=${KT_DEBUG_JOBS:-$(nproc)}

	t0=$(date +%s)
	rm -rf "$d/image"
	# An interrupted build resumes where it stopped.
	[ -f "$d/configured" ] || configure_kernel "$d"
	kt_log "debug: building vmlinux and modules (nice -n ${KT_DEBUG_NICE:-15}, -j$jobs; log: $log)"
	# bzImage: this kernel's ELF vmlinux triple-faults at its PVH entry
	# under QEMU (seen with KASAN), so the rig boots the bzImage.
	if ! nice -n "${KT_DEBUG_NICE:-15}" make -C "$src" -j"$jobs" bzImage modules \
		>>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		kt_die "the debug kernel build failed (log: $log)"
	fi
	make -C "$src" INSTALL_MOD_PATH="$d/image" DEPMOD=/sbin/depmod \
		modules_install >>"$log" 2>&1 || kt_die "modules_install failed (log: $log)"
	echo $(($(date +%s) - t0)) >"$d/build-seconds"
	kt_log "debug: built in $(cat "$d/build-seconds") s"
}

configure_kernel() {
	local d=$1 src=$1/linux log=$1/build.log

	rm -rf "$src" "$d/unpack"
	kt_log "debug: unpacking $TAR"
	mkdir -p "$d/unpack"
	# Documentation/ (but its Kconfig) is not needed to build a kernel.
	tar -C "$d/unpack" --wildcards \
		--exclude='linux-source-6.1/Documentation/[!K]*' -xJf "$TAR"
	mv "$d/unpack/linux-source-6.1" "$src"
	rmdir "$d/unpack"
	kt_log "debug: configuring (allnoconfig + $FRAG)"
	make -C "$src" KCONFIG_ALLCONFIG="$FRAG" allnoconfig >"$log" 2>&1 || {
		tail -n 30 "$log" >&2
		kt_die "allnoconfig failed (log: $log)"
	}
	check_config "$src/.config" || kt_die "the config fragment is incomplete"
	touch "$d/configured"
}

main() {
	local hash d rel

	mkdir -p "$KT_CACHE"
	# shellcheck disable=SC2086	# one word per package
	install_pkgs $PKGS
	[ -f "$TAR" ] || kt_die "$TAR is missing (package linux-source-6.1)"
	hash=$(debug_hash)
	d=$KT_CACHE/debug-$hash
	mkdir -p "$d"
	exec 8>"$d/lock"
	flock 8
	[ -f "$d/done" ] || build_kernel "$d"
	rel=$(cat "$d/linux/include/config/kernel.release")
	KABI=$rel
	mkdir -p "$d/image/lib/modules/$rel/kernel"
	# Everything the initramfs would load is built in.
	# shellcheck disable=SC2034	# build_initrd reads it
	INITRD_MODS=
	build_initrd "$d/image" "$d/initrd.gz"
	cat >"$KT_CACHE/env-$rel.new" <<EOT
KABI='$rel'
KDIR='$d/linux'
KT_IMAGE='$d/image'
KT_KERNEL='$d/linux/arch/x86/boot/bzImage'
KT_INITRD='$d/initrd.gz'
CHECKPATCH='$(find_checkpatch)'
KT_DEBUG_KERNEL=1
EOT
	mv "$KT_CACHE/env-$rel.new" "$KT_CACHE/env-$rel"
	touch "$d/done"
	echo "$rel"
}

main "$@"
