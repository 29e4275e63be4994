#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 1200
#
# Two-path ALUA through the Linux initiator, as a multipath host uses it.
# One fileio device (a file in /tmp) is LUN 0 of two TPGs of one iSCSI
# target, portals 127.0.0.1:3260 and 127.0.0.2:3260, their ports in
# target port groups A (id 1, active/optimized) and B (id 2, standby),
# both implicit and explicit.  open-iscsi logs in on both portals with
# one initiator name; scsi_dh_alua attaches to both disks; sg_rtpg on
# each path shows both groups and their states; a READ sent with sg_raw
# on the standby path's /dev/sg node gets NOT READY 04/0Bh; the optimized
# path reads and writes.  Then dm-multipath (multipathd in the foreground,
# no udev: WWIDs from sysfs VPD 0x83) makes one map with two path groups,
# A's the active one.  A known pattern goes through the map; while fio
# writes and verifies on the map, an implicit transition (configfs: B
# active/optimized, A standby) moves the I/O to B without an error and an
# explicit one (sg_stpg through B: A active/optimized, B standby) moves
# it back, A's nexus told by unit attention 2Ah/06h (the kernel logs it);
# multipath -ll and sg_rtpg show each new state and the pattern reads
# back intact.  Then everything is torn down and dmesg must be clean.
# Logs (multipathd, multipath -ll, sg_rtpg, fio, dmesg) in the run's
# out/mpath/ (/tmp/mpath/ outside the rig).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:mpath
INI=iqn.2004-10.org.ktarget:mpath-host
T1=$KT_CFS/iscsi/$IQN/tpgt_1
T2=$KT_CFS/iscsi/$IQN/tpgt_2
IMG=/tmp/kt-mpath.img
LOGS=/tmp/mpath
[ -d /ktout ] && LOGS=/ktout/mpath	# seen from the host as the run goes
mkdir -p $LOGS
DEV=
SDA=		# /dev/sdX of the path through 127.0.0.1 (group A)
SDB=		# ... through 127.0.0.2 (group B)
MAP=		# /dev/mapper/<map>
MAPNAME=
MPD_PID=
IO_PID=
RELOADS=0	# multipathd's reloads before a transition
PATTERN=/tmp/pattern.bin	# 4 MiB at the start of the map
IO_OFF=8M			# fio's area: 8 MiB from 8 MiB on

setup() {
	kt_load ktarget_file ktarget_iscsi || return 1
	DEV=$(kt_mk_file mp0 "$IMG" 64) || return 1
	mkdir "$DEV/alua/A" "$DEV/alua/B" || return 1
	kt_write 1 "$DEV/alua/A/tg_pt_gp_id" &&
		kt_write 2 "$DEV/alua/B/tg_pt_gp_id" &&
		kt_write 3 "$DEV/alua/A/alua_access_type" &&
		kt_write 3 "$DEV/alua/B/alua_access_type" || return 1
	kt_iscsi_tpg "$T1" 127.0.0.1:3260 "$DEV" demo &&
		kt_iscsi_tpg "$T2" 127.0.0.2:3260 "$DEV" demo || return 1
	kt_write A "$T1/lun/lun_0/alua_tg_pt_gp" &&
		kt_write B "$T2/lun/lun_0/alua_tg_pt_gp" &&
		kt_write 2 "$DEV/alua/B/alua_access_state" &&
		kt_write 1 "$T1/enable" && kt_write 1 "$T2/enable"
}

# path_disk IP: the /dev/sdX of the session to IP:3260 (waits 30 s)
path_disk() {
	local s c d _

	for _ in $(seq 300); do
		for s in /sys/class/iscsi_session/session*; do
			for c in "$s"/device/connection*/iscsi_connection/connection*; do
				[ "$(cat "$c/persistent_address" 2>/dev/null)" = "$1" ] ||
					continue 2
			done
			for d in "$s"/device/target*/*/block/*; do
				[ -b "/dev/${d##*/}" ] && { echo "/dev/${d##*/}"; return 0; }
			done
		done
		sleep 0.1
	done
	echo "no disk for the session to $1"
	return 1
}

