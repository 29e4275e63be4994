# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest scripts (tests/guest/NN-name.sh), which run as root
# inside the test VM through tests/vm/run-guest.sh. Source it with
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Results: one line each, counted by tests/check.sh:
#   PASS: <name>            pass NAME
#   FAIL: <name>: <why>     fail NAME WHY
#   SKIP: <name>: <why>     skip NAME WHY
# End every script with guest_summary (exits 1 when anything failed).
#
# The configfs layout is LIO's (see Documentation / lio-abi.md):
#   $KT_CFS/core/<backend>_<N>/<name>/{control,enable,attrib/,wwn/,...}
#   $KT_CFS/loopback/naa.<16hex>/tpgt_1/{nexus,lun/lun_<N>/<link>}
# Helpers print errors on stderr and return non-zero; they never exit.

KT_CFS=/sys/kernel/config/target
KT_PASS=0
KT_FAIL=0
KT_SKIP=0
KT_LOOP_WWN=		# naa.<16hex> of the loopback target made by kt_loop_export
KT_LOOP_TPG=		# its tpgt_1 folder

pass() {
	echo "PASS: $1"
	KT_PASS=$((KT_PASS + 1))
}

fail() {
	echo "FAIL: $1: ${2:-failed}"
	KT_FAIL=$((KT_FAIL + 1))
}

skip() {
	echo "SKIP: $1: ${2:-skipped}"
	KT_SKIP=$((KT_SKIP + 1))
}

# kt_check NAME CMD [ARGS...]: PASS when CMD succeeds, else FAIL with the
# last line CMD printed. CMD runs in this shell (helpers keep their state).
kt_check() {
	local name=$1 out=/tmp/.kt_check.$$ rc

	shift
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "$(tail -n1 "$out" | tr -d '\r') (exit $rc) [$*]"
	fi
	rm -f "$out"
	return $rc
}

# kt_check_fails NAME CMD [ARGS...]: PASS when CMD fails (e.g. an admin
# error that must be refused with -EINVAL).
kt_check_fails() {
	local name=$1

	shift
	if "$@" >/dev/null 2>&1; then
		fail "$name" "succeeded but should have failed [$*]"
	else
		pass "$name"
	fi
}

# guest_summary: one summary line; exit status 1 when anything failed.
guest_summary() {
	echo "summary: $KT_PASS passed, $KT_FAIL failed, $KT_SKIP skipped"
	[ "$KT_FAIL" -eq 0 ] || exit 1
	exit 0
}

# kt_abort NAME WHY: record a failure, tear down, print the summary, exit 1.
kt_abort() {
	fail "$1" "$2"
	kt_teardown >/dev/null 2>&1
	guest_summary
}

kt_err() {
	echo "lib.sh: $*" >&2
	return 1
}

# kt_write VALUE FILE: write VALUE (no newline) into a configfs attribute.
kt_write() {
	printf '%s' "$1" >"$2" || kt_err "cannot write '$1' to $2"
}

# kt_modules: the ktarget modules staged for this boot (names, core first).
kt_modules() {
	local kabi d f

	read -r kabi </proc/sys/kernel/osrelease
	d=/lib/modules/$kabi/extra
	[ -f "$d/ktarget_core.ko" ] && echo ktarget_core
	for f in "$d"/ktarget_*.ko; do
		[ -f "$f" ] || continue
		f=${f##*/}
		f=${f%.ko}
		[ "$f" = ktarget_core ] || echo "$f"
	done
}

# kt_loaded [PREFIX]: names of the loaded modules starting with PREFIX
# (default ktarget_), most recently loaded first.
kt_loaded() {
	local name rest

	while read -r name rest; do
		case $name in "${1:-ktarget_}"*) echo "$name" ;; esac
	done </proc/modules
}

