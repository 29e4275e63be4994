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

if [ "${KT_INTERACTIVE:-0}" = 1 ]; then
	say "shell: the LUN is $disk ($sg); configfs at $KT_CFS; 'exit' powers off"
	cd /root || cd /
	PS1='ktarget-vm:\w# ' bash --norc -i
fi
say "powering off"
