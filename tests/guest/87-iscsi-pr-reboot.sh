#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 300
# kt-boots: 2
#
# APTPL across a reboot: the VM is booted twice and only /ktout/persist
# is kept between the boots (run-guest.sh), as a disk would be.  The
# default dbroot (/var/target) lives there.  Boot 1: two nexuses register
# with APTPL=1 and one reserves (tests/iscsi/pr.py aptpl-set); the file
# <dbroot>/pr/aptpl_<serial> has them.  Boot 2 (a fresh kernel, modules
# loaded for the first time): the same device, serial and target are
# configured again; the file was read back, so both registrations and
# the reservation are there (aptpl-check: the registrant writes, a
# stranger gets RESERVATION CONFLICT); CLEAR then empties the file.
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/guest/aptpl.sh
. "$(dirname "${BASH_SOURCE[0]}")/aptpl.sh"

IQN=iqn.2003-01.org.ktarget:pr
T=$KT_CFS/iscsi/$IQN/tpgt_1
PRPY=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/pr.py")
LOGS=/tmp/pr
DISK=/ktout/persist
mkdir -p $LOGS

# /var/target (the default dbroot) on the folder kept across boots
persist_dbroot() {
	mkdir -p $DISK/var-target /var/target &&
		mount --bind $DISK/var-target /var/target
}

boot_count() {
	echo "${KT_BOOT:-1}" >>$DISK/boots
	[ "$(wc -l <$DISK/boots)" = "$1" ] || { cat $DISK/boots; return 1; }
}

kt_check dbroot-persistent persist_dbroot ||
	kt_abort dbroot-persistent "cannot mount the kept folder"
case ${KT_BOOT:-1} in
1)
	kt_check boot-1 boot_count 1
	kt_check aptpl-setup aptpl_target || kt_abort aptpl-setup "cannot configure the target"
	kt_check aptpl-file-none test ! -e "$APTPL"
	kt_check aptpl-set aptpl set
	kt_check aptpl-file aptpl_file_full
	kt_check teardown kt_teardown
	;;
2)
	kt_check boot-2 boot_count 2
	APTPL=/var/target/pr/aptpl_$SERIAL	# before the modules are loaded
	kt_check aptpl-file-kept-by-reboot aptpl_file_full
	kt_check aptpl-restored-after-reboot aptpl_saved_by_file
	kt_check aptpl-clear aptpl clear
	kt_check aptpl-file-empty test ! -s "$APTPL"
	kt_check teardown kt_teardown
	;;
esac
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
umount /var/target 2>/dev/null
guest_summary
