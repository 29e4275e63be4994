#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rig itself: the guest booted the kernel our modules were built for,
# the basics are mounted, and ktarget_core loads, registers its configfs
# tree and unloads cleanly.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kabi=$(uname -r)
echo "kernel: $kabi ($(uname -v))"
kt_check kernel-modules-present test -d "/lib/modules/$kabi/kernel"
kt_check configfs-mounted grep -q ' /sys/kernel/config configfs ' /proc/mounts
kt_check tmp-writable touch /tmp/.kt-smoke "$HOME/.kt-smoke"
kt_check loopback-up ip -br link show lo up

if [ -z "$(kt_modules)" ]; then
	skip ktarget-load "no ktarget modules built"
	guest_summary
fi
echo "modules: $(kt_modules | tr '\n' ' ')"
kt_check vermagic bash -c "modinfo -F vermagic ktarget_core | grep -q '^$kabi '"
kt_check modprobe-core modprobe ktarget_core
kt_check configfs-target test -d "$KT_CFS"
kt_check modprobe-all kt_load
kt_check teardown kt_teardown
kt_check core-unloaded bash -c "! grep -q '^ktarget_' /proc/modules"
kt_check configfs-target-gone test ! -e "$KT_CFS"
guest_summary
