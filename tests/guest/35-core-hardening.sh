#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hardening of the core's SPC/SBC emulation and device configuration
# (issue 7), through sg3_utils on the loopback fabric:
#  - VPD page 0x83 with a 200-byte unit serial and long target names (199
#    and 242 bytes): every designator reads back whole and in bounds, the
#    SCSI name strings are there when they fit; other pages too.
#  - REPORT LUNS, READ CAPACITY(16), INQUIRY and MODE SENSE with huge
#    allocation lengths answer only what the data needs.
#  - MODE SELECT from a nexus that sees the LUN write-protected is refused
#    with DATA PROTECT / WRITE PROTECTED and changes nothing; from another
#    nexus it changes WCE and D_SENSE for all, with a MODE PARAMETERS
#    CHANGED unit attention for the other nexus.
#  - configfs stores: bad values refused with EINVAL; attributes that
#    commands read change while commands run; dmesg stays clean.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

W=/tmp/hardening
PY=(/usr/bin/python3 -E -s)
# more than lib.sh's KT_DMESG_BAD: slab debugging's reports too
DMESG_BAD='BUG|WARNING|Oops|general protection|corrupt|KASAN|UBSAN|Redzone|Poison'
mkdir -p $W

# rep CHAR N: CHAR repeated N times
rep() {
	printf "%${2}s" '' | tr ' ' "$1"
}

# check_vpd83 SG SERIAL TARGET NAMES: VPD page 0x83 of SG is well formed,
# its T10 designator holds the vendor and all of SERIAL and, when NAMES
# is 1, both SCSI name strings are TARGET (",t,0x0001" for the port).
check_vpd83() {
	sg_vpd -r -p 0x83 "$1" >$W/vpd83 || return 1
	"${PY[@]}" - "$W/vpd83" "$2" "$3" "$4" <<'EOF'
import sys
page = open(sys.argv[1], 'rb').read()
serial, target, names = sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4] == '1'
if len(page) < 4 or int.from_bytes(page[2:4], 'big') != len(page) - 4:
    sys.exit('page length %d does not match %d bytes' % (int.from_bytes(page[2:4], 'big'), len(page)))
off, found = 4, {}
while off < len(page):
    if len(page) - off < 4:
        sys.exit('designator header cut at %d' % off)
    n = page[off + 3]
    body = page[off + 4:off + 4 + n]
    if len(body) != n:
        sys.exit('designator at %d runs past the page' % off)
    found[(page[off + 1] >> 4 & 3, page[off + 1] & 15)] = body
    off += 4 + n
t10 = found.get((0, 1))
if t10 is None or t10[:8] != b'LIO-ORG ' or t10[8:] != serial:
    sys.exit('T10 designator is %r' % t10)
if (0, 3) not in found or (1, 4) not in found:
    sys.exit('NAA or relative port designator missing')
if names:
    port, dev = found.get((1, 8)), found.get((2, 8))
    if port is None or port.rstrip(b'\0') != target + b',t,0x0001':
        sys.exit('port name designator is %r' % port)
    if dev is None or dev.rstrip(b'\0') != target:
        sys.exit('target name designator is %r' % dev)
EOF
}

kt_check load kt_load ktarget_rd ktarget_loop || guest_summary
dev=$(kt_mk_rd rd0 16) || kt_abort rd-create "cannot make rd_mcp device"

# ---- defect 1: VPD 0x83 sized from its content ----
SERIAL=$(rep 5 200)
kt_check serial-200 kt_write "$SERIAL" "$dev/wwn/vpd_unit_serial"
kt_check_fails serial-255-refused kt_write "$(rep a 255)" "$dev/wwn/vpd_unit_serial"
kt_check_fails serial-control-char-refused kt_write "$(printf 'ab\tc')" "$dev/wwn/vpd_unit_serial"
kt_check serial-kept grep -q "$SERIAL" "$dev/wwn/vpd_unit_serial"