# kt_load [MODULE...]: modprobe ktarget_core and the given modules (all
# staged ktarget modules when none are given); check configfs is there.
kt_load() {
	local mods

	if [ $# -gt 0 ]; then
		mods="ktarget_core $*"
	else
		mods=$(kt_modules)
	fi
	[ -n "$mods" ] || { kt_err "no ktarget modules staged"; return 1; }
	if [ -n "$(kt_loaded target_core_mod)" ]; then
		kt_err "the in-kernel target_core_mod is loaded"
		return 1
	fi
	# shellcheck disable=SC2086
	modprobe -a $mods || { kt_err "modprobe $mods failed"; return 1; }
	[ -d "$KT_CFS" ] || { kt_err "$KT_CFS missing after loading ktarget_core"; return 1; }
}

# The lowest free HBA index over all core/<backend>_<N> folders (like
# rtslib: one storage object per HBA).
kt_free_hba_index() {
	local n=0

	while compgen -G "$KT_CFS/core/*_$n" >/dev/null; do
		n=$((n + 1))
	done
	echo $n
}

# kt_mk_dev BACKEND NAME CONTROL: make, configure and enable a device;
# prints its configfs folder.
kt_mk_dev() {
	local backend=$1 name=$2 control=$3 dev

	dev=$KT_CFS/core/${backend}_$(kt_free_hba_index)/$name
	mkdir -p "$dev" || { kt_err "mkdir $dev failed"; return 1; }
	kt_write "$control" "$dev/control" || return 1
	kt_write 1 "$dev/enable" || return 1
	echo "$dev"
}

# kt_mk_rd NAME SIZE_MB: a RAM disk (rd_mcp); prints its configfs folder.
kt_mk_rd() {
	local pages=$(($2 * 1048576 / $(getconf PAGESIZE)))

	kt_mk_dev rd_mcp "$1" "rd_pages=$pages"
}

# kt_mk_file NAME PATH SIZE_MB: a fileio device on PATH (created with that
# size when missing); prints its configfs folder.
kt_mk_file() {
	local bytes=$(($3 * 1048576))

	[ -e "$2" ] || truncate -s "$bytes" "$2" || { kt_err "cannot create $2"; return 1; }
	kt_mk_dev fileio "$1" "fd_dev_name=$2,fd_dev_size=$bytes"
}

# kt_mk_iblock NAME /dev/X: a block device backstore; prints its folder.
kt_mk_iblock() {
	[ -b "$2" ] || { kt_err "$2 is not a block device"; return 1; }
	kt_mk_dev iblock "$1" "udev_path=$2"
}

# kt_naa: a random NAA WWN in the IEEE registered format tcm_loop users see
# (naa. + 16 hex digits, company id 001405).
kt_naa() {
	printf 'naa.5001405%s\n' "$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-9)"
}

# kt_loop_find: set KT_LOOP_WWN/KT_LOOP_TPG to the loopback target that
# exists already (the first one), so that helpers run in a subshell, as in
# dev=$(...), still agree on it.
kt_loop_find() {
	local t

	[ -n "$KT_LOOP_TPG" ] && [ -d "$KT_LOOP_TPG" ] && return 0
	for t in "$KT_CFS"/loopback/naa.*/tpgt_1; do
		[ -d "$t" ] || continue
		KT_LOOP_TPG=$t
		t=${t%/tpgt_1}
		KT_LOOP_WWN=${t##*/}
		return 0
	done
	return 1
}

# kt_loop_tpg: make (once) the loopback target naa.X/tpgt_1 with an I_T
# nexus; sets KT_LOOP_WWN and KT_LOOP_TPG.
kt_loop_tpg() {
	kt_loop_find && return 0
	KT_LOOP_WWN=$(kt_naa)
	KT_LOOP_TPG=$KT_CFS/loopback/$KT_LOOP_WWN/tpgt_1
	mkdir -p "$KT_LOOP_TPG" || { kt_err "mkdir $KT_LOOP_TPG failed"; return 1; }
	kt_write "$(kt_naa)" "$KT_LOOP_TPG/nexus"
}

# kt_loop_export DEVPATH LUN: export a core device folder as lun_<LUN> of
# the loopback target (made on first use).
kt_loop_export() {
	local dev=$1 lun=$2 d

	[ -d "$dev" ] || { kt_err "no device folder $dev"; return 1; }
	kt_loop_tpg || return 1
	d=$KT_LOOP_TPG/lun/lun_$lun
	mkdir "$d" || { kt_err "mkdir $d failed"; return 1; }
	ln -s "$dev" "$d/${dev##*/}" || { kt_err "cannot link $dev into $d"; return 1; }
}

# kt_loop_target WWN NEXUS: a loopback target WWN/tpgt_1 (made when
# missing) with an I_T nexus from initiator NEXUS; prints its tpgt_1 folder.
kt_loop_target() {
	local t=$KT_CFS/loopback/$1/tpgt_1

	mkdir -p "$t" || { kt_err "mkdir $t failed"; return 1; }
	kt_write "$2" "$t/nexus" || return 1
	echo "$t"
}

# kt_sg_of_tpg TPG LUN: the /dev/sgN of LUN of the loopback TPG folder
# (waits up to 20 s for it).
kt_sg_of_tpg() {
	local a d _

	modprobe -a sd_mod sg 2>/dev/null
	for _ in $(seq 200); do
		a=$(cat "$1/address" 2>/dev/null)
		for d in /sys/bus/scsi/devices/"${a%%:*}":*:*:"$2"/scsi_generic/sg*; do
			[ -e "$d" ] && { echo "/dev/${d##*/}"; return 0; }
		done
		sleep 0.1
	done
	kt_err "no sg node for $1 LUN $2"
	return 1
}

# The SCSI host number of our loopback target: from tpgt_1/address
# ("H:C:T") when the fabric has it, else the host whose driver name
# contains "loop".
kt_loop_host() {
	local a h

	if kt_loop_find && [ -r "$KT_LOOP_TPG/address" ] &&
	   a=$(cat "$KT_LOOP_TPG/address" 2>/dev/null) && [ -n "$a" ]; then
		echo "${a%%:*}"
		return 0
	fi
	for h in /sys/class/scsi_host/host*; do
		[ -e "$h" ] || continue
		if grep -qi loop "$h/proc_name" 2>/dev/null; then
			echo "${h##*/host}"
			return 0
		fi
	done
	return 1
}

# kt_wait_disk LUN [TIMEOUT_S=60]: wait for the loopback LUN's disk; prints
# /dev/sdX. There is no udev in the guest: sd_mod and sg are loaded here.
kt_wait_disk() {
	local lun=$1 tries=$((${2:-60} * 10)) host d b

	modprobe -a sd_mod sg 2>/dev/null
	while [ "$tries" -gt 0 ]; do
		host=$(kt_loop_host)
		if [ -n "$host" ]; then
			for d in /sys/bus/scsi/devices/"$host":*:*:"$lun"/block/*; do
				[ -e "$d" ] || continue
				b=/dev/${d##*/}
				if [ -b "$b" ]; then
					echo "$b"
					return 0
				fi
			done
		fi
		sleep 0.1
		tries=$((tries - 1))
	done
	kt_err "no disk for loopback LUN $lun (host ${host:-none}) after ${2:-60}s"
	return 1
}

# kt_sg_of /dev/sdX: the matching /dev/sgN.
kt_sg_of() {
	local s

	for s in /sys/block/"${1##*/}"/device/scsi_generic/sg*; do
		[ -e "$s" ] && { echo "/dev/${s##*/}"; return 0; }
	done
	kt_err "no sg device for $1"
	return 1
}

# kt_teardown: remove every ktarget configfs object (links, LUNs, ACLs,
# portals, TPGs, WWNs, fabric folders, ALUA groups, devices, HBAs) and
# unload all ktarget modules. Prints what it could not remove; returns 1
# then. Globs and one rmdir: each program started costs ~0.1 s here.
kt_teardown() {
	local c=$KT_CFS d e rc=0 dirs=() mods

	if [ -d "$c" ]; then
		for e in "$c"/*/*/tpgt_*/enable; do
			[ -f "$e" ] && printf 0 >"$e" 2>/dev/null
		done
		find "$c" -type l -exec rm -f {} + 2>/dev/null
		for d in "$c"/*/*/tpgt_*/acls/*/lun_* "$c"/*/*/tpgt_*/acls/* \
			 "$c"/*/*/tpgt_*/lun/lun_* "$c"/*/*/tpgt_*/np/* \
			 "$c"/*/*/tpgt_* "$c"/*/* "$c"/*; do
			case $d in "$c"/core | "$c"/core/*) continue ;; esac
			[ -d "$d" ] && dirs+=("$d")
		done
		for d in "$c"/core/*/*/alua/* "$c"/core/*/* "$c"/core/* \
			 "$c"/core/alua/lu_gps/*; do
			case ${d##*/} in default_tg_pt_gp | default_lu_gp | alua | lu_gps) continue ;; esac
			[ -d "$d" ] && dirs+=("$d")
		done
		[ ${#dirs[@]} -gt 0 ] && rmdir "${dirs[@]}" 2>/dev/null
		for d in "${dirs[@]}"; do
			[ -d "$d" ] && { kt_err "teardown: $d remains"; rc=1; }
		done
	fi
	KT_LOOP_WWN=
	KT_LOOP_TPG=
	mods=$(kt_loaded | grep -vx ktarget_core)
	[ -n "$(kt_loaded ktarget_core)" ] && mods="$mods ktarget_core"
	# shellcheck disable=SC2086
	if [ -n "${mods// /}" ] && ! rmmod $mods; then
		kt_err "rmmod failed; loaded: $(kt_loaded | tr '\n' ' ')"
		rc=1
	fi
	return $rc
}

# kt_iscsi_disk [ATTR VALUE]: the /dev/sdX of the first disk of an
# open-iscsi session, or of the session whose sysfs ATTR (targetname,
# initiatorname, ...) is VALUE; waits up to 10 s for udev and the scan.
kt_iscsi_disk() {
	local s d v

	for _ in $(seq 100); do
		for s in /sys/class/iscsi_session/session*; do
			if [ $# -eq 2 ]; then
				read -r v <"$s/$1" 2>/dev/null || continue
				[ "$v" = "$2" ] || continue
			fi
			for d in "$s"/device/target*/*/block/*; do
				[ -e "$d" ] && { echo "/dev/${d##*/}"; return 0; }
			done
		done
		sleep 0.1
	done
	echo "no disk for the session${2:+ of $2}" >&2
	return 1
}

# kt_iscsi_tpg TPG PORTAL [DEV | SETTING]...: the iSCSI TPG folder TPG
# (.../iscsi/<iqn>/tpgt_N, made when missing) listening on PORTAL
# (ip:port). Each DEV (a core device folder: an absolute path) becomes its
# next LUN (0, 1, ...); each SETTING is written in turn: FILE=VALUE with
# FILE under TPG (param/MaxConnections=4, enable=1), or "demo" for demo
# mode (any initiator, no authentication, LUNs writable).
kt_iscsi_tpg() {
	local tpg=$1 a lun=0

	mkdir -p "$tpg/np/$2" || { kt_err "mkdir $tpg/np/$2 failed"; return 1; }
	shift 2
	for a in "$@"; do
		case $a in
		/*)
			if ! mkdir -p "$tpg/lun/lun_$lun" ||
			   ! ln -s "$a" "$tpg/lun/lun_$lun/${a##*/}"; then
				kt_err "cannot export $a as LUN $lun of $tpg"
				return 1
			fi
			lun=$((lun + 1))
			;;
		demo)
			kt_write 1 "$tpg/attrib/generate_node_acls" &&
				kt_write 0 "$tpg/attrib/authentication" &&
				kt_write 0 "$tpg/attrib/demo_mode_write_protect" || return 1
			;;
		*=*)
			kt_write "${a#*=}" "$tpg/${a%%=*}" || return 1
			;;
		*)
			kt_err "kt_iscsi_tpg: what is '$a'?"
			return 1
			;;
		esac
	done
}

