#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 1800 (bench.sh sets KT_TIMEOUT from the run count)
#
# Guest side of `make bench` (tests/bench/bench.sh): in one boot, the same
# LUN (a file on the guest's tmpfs, fallocated) exported by three iSCSI
# targets side by side, each measured with the same workloads, one target
# at a time:
#   ktarget  ktarget_iscsi + ktarget_file, 127.0.0.1:3260 (ktarget_core is
#            loaded with subsys=ktarget: LIO owns the configfs name target)
#   LIO      the kernel's iscsi_target_mod + target_core_file, :3261
#   tgt      tgtd + tgtadm (rdwr backing store), :3262
# Every target has its defaults (fileio O_DSYNC for ktarget and LIO, tgt's
# buffered rdwr), no CHAP; ktarget and LIO have one ACL for our initiator
# name, tgt accepts any initiator (ACL ALL).
# Arguments (key=value): secs=15 (seconds per run), mb=512 (LUN size in
# MiB), rounds=1 (runs per workload and target, interleaved; the table
# shows the median), copy=1 (a column for ktarget with
# ktarget_iscsi.zerocopy=0).
# Prints a progress line per run and a table at the end; exits 1 when
# ktarget itself could not be set up or measured.
. "$(dirname "${BASH_SOURCE[0]}")/../guest/lib.sh"

SECS=15
SIZE_MB=512
ROUNDS=1
COPY=0
for a in "$@"; do
	case $a in
	secs=[1-9]*) SECS=${a#*=} ;;
	mb=[1-9]*) SIZE_MB=${a#*=} ;;
	rounds=[1-9]*) ROUNDS=${a#*=} ;;
	copy=[01]) COPY=${a#*=} ;;
	*) echo "bench: bad argument $a" >&2; exit 2 ;;
	esac
done
[[ $SECS$SIZE_MB$ROUNDS =~ ^[0-9]+$ ]] || { echo "bench: bad numbers" >&2; exit 2; }
KT_CFS=/sys/kernel/config/ktarget	# our subsystem, beside LIO's
LIO_CFS=/sys/kernel/config/target
INI=iqn.2004-10.org.ktarget:bench
IMG=/tmp/bench
declare -A IQN=([kt]=iqn.2003-01.org.ktarget:bench
		[lio]=iqn.2003-01.org.linux-iscsi.ktarget-vm:bench
		[tgt]=iqn.2003-01.org.tgt:bench)
declare -A PORT=([kt]=3260 [lio]=3261 [tgt]=3262)
declare -A LUN=([kt]=0 [lio]=0 [tgt]=1)	# tgt's LUN 0 is its controller
declare -A NAME=([kt]=ktarget [ktcopy]=kt-copy [lio]=LIO [tgt]=tgt)
declare -A UP=()	# targets set up and logged in: their /dev/sdX
declare -A RES=()	# RES[<workload>,<column>] = "figure figure ..."
TOTAL=0		# runs in all, for the progress lines
TARGETS=(kt lio tgt)
[ "$COPY" = 1 ] && TARGETS=(kt ktcopy lio tgt)

# workload id, its label, its unit
WORKLOADS=(perf-4k-rr perf-128k-r fio-4k-rr fio-4k-rw fio-128k-r fio-128k-w)
declare -A LABEL=(
	[perf-4k-rr]="libiscsi iscsi-perf 4 KiB rand read QD32"
	[perf-128k-r]="libiscsi iscsi-perf 128 KiB read QD32"
	[fio-4k-rr]="open-iscsi fio 4 KiB randread QD32"
	[fio-4k-rw]="open-iscsi fio 4 KiB randwrite QD32"
	[fio-128k-r]="open-iscsi fio 128 KiB read QD16"
	[fio-128k-w]="open-iscsi fio 128 KiB write QD16")
declare -A UNIT=([perf-4k-rr]=IOPS [perf-128k-r]=MB/s [fio-4k-rr]=IOPS
		 [fio-4k-rw]=IOPS [fio-128k-r]=MB/s [fio-128k-w]=MB/s)

say() { echo "bench: $*"; }

# the LUN file of target $1: allocated now so that no run pays for it
mk_img() {
	rm -f "$IMG.$1"
	fallocate -l "${SIZE_MB}M" "$IMG.$1"
}

# acl_map TPG: one ACL for $INI mapping lun_0 (ktarget and LIO alike)
acl_map() {
	mkdir -p "$1/acls/$INI/lun_0" &&
		ln -s "$1/lun/lun_0" "$1/acls/$INI/lun_0/map" &&
		kt_write 0 "$1/attrib/authentication"
}