login() {
	local p

	# before the scan, so that the handler attaches as the disks appear
	modprobe -a scsi_dh_alua dm_multipath dm_round_robin dm_service_time ||
		return 1
	kt_iscsid_start "$INI"
	for p in 127.0.0.1:3260,1 127.0.0.2:3260,2; do
		iscsiadm -m node -o new -T "$IQN" -p "$p" >/dev/null &&
			timeout 60 iscsiadm -m node -T "$IQN" -p "${p%,*}" --login \
				>/dev/null || return 1
	done
	SDA=$(path_disk 127.0.0.1) && SDB=$(path_disk 127.0.0.2) || return 1
	echo "A: $SDA B: $SDB"
	[ "$SDA" != "$SDB" ] || { echo "one disk for both paths"; return 1; }
	[ "$(kt_sessions "$T1" "$T2" | sort -u)" = "$INI" ] ||
		{ echo "sessions: $(kt_sessions "$T1" "$T2")"; return 1; }
}

# dh_alua /dev/sdX: scsi_dh_alua is the device's handler
dh_alua() {
	local st

	st=$(cat "/sys/block/${1##*/}/device/dh_state") || return 1
	[ "$st" = alua ] || { echo "${1##*/}: dh_state '$st'"; return 1; }
}

# rtpg_states /dev/sdX: "<id>:<state>" (0x1:0x00 ...) for each group
# sg_rtpg -d reports through that path
rtpg_states() {
	sg_rtpg -d "$1" 2>&1 | tee -a "$LOGS"/sg_rtpg.txt |
		awk '/target port group id :/ { id = $6 }
		     /asymmetric access state :/ { print id ":" $8 }'
}

# rtpg_shows /dev/sdX A-STATE B-STATE (hex, 0x00 ...): both groups shown
# by sg_rtpg -d through that path with those states (waits 20 s: a
# transition may be on its way)
rtpg_shows() {
	local got _

	for _ in $(seq 20); do
		got=$(rtpg_states "$1" | tr '\n' ' ')
		case " $got" in *" 0x1:$2 "*)
			case " $got" in *" 0x2:$3 "*) return 0 ;; esac
		esac
		sleep 1
	done
	echo "sg_rtpg -d $1: '$got', wanted 0x1:$2 0x2:$3"
	return 1
}

# sized /dev/sdX: the disk has the device's 64 MiB (for B: READ
# CAPACITY runs in standby, else sd leaves a standby path at 0 blocks)
sized() {
	local b

	b=$(blockdev --getsize64 "$1") || return 1
	[ "$b" = $((64 << 20)) ] || { echo "$1: $b bytes"; return 1; }
}

# standby_read: READ(10) of LBA 0 on B's sg node: NOT READY 04/0Bh
standby_read() {
	local sg out _

	sg=$(kt_sg_of "$SDB") || return 1
	# a unit attention left on the nexus comes first
	for _ in 1 2 3; do
		out=$(sg_raw -r 512 "$sg" 28 00 00 00 00 00 00 00 01 00 2>&1)
		echo "$out" | grep -qi 'unit attention' || break
	done
	echo "$out" >"$LOGS"/standby_read.txt
	echo "$out" | grep -qi 'not ready' &&
		echo "$out" | grep -qi 'standby' && return 0
	echo "$out" | tr '\n' ' '
	return 1
}

# optimized_rw: a block written and read back through A's block device
optimized_rw() {
	head -c 4096 /dev/urandom >/tmp/blk.a
	dd if=/tmp/blk.a of="$SDA" bs=4096 seek=100 count=1 oflag=direct \
		conv=notrunc status=none &&
		dd if="$SDA" bs=4096 skip=100 count=1 iflag=direct status=none |
			cmp - /tmp/blk.a
}

mpconf() {
	mkdir -p /etc/multipath
	cat >/etc/multipath.conf <<'EOF'
# guest/91: the udev database entries of the paths are written by hand
defaults {
	user_friendly_names yes
	find_multipaths no
	polling_interval 2
	max_polling_interval 4
	verbosity 2
}
blacklist {
	devnode "^(ram|loop|zram|vd|sr)[0-9]*"
}
overrides {
	path_grouping_policy group_by_prio
	detect_prio no
	prio alua
	path_checker tur
	failback immediate
	no_path_retry 15
}
EOF
}

# mp_ll: multipath -ll of our map into $LOGS/ll.txt (appended to ll.log)
mp_ll() {
	multipath -ll "$MAPNAME" >"$LOGS"/ll.txt 2>&1
	{ date +%T; cat "$LOGS"/ll.txt; } >>"$LOGS"/ll.log
}