# kt_iscsi_rd TPG NAME SIZE_MB [SETTING...]: ktarget_rd and ktarget_iscsi
# loaded, a RAM disk NAME of SIZE_MB exported as LUN 0 of the iSCSI TPG
# folder TPG on 127.0.0.1:3260 (kt_iscsi_tpg with the SETTINGs, then demo
# mode, enabled); prints the disk's configfs folder.
kt_iscsi_rd() {
	local tpg=$1 dev

	kt_load ktarget_rd ktarget_iscsi || return 1
	dev=$(kt_mk_rd "$2" "$3") || return 1
	shift 3
	kt_iscsi_tpg "$tpg" 127.0.0.1:3260 "$dev" "$@" demo enable=1 || return 1
	echo "$dev"
}

# kt_iscsid_start INITIATOR_IQN: open-iscsi's iscsid running with that
# initiator name (and iscsi_tcp, sd_mod, sg loaded).
kt_iscsid_start() {
	modprobe -a iscsi_tcp sd_mod sg
	mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/iscsi
	echo "InitiatorName=$1" >/etc/iscsi/initiatorname.iscsi
	iscsid
	sleep 1
}

# kt_no_sessions SECONDS TPG...: within SECONDS no session is left on the
# TPG folders; else prints the initiators still logged in, returns 1.
kt_no_sessions() {
	local n=$(($1 * 5)) _

	shift
	for _ in $(seq "$n"); do
		[ -z "$(kt_sessions "$@")" ] && return 0
		sleep 0.2
	done
	echo "still logged in:" "$(kt_sessions "$@" | tr '\n' ' ')"
	return 1
}

