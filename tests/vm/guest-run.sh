#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make run` (tests/vm/run.sh): load ktarget, export a
# 256 MiB RAM disk on the loopback fabric, show it, then give a shell when
# run-guest.sh was started with -i (leaving the shell powers the VM off).
. "$(dirname "${BASH_SOURCE[0]}")/../guest/lib.sh"

say() { printf '\n### %s\n' "$*"; }

say "guest up: kernel $(uname -r), modules: $(kt_modules | tr '\n' ' ')"
say "modprobe $(kt_modules | tr '\n' ' ')"
kt_load || exit 1
say "ramdisk: mkdir $KT_CFS/core/rd_mcp_0/rd0, rd_pages=65536, enable=1"
dev=$(kt_mk_rd rd0 256) || exit 1
cat "$dev/info"
say "loopback: target/loopback/<naa>/tpgt_1, nexus, lun/lun_0 -> rd0"
kt_loop_export "$dev" 0 || exit 1
echo "target $KT_LOOP_WWN, nexus $(cat "$KT_LOOP_TPG/nexus" 2>/dev/null)"
disk=$(kt_wait_disk 0 30) || exit 1
sg=$(kt_sg_of "$disk")
say "lsscsi"
lsscsi -g
say "sg_inq $disk"
sg_inq "$disk"
say "sg_readcap $disk"
sg_readcap "$disk"

IQN=iqn.2003-01.org.ktarget:run
T=$KT_CFS/iscsi/$IQN/tpgt_1
say "iSCSI: $IQN, portal 0.0.0.0:3260, demo mode (any initiator, no CHAP)"
modprobe virtio_net 2>/dev/null
nic=
for n in /sys/class/net/*; do
	[ "${n##*/}" = lo ] || { nic=${n##*/}; break; }
done
if [ -n "$nic" ]; then
	ip link set "$nic" up
	ip addr add 10.0.2.15/24 dev "$nic"
fi
mkdir -p "$T/np/0.0.0.0:3260" "$T/lun/lun_0" &&
	ln -s "$dev" "$T/lun/lun_0/rd0" &&
	printf 1 >"$T/attrib/generate_node_acls" &&
	printf 0 >"$T/attrib/authentication" &&
	printf 0 >"$T/attrib/demo_mode_write_protect" &&
	printf 1 >"$T/enable" || echo "iSCSI export failed"
iscsi-ls -s "iscsi://127.0.0.1/"

if [ "${KT_INTERACTIVE:-0}" = 1 ]; then
	say "shell: the LUN is $disk ($sg); configfs at $KT_CFS; 'exit' powers off"
	cd /root || cd /
	PS1='ktarget-vm:\w# ' bash --norc -i
fi
wait_s=${1:-0}	# KT_RUN_WAIT of make run
if [ "${KT_INTERACTIVE:-0}" != 1 ] && [ "$wait_s" -gt 0 ]; then
	say "serving iSCSI for ${wait_s}s (KT_RUN_WAIT)"
	sleep "$wait_s"
fi
say "powering off"