# mp_active: the path device (sdX) of the active path group of the map
mp_active() {
	mp_ll
	awk '/status=active/ { a = 1; next } a && /[0-9]+:[0-9]+:[0-9]+:[0-9]+ sd/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^sd/) { print $i; exit } }
	     /policy=/ { a = 0 }' "$LOGS"/ll.txt
}

# mp_wait_active /dev/sdX SECONDS: the map's active group is that path's
mp_wait_active() {
	local _ got

	for _ in $(seq "$2"); do
		got=$(mp_active)
		[ "$got" = "${1##*/}" ] && return 0
		sleep 1
	done
	cat "$LOGS"/ll.txt
	echo "active group: '$got', wanted ${1##*/}"
	return 1
}

# udev_db /dev/sdX: the udev database entry of the disk, which
# multipath-tools needs (it enumerates only initialized devices, and takes
# the WWID from ID_SERIAL): the rig has no udevd, so write what
# 55-scsi-sg3_id.rules would, from the NAA designator of VPD page 83h
udev_db() {
	local n=${1##*/} dev wwid

	read -r dev <"/sys/block/$n/dev" && read -r wwid <"/sys/block/$n/device/wwid" ||
		return 1
	case $wwid in
	naa.*) wwid=${wwid#naa.} ;;
	*) echo "$n: wwid '$wwid'"; return 1 ;;
	esac
	mkdir -p /run/udev/data
	printf 'I:%s\nE:ID_SERIAL=3%s\nE:ID_WWN=0x%s\nE:ID_WWN_WITH_EXTENSION=0x%s\nE:ID_BUS=scsi\nE:ID_TYPE=disk\n' \
		"$(($(date +%s) * 1000000))" "$wwid" "${wwid:0:16}" "$wwid" \
		>"/run/udev/data/b$dev"
}

map_up() {
	local i n

	mpconf
	udev_db "$SDA" && udev_db "$SDB" || return 1
	# multipathd makes itself SCHED_RR 99 and mlockall()s: under TCG that
	# starved the guest for minutes (sched: RT throttling activated), so it
	# runs without CAP_SYS_NICE and CAP_IPC_LOCK (it goes on without both)
	setpriv --bounding-set -sys_nice,-ipc_lock --inh-caps -sys_nice,-ipc_lock \
		multipathd -d >"$LOGS"/multipathd.log 2>&1 &
	MPD_PID=$!
	for i in $(seq 120); do
		n=$(dmsetup ls --target multipath 2>/dev/null |
			awk '$1 != "No" { print $1; exit }')
		[ -n "$n" ] && break
		kill -0 "$MPD_PID" 2>/dev/null || break
		if [ $((i % 10)) = 2 ]; then
			{
				echo "--- $i s: $(cat /proc/loadavg)"
				dmsetup ls --target multipath
				ps -L -o tid,cls,rtprio,pcpu,stat,wchan:24,comm -p "$MPD_PID"
			} >>"$LOGS"/multipathd.ps
		fi
		sleep 1
	done
	if [ -z "$n" ]; then
		echo "multipathd made no map; multipath -v3:" >>"$LOGS"/multipathd.log
		multipath -v3 >>"$LOGS"/multipathd.log 2>&1
		tail -n 5 "$LOGS"/multipathd.log
		return 1
	fi
	echo "map after $i s" | tee -a "$LOGS"/multipathd.ps
	MAPNAME=$n
	MAP=/dev/mapper/$n
	[ -b "$MAP" ] || dmsetup mknodes "$n"
	[ -b "$MAP" ] || { echo "no $MAP"; return 1; }
	echo "map $MAPNAME"
}

# two path groups, each with one path, the active one A's (dm picks a
# group at the first I/O: one read first)
map_groups() {
	dd if="$MAP" of=/dev/null bs=4k count=1 iflag=direct status=none &&
		mp_wait_active "$SDA" 30 || return 1
	if [ "$(grep -c 'policy=' "$LOGS"/ll.txt)" != 2 ] ||
	   ! grep -q "hwhandler='1 alua'" "$LOGS"/ll.txt ||
	   ! grep -q "${SDA##*/} " "$LOGS"/ll.txt ||
	   ! grep -q "${SDB##*/} " "$LOGS"/ll.txt; then
		cat "$LOGS"/ll.txt
		return 1
	fi
}