# kt_sessions TPG...: the initiators logged in to the TPG folders
kt_sessions() {
	local t

	for t in "$@"; do
		cat "$t/dynamic_sessions" 2>/dev/null
	done
}

# kt_py_case LOG SCRIPT [ARG...]: run the Python case runner SCRIPT (one
# case, named in ARGs) with its dialogue into LOG; prints how long it took
# and its verdict (LOG's last line); returns SCRIPT's exit status.
kt_py_case() {
	local log=$1 rc t=$SECONDS

	shift
	/usr/bin/python3 -E -s "$@" >"$log" 2>&1
	rc=$?
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$log")"
	return "$rc"
}

# What the kernel log must not show (KT_DMESG_BAD): as run-guest.sh
# checks after the script.
# shellcheck source=../vm/dmesg-bad.sh
. "$(dirname "${BASH_SOURCE[0]}")/../vm/dmesg-bad.sh"

# kt_dmesg_clean [REGEX]: the kernel log shows nothing of KT_DMESG_BAD
# (nor of REGEX, a test's own extra patterns); else prints the first five
# such lines, returns 1.
kt_dmesg_clean() {
	local bad

	bad=$(dmesg | grep -E "$KT_DMESG_BAD${1:+|$1}" | head -n 5)
	[ -z "$bad" ] && return 0
	echo "$bad"
	return 1
}

# kt_expect_sense NAME EXIT-CODE REGEX CMD...: PASS when CMD exits with
# EXIT-CODE (sg3_utils: 5 illegal request, 6 unit attention, 7 data
# protect, 9 invalid opcode, 14 miscompare, 22 LBA out of range) and
# prints a line matching REGEX.
kt_expect_sense() {
	local name=$1 want=$2 re=$3 out rc

	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, wanted $want: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
	elif ! echo "$out" | grep -Eq "$re"; then
		fail "$name" "no '$re' in: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
	else
		pass "$name"
	fi
}

# kt_refused NAME CMD...: PASS when CMD fails and the kernel log has grown
# by a ktarget line saying why.
kt_refused() {
	local name=$1 before after

	shift
	before=$(dmesg | grep -c 'ktarget')
	if "$@" >/dev/null 2>&1; then
		fail "$name" "accepted: $*"
		return
	fi
	after=$(dmesg | grep -c 'ktarget')
	if [ "$after" -le "$before" ]; then
		fail "$name" "refused but no kernel message"
	else
		pass "$name"
	fi
}