# 199 bytes: the old code wrote 664 bytes into a 512-byte buffer
N1=iqn.2003-01.org.example:$(rep a $((199 - 24)))
# 242 bytes: the longest name whose port designator (",t,0x0001") fits
N2=iqn.2003-01.org.example:$(rep b $((242 - 24)))
t1=$(kt_loop_target "$N1" iqn.2003-01.org.example:init-1) || kt_abort target1 "cannot make $N1"
t2=$(kt_loop_target "$N2" iqn.2003-01.org.example:init-2) || kt_abort target2 "cannot make $N2"
kt_check lun-t1 mkdir "$t1/lun/lun_0"
kt_check link-t1 ln -s "$dev" "$t1/lun/lun_0/rd0"
kt_check lun-t2 mkdir "$t2/lun/lun_0"
kt_check link-t2 ln -s "$dev" "$t2/lun/lun_0/rd0"
sg1=$(kt_sg_of_tpg "$t1" 0) || kt_abort sg1 "no sg node on $N1"
sg2=$(kt_sg_of_tpg "$t2" 0) || kt_abort sg2 "no sg node on $N2"
sg_turs "$sg1" >/dev/null 2>&1
sg_turs "$sg2" >/dev/null 2>&1

kt_check vpd83-199-designators check_vpd83 "$sg1" "$SERIAL" "$N1" 1
kt_check vpd83-242-designators check_vpd83 "$sg2" "$SERIAL" "$N2" 1
for i in $(seq 40); do
	sg_vpd -r -p 0x83 "$sg1" >/dev/null 2>&1 || break
done
kt_check vpd83-repeated check_vpd83 "$sg1" "$SERIAL" "$N1" 1
kt_check vpd80-serial bash -c "sg_vpd -r -p 0x80 $sg1 | tail -c 200 | grep -qx '$SERIAL'"
for p in 0x00 0x80 0x86 0xb0 0xb1 0xb2; do
	kt_check "vpd-$p" sg_vpd -p "$p" "$sg1"
done
kt_check inquiry-std sg_inq "$sg2"
kt_check dmesg-after-vpd kt_dmesg_clean "$DMESG_BAD"

# ---- defect 5: allocation lengths are not allocation sizes ----
kt_expect_sense report-luns-4g 0 'c1 01|00 00 00 08' \
	sg_raw -r 512 "$sg1" a0 00 00 00 00 00 ff ff ff ff 00 00
kt_expect_sense readcap16-4g 0 '00 00 00 00 00 00 7f ff' \
	sg_raw -r 512 "$sg1" 9e 10 00 00 00 00 00 00 00 00 ff ff ff ff 00 00
kt_expect_sense inquiry-64k 0 'LIO-ORG' sg_raw -r 1024 "$sg1" 12 00 00 ff ff 00
kt_expect_sense mode-sense10-64k 0 '00 00 00 00' \
	sg_raw -r 1024 "$sg1" 5a 00 3f 00 00 00 00 ff ff 00
kt_expect_sense mode-select10-list-too-long 5 'Invalid field in cdb' \
	sg_raw -s 4096 -i /dev/zero "$sg1" 55 10 00 00 00 00 00 10 00 00

# ---- defect 8: MODE SELECT and write protection ----
wp_wwn=naa.5001405eeee00001
init=naa.5001405eeee00002
wp_t=$KT_CFS/loopback/$wp_wwn/tpgt_1
kt_check wp-acl mkdir -p "$wp_t/lun/lun_0" "$wp_t/acls/$init/lun_0"
kt_check wp-link ln -s "$dev" "$wp_t/lun/lun_0/rd0"
kt_check wp-map ln -s "$wp_t/lun/lun_0" "$wp_t/acls/$init/lun_0/map"
kt_check wp-set kt_write 1 "$wp_t/acls/$init/lun_0/write_protect"
kt_check wp-nexus kt_write "$init" "$wp_t/nexus"
wp=$(kt_sg_of_tpg "$wp_t" 0) || kt_abort wp-sg "no sg node for the write-protected LUN"
sg_turs "$wp" >/dev/null 2>&1
sg_turs "$sg1" >/dev/null 2>&1

