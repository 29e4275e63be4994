#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# The stateful network fuzzer (tests/netfuzz/netfuzz.py) against the iSCSI
# fabric: workers run seeded sequences of logins (normal, discovery, CHAP
# right and wrong, MC/S, reinstatement, bad keys, C-bit text) and full
# feature phase PDUs (random CDBs, flags, EDTL, Data-Out, SNACK, TMF,
# Text, NOP-Out, logouts, connection drops) while an admin thread changes
# configfs under them (a second target's TPGs, LUNs, ACLs, mapped LUNs,
# enable, attributes; some attributes of the fuzzed target).  A finding is
# a kernel report, a probe login that does not finish in time, a configfs
# call that blocks, a failing rmmod or a leaked slab object; it prints the
# seed, a replay command and the last PDUs.
#
# Arguments (make fuzz-net passes them; make check gives none):
#   KT_FUZZ_DURATION=<s>  total fuzzing time (default 170, split over
#                         the seeds)
#   KT_FUZZ_SEED="<n>..." one run per seed (default: the fixed seeds below)
#   KT_FUZZ_WORKERS=<n>   fuzzing threads (default 3)
#   KT_FUZZ_AVOID=<list>  known defects to keep away from (netfuzz.py
#                         --avoid; default its own list, "none": none)
# The dialogue summary and any finding are in /tmp/netfuzz (out/netfuzz/).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for a in "$@"; do
	case $a in
	KT_FUZZ_DURATION=* | KT_FUZZ_SEED=* | KT_FUZZ_WORKERS=* | KT_FUZZ_AVOID=*)
		export "${a?}" ;;
	*) echo "95-netfuzz: ignoring argument '$a'" ;;
	esac
done
DURATION=${KT_FUZZ_DURATION:-170}
SEEDS=${KT_FUZZ_SEED:-"7001 7002"}
WORKERS=${KT_FUZZ_WORKERS:-3}
# a probe login slower than this is a hang; the debug kernel is slower
HANG=$((45 * ${KT_TIMEOUT_SCALE:-1}))

IQN=iqn.2003-01.org.ktarget:fuzz
T=$KT_CFS/iscsi/$IQN/tpgt_1
AIQN=iqn.2003-01.org.ktarget:fuzz-admin
CHAP_INI=iqn.2004-10.org.ktarget:fuzz-chap
FUZZ=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../netfuzz/netfuzz.py")
LOGS=/tmp/netfuzz
DEVS=()
mkdir -p $LOGS
exec 3>&1

setup() {
	local d0 d1 d2 a=$T/acls/$CHAP_INI

	kt_load ktarget_rd ktarget_iscsi || return 1
	d0=$(kt_mk_rd fz0 32) && d1=$(kt_mk_rd fz1 32) && d2=$(kt_mk_rd fza 16) || return 1
	DEVS=("$d0" "$d2")
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$d0" "$d1" param/MaxConnections=4 \
		param/ErrorRecoveryLevel=2 demo attrib/login_timeout=15 || return 1
	mkdir -p "$a/lun_0" && ln -s "$T/lun/lun_0" "$a/lun_0/map" &&
		kt_write fuzzuser "$a/auth/userid" &&
		kt_write fuzzsecret12 "$a/auth/password" &&
		kt_write 1 "$a/attrib/authentication" || return 1
	kt_write 1 "$T/enable" || return 1
	# the admin thread's target starts with one TPG on 127.0.0.1
	a=$KT_CFS/iscsi/$AIQN/tpgt_1
	kt_iscsi_tpg "$a" 127.0.0.1:3260 "$d2" attrib/generate_node_acls=1 \
		attrib/authentication=0 enable=1
}

# fuzz SEED SECONDS: one netfuzz.py run; its output is streamed indented.
fuzz() {
	local seed=$1 secs=$2 rc args=()

	[ -n "${KT_FUZZ_AVOID:-}" ] && args+=(--avoid "$KT_FUZZ_AVOID")
	/usr/bin/python3 -E -s "$FUZZ" --seed "$seed" --duration "$secs" \
		--workers "$WORKERS" --hang "$HANG" --dev "${DEVS[0]}" --dev "${DEVS[1]}" \
		--out $LOGS "${args[@]}" 2>&1 | tee "$LOGS/seed-$seed.log" | sed -u 's/^/    /' >&3
	rc=${PIPESTATUS[0]}
	[ $rc -eq 0 ] || echo "netfuzz seed $seed: exit $rc"
	return $rc
}

# after a failure: how to replay it
replay_hint() {
	local s

	echo "    seeds of this run: $SEEDS (${DURATION}s over $WORKERS workers each)"
	for s in $SEEDS; do
		echo "    replay: make fuzz-net SEED=$s DURATION=$((DURATION / $(wc -w <<<"$SEEDS")))${KT_FUZZ_AVOID:+ FUZZ_AVOID=$KT_FUZZ_AVOID}"
	done
	[ -f $LOGS/finding.txt ] && sed 's/^/    | /' $LOGS/finding.txt | head -n 80
	return 0
}

[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 30 >/proc/sys/kernel/hung_task_timeout_secs
kt_check setup setup || kt_abort setup "cannot configure the targets"
n=$(wc -w <<<"$SEEDS")
for s in $SEEDS; do
	kt_check "netfuzz-seed-$s" fuzz "$s" $((DURATION / n)) && continue
	replay_hint
	# after a kernel report or a hang the teardown would only hang too
	if grep -qE '^FINDING: (kernel-log|hang|admin-hang)' $LOGS/finding.txt 2>/dev/null; then
		skip teardown "the kernel is in a bad state (see the finding)"
		[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
		guest_summary
	fi
	break
done
kt_check sessions-gone kt_no_sessions 30 "$T" &&
	kt_check teardown kt_teardown &&
	kt_check dmesg-clean kt_dmesg_clean || replay_hint
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