pattern_write() {
	head -c 4M /dev/urandom >"$PATTERN"
	dd if="$PATTERN" of="$MAP" bs=1M oflag=direct conv=notrunc status=none
}

# pattern_intact: the first 4 MiB of the map are the pattern (sha256)
pattern_intact() {
	local want got

	want=$(sha256sum <"$PATTERN") || return 1
	got=$(dd if="$MAP" bs=1M count=4 iflag=direct status=none | sha256sum)
	[ "$got" = "$want" ] || { echo "sha256 $got, wanted $want"; return 1; }
}

# io_start: fio writes and verifies 8 MiB of the map over and over until
# /tmp/io.stop appears; /tmp/io.fail counts the failed passes
io_start() {
	rm -f /tmp/io.stop /tmp/io.fail /tmp/io.passes
	(
		n=0
		while [ ! -e /tmp/io.stop ]; do
			if ! fio --name=mp --filename="$MAP" --direct=1 \
				--ioengine=psync --rw=randwrite --bs=16k \
				--offset="$IO_OFF" --size=8M --verify=crc32c \
				--verify_fatal=1 --randrepeat=0 \
				>>"$LOGS"/fio.log 2>&1; then
				echo "pass $n failed" >>/tmp/io.fail
			fi
			n=$((n + 1))
			echo $n >/tmp/io.passes
		done
	) &
	IO_PID=$!
}

# io_passes N: fio has finished N more passes since the last call (90 s)
IO_SEEN=0
io_passes() {
	local p _

	for _ in $(seq 90); do
		p=$(cat /tmp/io.passes 2>/dev/null)
		[ "${p:-0}" -ge $((IO_SEEN + $1)) ] && { IO_SEEN=$p; return 0; }
		sleep 1
	done
	echo "fio made ${p:-0} passes, wanted $((IO_SEEN + $1))"
	return 1
}

io_clean() {
	[ ! -s /tmp/io.fail ] && return 0
	cat /tmp/io.fail
	tail -n 20 "$LOGS"/fio.log
	return 1
}

io_stop() {
	local _

	touch /tmp/io.stop
	for _ in $(seq 120); do
		kill -0 "$IO_PID" 2>/dev/null || { wait "$IO_PID"; IO_PID=; return 0; }
		sleep 1
	done
	echo "fio still running"
	return 1
}

# implicit: configfs makes B active/optimized and A standby
implicit() {
	io_passes 1 || return 1
	DMESG_MARK=$(dmesg | wc -l)
	RELOADS=$(mpd_reloads)
	kt_write 0 "$DEV/alua/B/alua_access_state" &&
		kt_write 2 "$DEV/alua/A/alua_access_state"
}

# explicit: SET TARGET PORT GROUPS through B: A active/optimized, B standby
explicit() {
	local out

	io_passes 1 || return 1
	DMESG_MARK=$(dmesg | wc -l)
	RELOADS=$(mpd_reloads)
	out=$(sg_stpg --tp=1,2 --state=ao,sb "$SDB" 2>&1) ||
		{ echo "sg_stpg: $out" | tr '\n' ' '; return 1; }
}