printf '\x00\x00\x00\x00\x00\x00\x00\x00\x08\x12\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00' >$W/wce-on
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x0a\x06\x00\x00\x40\x00\x00\xff\xff\x00\x00' >$W/dsense-on
kt_check wce-starts-off grep -qx 0 "$dev/attrib/emulate_write_cache"
kt_expect_sense wp-mode-select-wce-refused 7 'Write protected' \
	sg_raw -s 28 -i $W/wce-on "$wp" 55 10 00 00 00 00 00 00 1c 00
kt_check wp-wce-unchanged grep -qx 0 "$dev/attrib/emulate_write_cache"
kt_expect_sense wp-mode-select-dsense-refused 7 'Write protected' \
	sg_raw -s 20 -i $W/dsense-on "$wp" 55 10 00 00 00 00 00 00 14 00
kt_expect_sense wp-dsense-unchanged 9 'Fixed format' sg_raw "$sg1" ff 00 00 00 00 00
kt_check wp-no-ua-for-others sg_turs "$sg1"
# from a writable nexus it works, and the others hear of it
kt_check mode-select-wce sg_raw -s 28 -i $W/wce-on "$sg1" 55 10 00 00 00 00 00 00 1c 00
kt_check wce-now-on grep -qx 1 "$dev/attrib/emulate_write_cache"
kt_expect_sense ua-mode-changed-wp 6 'Mode parameters changed' sg_turs "$wp"
kt_expect_sense ua-mode-changed-t2 6 'Mode parameters changed' sg_turs "$sg2"
kt_check no-ua-for-the-changer sg_turs "$sg1"
kt_expect_sense wp-sees-wce 0 '08 12 04' sg_raw -r 64 "$wp" 1a 08 08 00 40 00
# the admin's store also tells every nexus
kt_check wce-attrib-off kt_write 0 "$dev/attrib/emulate_write_cache"
kt_expect_sense ua-after-attrib-store 6 'Mode parameters changed' sg_turs "$sg1"

# ---- configfs stores: bounds, and no torn values under I/O ----
kt_check_fails wce-2-refused kt_write 2 "$dev/attrib/emulate_write_cache"
kt_check_fails wce-word-refused kt_write on "$dev/attrib/emulate_write_cache"
kt_check_fails block-size-exported-refused kt_write 4096 "$dev/attrib/block_size"
kt_check_fails vendor-exported-refused kt_write NEWVENDR "$dev/wwn/vendor_id"
kt_check_fails company-id-too-big kt_write 0x1000000 "$dev/wwn/company_id"
(
	for i in $(seq 30); do
		printf $((i & 1)) >"$dev/attrib/emulate_write_cache"
		printf $((i & 1)) >"$dev/attrib/is_nonrot"
	done
) &
flip=$!
bad=0
for i in $(seq 30); do
	sg_modes -p 8 "$sg2" >/dev/null 2>&1 || bad=$((bad + 1))
	sg_vpd -p 0x86 "$sg1" >/dev/null 2>&1 || bad=$((bad + 1))
	cat "$dev/wwn/vpd_unit_serial" "$dev/statistics/scsi_lu/prod" >/dev/null || bad=$((bad + 1))
done
wait $flip
# a failure here can only be a pending UA from the flips; retry once
sg_turs "$sg1" >/dev/null 2>&1
sg_turs "$sg2" >/dev/null 2>&1
kt_check stores-under-io sg_modes -p 8 "$sg2"
kt_check serial-still-whole check_vpd83 "$sg1" "$SERIAL" "$N1" 1

kt_check teardown kt_teardown
kt_check dmesg-at-end kt_dmesg_clean "$DMESG_BAD"
guest_summary
