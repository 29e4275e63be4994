#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: prepare the rig, build the modules, boot the test VM with them,
# export a 256 MiB RAM disk LUN over the loopback fabric and over iSCSI
# (forwarded to the host's 127.0.0.1:$KT_PORT, default 3260) and show it
# (tests/vm/guest-run.sh). With a terminal on stdin you get a root shell in
# the guest (exit it to power off; Ctrl-A X kills QEMU); without one the
# VM powers off after the demo, or after KT_RUN_WAIT seconds of serving
# iSCSI to the host.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

echo "run: tests/vm/setup.sh (packages, kernel image, initramfs)"
"$KT_VM_DIR/setup.sh"
kt_load_env
echo "run: make KDIR=$KDIR modules"
make -C "$KT_ROOT" -j"$(nproc)" KDIR="$KDIR" modules >"$KT_CACHE/run-build.log" 2>&1 || {
	tail -n 30 "$KT_CACHE/run-build.log"
	kt_die "the build failed (log: $KT_CACHE/run-build.log)"
}
# the guest's iSCSI portal, reachable from the host's loopback only; the
# guest gets no other network access (restrict=on)
port=${KT_PORT:-3260}
export KT_NIC="user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$port-:3260"
echo "run: the LUN is exported over iSCSI at 127.0.0.1:$port (KT_PORT= changes it):"
echo "run:   iscsi-inq iscsi://127.0.0.1:$port/iqn.2003-01.org.ktarget:run/0"
echo "run:   (discovery reports the guest's own address 10.0.2.15; with iscsiadm"
echo "run:   add the node by hand: iscsiadm -m node -o new -T iqn.2003-01.org.ktarget:run -p 127.0.0.1:$port)"
echo "run: KT_RUN_WAIT=<s> keeps a non-interactive VM up that long"
mode=
if [ -t 0 ] && [ -t 1 ]; then
	mode=-i
	echo "run: booting $KABI under QEMU/TCG (interactive; Ctrl-A X kills it)"
else
	echo "run: booting $KABI under QEMU/TCG (no terminal: demo only)"
fi
exec "$KT_VM_DIR/run-guest.sh" $mode "$KT_VM_DIR/guest-run.sh" "${KT_RUN_WAIT:-0}"