# ua_seen /dev/sdX [REGEX]: since DMESG_MARK the kernel logged the
# 2Ah/06h the disk's nexus got, and a line matching REGEX (scsi_dh_alua
# reading the new state through it: it logs only a change, and the state
# it keeps is per port group, so the first path to read it logs it);
# waits 30 s
DMESG_MARK=0
ua_seen() {
	local h _ new

	h=$(basename "$(readlink -f "/sys/block/${1##*/}/device")")
	for _ in $(seq 30); do
		new=$(dmesg | tail -n +$((DMESG_MARK + 1)) | grep -F "$h: ")
		echo "$new" | grep -qi 'asymmetric access state changed' &&
			echo "$new" | grep -Eq "${2:-.}" && return 0
		sleep 1
	done
	echo "$new" | tail -n 5
	return 1
}

# no_ua /dev/sdX: since DMESG_MARK the disk's nexus got no 2Ah/06h (the
# one SET TARGET PORT GROUPS came through)
no_ua() {
	local h

	h=$(basename "$(readlink -f "/sys/block/${1##*/}/device")")
	! dmesg | tail -n +$((DMESG_MARK + 1)) | grep -F "$h: " |
		grep -qi 'asymmetric access state changed'
}

# mpd_reloads: the number of map reloads multipathd logged
mpd_reloads() {
	grep -c ': reload \[' "$LOGS"/multipathd.log
}

# mpd_reloaded N: multipathd reloaded the map more than N times (30 s)
mpd_reloaded() {
	local _

	for _ in $(seq 30); do
		[ "$(mpd_reloads)" -gt "$1" ] && return 0
		sleep 1
	done
	echo "multipathd logged $(mpd_reloads) reloads, had $1 before"
	return 1
}

status_explicit() {
	[ "$(cat "$DEV/alua/A/alua_access_status")" = 'Altered by Explicit STPG' ]
}

map_down() {
	local _

	[ -n "$IO_PID" ] && io_stop
	multipath -F >"$LOGS"/flush.txt 2>&1 || { cat "$LOGS"/flush.txt; return 1; }
	if [ -n "$MPD_PID" ]; then
		kill "$MPD_PID"
		for _ in $(seq 30); do
			kill -0 "$MPD_PID" 2>/dev/null || break
			sleep 1
		done
		kill -0 "$MPD_PID" 2>/dev/null && { echo "multipathd runs on"; return 1; }
		MPD_PID=
	fi
	! dmsetup ls --target multipath 2>/dev/null | grep -qv "No devices"
}

logout() {
	timeout 60 iscsiadm -m node -T "$IQN" --logout >/dev/null
	kt_no_sessions 15 "$T1" "$T2"
}

kt_check setup setup || kt_abort setup "cannot configure the target"
kt_check login-two-paths login || kt_abort login-two-paths "open-iscsi cannot log in"
kt_check dh-alua-path-a dh_alua "$SDA"
kt_check dh-alua-path-b dh_alua "$SDB"
kt_check rtpg-path-a rtpg_shows "$SDA" 0x00 0x02
kt_check rtpg-path-b rtpg_shows "$SDB" 0x00 0x02
kt_check path-a-sized sized "$SDA"
kt_check standby-path-b-sized sized "$SDB"
kt_check standby-read-not-ready standby_read
kt_check optimized-read-write optimized_rw
if kt_check multipath-map map_up; then
	kt_check map-two-groups-a-active map_groups
	kt_check map-pattern-write pattern_write
	io_start
	kt_check implicit-transition implicit
	kt_check implicit-map-moves-to-b mp_wait_active "$SDB" 120
	kt_check implicit-ua-on-a ua_seen "$SDA" 'alua: port group 01 state S'
	kt_check implicit-ua-on-b ua_seen "$SDB"
	kt_check implicit-kernel-sees-b-optimized grep -qx active/optimized \
		"/sys/block/${SDB##*/}/device/access_state"
	kt_check implicit-multipathd-reloads mpd_reloaded "$RELOADS"
	kt_check implicit-rtpg-a rtpg_shows "$SDA" 0x02 0x00
	kt_check implicit-io-goes-on io_passes 1
	kt_check implicit-no-io-error io_clean
	kt_check implicit-pattern-intact pattern_intact
	kt_check explicit-stpg-through-b explicit
	kt_check explicit-ua-on-a ua_seen "$SDA" 'alua: port group 01 state A'
	kt_check explicit-status status_explicit
	kt_check explicit-map-moves-to-a mp_wait_active "$SDA" 120
	kt_check explicit-no-ua-on-b no_ua "$SDB"
	kt_check explicit-multipathd-reloads mpd_reloaded "$RELOADS"
	kt_check explicit-rtpg-a rtpg_shows "$SDA" 0x00 0x02
	kt_check explicit-rtpg-b rtpg_shows "$SDB" 0x00 0x02
	kt_check explicit-io-goes-on io_passes 1
	kt_check io-stop io_stop
	kt_check explicit-no-io-error io_clean
	kt_check explicit-pattern-intact pattern_intact
fi
kt_check multipath-down map_down
kt_check logout logout
kt_check teardown kt_teardown
kt_check dmesg-clean kt_dmesg_clean
dmesg >"$LOGS"/dmesg.txt
guest_summary