setup_kt() {
	local t=$KT_CFS/iscsi/${IQN[kt]}/tpgt_1 dev

	modprobe ktarget_core subsys=ktarget &&
		modprobe -a ktarget_file ktarget_iscsi || return 1
	mk_img kt || return 1
	dev=$(kt_mk_dev fileio f0 \
		"fd_dev_name=$IMG.kt,fd_dev_size=$((SIZE_MB << 20))") || return 1
	kt_iscsi_tpg "$t" "127.0.0.1:${PORT[kt]}" "$dev" && acl_map "$t" &&
		kt_write 1 "$t/enable"
}

setup_lio() {
	local t=$LIO_CFS/iscsi/${IQN[lio]}/tpgt_1 dev=$LIO_CFS/core/fileio_0/f0

	modprobe -a target_core_mod target_core_file iscsi_target_mod || return 1
	mk_img lio || return 1
	mkdir -p "$dev" &&
		kt_write "fd_dev_name=$IMG.lio,fd_dev_size=$((SIZE_MB << 20))" \
			 "$dev/control" &&
		kt_write 1 "$dev/enable" &&
		kt_iscsi_tpg "$t" "127.0.0.1:${PORT[lio]}" "$dev" &&
		acl_map "$t" && kt_write 1 "$t/enable"
}

setup_tgt() {
	if ! command -v tgtd >/dev/null || ! command -v tgtadm >/dev/null; then
		echo "tgt is not installed (apt-get install tgt)" >&2
		return 1
	fi
	mk_img tgt || return 1
	tgtd --iscsi "portal=127.0.0.1:${PORT[tgt]}" || return 1
	for _ in $(seq 50); do
		tgtadm --op show --mode sys >/dev/null 2>&1 && break
		sleep 0.2
	done
	tgtadm --lld iscsi --op new --mode target --tid 1 -T "${IQN[tgt]}" &&
		tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 \
		       -b "$IMG.tgt" &&
		tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL
}

# login T: discovery and login over open-iscsi; sets UP[T] to the disk
login() {
	local t=$1 p=127.0.0.1:${PORT[$1]}

	timeout 60 iscsiadm -m discovery -t st -p "$p" >/dev/null &&
		timeout 60 iscsiadm -m node -T "${IQN[$t]}" -p "$p" --login \
			>/dev/null || return 1
	UP[$t]=$(kt_iscsi_disk targetname "${IQN[$t]}")
	[ -n "${UP[$t]}" ]
}

# the target whose configuration serves column $1 (kt-copy is ktarget)
base() {
	[ "$1" = ktcopy ] && echo kt || echo "$1"
}

# zerocopy Y|N for ktarget's Data-In
set_zc() {
	kt_write "$1" /sys/module/ktarget_iscsi/parameters/zerocopy
}

# perf COLUMN BLOCKS [-r]: iscsi-perf for SECS s at 32 requests of BLOCKS
# logical blocks; prints "IOPS MB/s" (its averages over the run)
perf() {
	local t url

	t=$(base "$1")
	url=iscsi://127.0.0.1:${PORT[$t]}/${IQN[$t]}/${LUN[$t]}
	# shellcheck disable=SC2086 # $3: -r or nothing
	timeout -s INT "$SECS" iscsi-perf -i "$INI" -m 32 -b "$2" $3 "$url" \
		2>&1 | tr '\r' '\n' |
		sed -n 's/.*iops average \([0-9]*\) (\([0-9]*\) MB\/s).*/\1 \2/p' |
		tail -n1
}

# fio_run COLUMN RW BS QD: prints "IOPS MB/s"
fio_run() {
	local t out=/tmp/fio.json

	t=$(base "$1")
	timeout $((SECS + 60)) fio --name=bench --filename="${UP[$t]}" \
		--direct=1 --ioengine=libaio --rw="$2" --bs="$3" --iodepth="$4" \
		--size="${SIZE_MB}m" --runtime="$SECS" --time_based \
		--ramp_time=2 --norandommap --randrepeat=0 \
		--output-format=json --output=$out >/dev/null 2>&1 || return 1
	python3 - "$out" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
d = j["write"] if j["write"]["io_bytes"] else j["read"]
print("%d %d" % (d["iops"], d["bw_bytes"] / 1e6))
EOF
}

# measure WORKLOAD COLUMN: one run; prints the figure in the workload's unit
measure() {
	local w=$1 c=$2 bs=$3 r

	case $w in
	perf-4k-rr) r=$(perf "$c" $((4096 / bs)) -r) ;;
	perf-128k-r) r=$(perf "$c" $((131072 / bs))) ;;
	fio-4k-rr) r=$(fio_run "$c" randread 4k 32) ;;
	fio-4k-rw) r=$(fio_run "$c" randwrite 4k 32) ;;
	fio-128k-r) r=$(fio_run "$c" read 128k 16) ;;
	fio-128k-w) r=$(fio_run "$c" write 128k 16) ;;
	esac
	[ -n "$r" ] || return 1
	# shellcheck disable=SC2086 # two numbers
	set -- $r
	[ "${UNIT[$w]}" = IOPS ] && echo "$1" || echo "$2"
}

# median of the figures of one cell ("-" when none)
median() {
	[ -n "$1" ] || { echo -; return; }
	# shellcheck disable=SC2086 # one figure per round
	printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b == 0) print "-";
		else printf "%.2f", a / b }'
}

table() {
	local w c cols=("${TARGETS[@]}") hdr
	local -A med=()

	printf '\n%-42s %-5s' workload unit
	for c in "${cols[@]}"; do
		printf ' %8s' "${NAME[$c]}"
	done
	printf ' %7s %7s\n' kt/LIO kt/tgt
	for w in "${WORKLOADS[@]}"; do
		printf '%-42s %-5s' "${LABEL[$w]}" "${UNIT[$w]}"
		for c in "${cols[@]}"; do
			med[$c]=$(median "${RES[$w,$c]:-}")
			printf ' %8s' "${med[$c]}"
		done
		printf ' %7s %7s\n' "$(ratio "${med[kt]}" "${med[lio]}")" \
			"$(ratio "${med[kt]}" "${med[tgt]}")"
	done
	hdr="$(nproc) vCPUs, $(uname -r), ${SIZE_MB} MiB file LUN on tmpfs"
	[ "$ROUNDS" -gt 1 ] && hdr="$hdr, median of $ROUNDS runs"
	echo "($hdr, ${SECS} s per run; QEMU TCG: compare ratios only)"
}

# run_one N WORKLOAD COLUMN: one measurement, added to RES
run_one() {
	local n=$1 w=$2 c=$3 t bs v

	t=$(base "$c")
	if [ -z "${UP[$t]:-}" ]; then
		say "[$n/$TOTAL] ${LABEL[$w]}: ${NAME[$c]}: not set up"
		return
	fi
	[ "$t" = kt ] && set_zc "$([ "$c" = ktcopy ] && echo N || echo Y)"
	read -r bs <"/sys/block/${UP[$t]#/dev/}/queue/logical_block_size"
	v=$(measure "$w" "$c" "$bs") && RES[$w,$c]="${RES[$w,$c]:-} $v"
	say "[$n/$TOTAL] ${LABEL[$w]}: ${NAME[$c]}: ${v:-failed} ${UNIT[$w]}"
}

# Every workload on every target, ROUNDS times; the order of the targets
# rotates from one workload to the next so that none always goes first.
run_all() {
	local r w c n=0 k=0 ord

	TOTAL=$((ROUNDS * ${#WORKLOADS[@]} * ${#TARGETS[@]}))
	for r in $(seq "$ROUNDS"); do
		for w in "${WORKLOADS[@]}"; do
			ord=("${TARGETS[@]:k}" "${TARGETS[@]:0:k}")
			k=$(((k + 1) % ${#TARGETS[@]}))
			for c in "${ord[@]}"; do
				n=$((n + 1))
				run_one "$n" "$w" "$c"
			done
		done
	done
}

main() {
	local t w rc=0

	say "kernel $(uname -r), $(nproc) vCPUs; ${SECS} s per run, ${SIZE_MB} MiB LUNs, $ROUNDS round(s)"
	kt_iscsid_start "$INI"
	for t in kt lio tgt; do
		if "setup_$t" && login "$t"; then
			say "${NAME[$t]}: ${IQN[$t]} on 127.0.0.1:${PORT[$t]} is ${UP[$t]}"
		else
			say "${NAME[$t]}: setup or login failed: left out"
		fi
	done
	[ -n "${UP[kt]:-}" ] || rc=1
	run_all
	table
	for w in "${WORKLOADS[@]}"; do
		[ -n "${UP[kt]:-}" ] && [ -z "${RES[$w,kt]:-}" ] && rc=1
	done
	timeout 60 iscsiadm -m node --logoutall=all >/dev/null 2>&1
	pkill -x iscsid
	[ -n "${UP[kt]:-}" ] && set_zc Y
	kt_teardown || rc=1
	return $rc
}

main
