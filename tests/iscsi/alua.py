#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""alua.py - asymmetric logical unit access of ktarget through iSCSI.

One device is LUN 0 of two TPGs of one target, reached on two portals
(path A: --host, path B: --host2); A's port is in target port group 1
(alua/A), B's in group 2 (alua/B).  Each case logs in through both
paths (two I_T nexuses) and checks, as each sees it: INQUIRY's TPGS
and the VPD 0x83 port designators, REPORT TARGET PORT GROUPS in both
formats, what a group in standby, unavailable, transitioning or a port
offline refuses (NOT READY 04h/0Bh, 0Ch, 0Ah, 12h) and still runs,
SET TARGET PORT GROUPS, and the unit attention ASYMMETRIC ACCESS STATE
CHANGED (2Ah/06h) every other nexus gets.  Group states are changed
through configfs (--dev, the device folder; --lun-b, B's lun_0 folder).

    alua.py --host2 IP --dev DIR --lun-b DIR [-t target-iqn] CASE
    alua.py --list

Exit status 0 when the target behaved, 1 otherwise.  Python 3 standard
library only.
"""

import argparse
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
import cmdpath as P  # noqa: E402
from hostile import Fail, OP_SCSI_RSP  # noqa: E402

DEF_TARGET = "iqn.2003-01.org.ktarget:alua"
LBA = 2048

CASES, case = H.case_registry()

AO, AN, STANDBY, UNAVAILABLE, OFFLINE, TRANSITIONING = 0, 1, 2, 3, 0xe, 0xf
UA_ALUA = (6, 0x2a, 0x06)
NR = 2
NR_TRANSITIONING = (NR, 0x04, 0x0a)
NR_STANDBY = (NR, 0x04, 0x0b)
NR_UNAVAILABLE = (NR, 0x04, 0x0c)
NR_OFFLINE = (NR, 0x04, 0x12)
GROUP_A, GROUP_B = 1, 2

TUR = b"\0" * 6


def path(args, which):
    a = argparse.Namespace(**vars(args))
    a.host = args.host if which == "a" else args.host2
    return P.session(a, name="%s-%s" % (args.case, which))


def both(args):
    return path(args, "a"), path(args, "b")


def cfs_write(args, rel, value):
    with open(os.path.join(args.dev, "alua", rel), "w") as f:
        f.write("%s\n" % value)


def set_state(args, group, state):
    cfs_write(args, "%s/alua_access_state" % group, state)


def status(c, cdb, edtl=0, read=False):
    rsp, data = c.scsi(cdb, edtl, read=read)
    return rsp, data


def expect(what, got, want):
    if got != want:
        raise Fail("%s: got %r, expected %r" % (what, got, want))


def expect_sense(c, cdb, sense, what, edtl=0, read=False):
    rsp, _ = status(c, cdb, edtl, read)
    if rsp.hdr[3] != 0x02 or rsp.sense() != sense:
        raise Fail("%s: expected %x/%02x/%02x, got %s" % (what, *sense, rsp))


def expect_good(c, cdb, what, edtl=0, read=False):
    rsp, data = status(c, cdb, edtl, read)
    if rsp.hdr[3] != 0:
        raise Fail("%s: expected GOOD, got %s" % (what, rsp))
    return data


def expect_ua(c, what):
    expect_sense(c, TUR, UA_ALUA, what)


def read10(c):
    return H.cdb_read10(LBA, 1), H.BLOCK


def expect_read(c, sense, what):
    cdb, n = read10(c)
    if sense is None:
        expect_good(c, cdb, what, n, read=True)
    else:
        expect_sense(c, cdb, sense, what, n, read=True)


def write_answer(c):
    """A WRITE(10) of one block: its refusal comes before any R2T."""
    data = b"\xa5" * H.BLOCK
    itt = P.send_write(c, H.cdb_write10(LBA, 1), len(data))
    p = P.first_answer(c, itt)
    if p.op == H.OP_R2T:
        c.data_out(itt, p.f20, p.u32(40), data[p.u32(40):][:p.u32(44)])
        p = P.first_answer(c, itt)
    if p.op != OP_SCSI_RSP:
        raise Fail("WRITE: %s" % p)
    return p


def inquiry(c):
    return expect_good(c, bytes([0x12, 0, 0, 0, 96, 0]), "INQUIRY", 96,
                       read=True)


def vpd83_ports(c):
    """(relative target port, target port group) of VPD page 0x83"""
    d = expect_good(c, bytes([0x12, 1, 0x83, 0, 255, 0]), "VPD 0x83", 255,
                    read=True)
    off, rtpi, tpg = 4, None, None
    while off + 4 <= len(d):
        kind, n = d[off + 1] & 0x3f, d[off + 3]
        if kind == 0x14:
            rtpi = struct.unpack_from(">H", d, off + 6)[0]
        elif kind == 0x15:
            tpg = struct.unpack_from(">H", d, off + 6)[0]
        off += 4 + n
    return rtpi, tpg


def rtpg(c, ext=False):
    """{group id: (state, pref, status, [ports])} and the header"""
    cdb = struct.pack(">BBxxxxIxx", 0xa3, 0x0a | (0x20 if ext else 0), 4096)
    d = expect_good(c, cdb, "RTPG", 4096, read=True)
    n = struct.unpack_from(">I", d)[0] + 4
    off = 8 if ext else 4
    if ext and d[4] != 0x10:
        raise Fail("RTPG extended header: format byte %#x" % d[4])
    groups = {}
    while off + 8 <= n:
        gid = struct.unpack_from(">H", d, off + 2)[0]
        cnt = d[off + 7]
        ports = [struct.unpack_from(">H", d, off + 8 + 4 * i + 2)[0]
                 for i in range(cnt)]
        groups[gid] = (d[off] & 0x0f, d[off] >> 7, d[off + 5], ports)
        off += 8 + 4 * cnt
    if off != n:
        raise Fail("RTPG: descriptors end at %d of %d" % (off, n))
    return groups


def group_state(c, gid):
    return rtpg(c)[gid][0]


def stpg(c, descs):
    """SET TARGET PORT GROUPS with (state, group) descriptors; the SCSI
    Response."""
    param = b"\0" * 4 + b"".join(struct.pack(">BxH", s, g) for s, g in descs)
    cdb = struct.pack(">BBxxxxIxx", 0xa4, 0x0a, len(param))
    itt = P.send_write(c, cdb, len(param), imm=param)
    p = P.first_answer(c, itt)
    if p.op != OP_SCSI_RSP:
        raise Fail("STPG: %s" % p)
    return p


def stpg_ok(c, descs, what):
    p = stpg(c, descs)
    if p.hdr[3] != 0:
        raise Fail("%s: %s" % (what, p))


@case("report", "INQUIRY TPGS 3, VPD 0x83 port and group designators, RTPG (both formats) from both paths: groups 1 and 2 (the empty default group is left out, as LIO does), active/optimized, one port each")
def c_report(args):
    a, b = both(args)
    ra, ga = vpd83_ports(a)
    rb, gb = vpd83_ports(b)
    expect("path A's group", ga, GROUP_A)
    expect("path B's group", gb, GROUP_B)
    if ra is None or rb is None or ra == rb:
        raise Fail("relative target ports %r %r" % (ra, rb))
    for c, name in ((a, "A"), (b, "B")):
        expect("TPGS through %s" % name, inquiry(c)[5] & 0x30, 0x30)
        for ext in (False, True):
            g = rtpg(c, ext)
            expect("groups seen through %s" % name, sorted(g), [1, 2])
            expect("group 1", g[GROUP_A], (AO, 0, 0, [ra]))
            expect("group 2", g[GROUP_B], (AO, 0, 0, [rb]))
    return "ok"


@case("standby", "B in standby (configfs): READ/WRITE through B NOT READY 04h/0Bh, INQUIRY/RTPG/PR IN/MODE SENSE/READ CAPACITY run; A unaffected; both nexuses get 2Ah/06h; STPG from A makes B active/optimized again, UA to B only")
def c_standby(args):
    a, b = both(args)
    set_state(args, "B", STANDBY)
    expect_ua(a, "A after B went standby")
    expect_ua(b, "B after B went standby")
    expect_sense(b, TUR, NR_STANDBY, "TUR through B")
    expect_read(b, NR_STANDBY, "READ through B")
    p = write_answer(b)
    if p.hdr[3] != 0x02 or p.sense() != NR_STANDBY:
        raise Fail("WRITE through B: %s" % p)
    inquiry(b)
    expect("B's state seen through B", group_state(b, GROUP_B), STANDBY)
    expect_good(b, struct.pack(">BBxxxxxHx", 0x5e, 0, 64), "PR IN", 64,
                read=True)
    expect_good(b, bytes([0x1a, 0, 0x3f, 0, 192, 0]), "MODE SENSE", 192,
                read=True)
    # a path that is standby at login must learn the capacity (Linux sd)
    cap = expect_good(b, bytes([0x25] + [0] * 9), "READ CAPACITY(10)", 8,
                      read=True)
    if struct.unpack(">I", cap[:4])[0] == 0:
        raise Fail("READ CAPACITY(10) through standby B: 0 blocks")
    expect_read(a, None, "READ through A")
    stpg_ok(a, [(AO, GROUP_B)], "STPG from A")
    expect_good(a, TUR, "A after its own STPG")
    expect_ua(b, "B after A's STPG")
    expect_read(b, None, "READ through B after STPG")
    g = rtpg(a)[GROUP_B]
    expect("B after STPG", (g[0], g[2]), (AO, 1))
    return "ok"


@case("unavailable", "B unavailable: READ through B 04h/0Ch, RTPG runs; STPG from B itself (allowed in unavailable) makes it active again, UA to A only")
def c_unavailable(args):
    a, b = both(args)
    set_state(args, "B", UNAVAILABLE)
    expect_ua(a, "A")
    expect_ua(b, "B")
    expect_read(b, NR_UNAVAILABLE, "READ through B")
    expect_sense(b, bytes([0x1a, 0, 0x3f, 0, 192, 0]), NR_UNAVAILABLE,
                 "MODE SENSE through B", 192, read=True)
    expect("B's state", group_state(b, GROUP_B), UNAVAILABLE)
    stpg_ok(b, [(AO, GROUP_B)], "STPG from B")
    expect_ua(a, "A after B's STPG")
    expect_good(b, TUR, "B after its own STPG")
    expect_read(b, None, "READ through B after STPG")
    return "ok"


@case("transitioning", "with trans_delay_msecs 1500 a change of B shows TRANSITIONING (04h/0Ah; INQUIRY and RTPG run) first, then the new state; unit attentions to both nexuses for both changes")
def c_transitioning(args):
    a, b = both(args)
    cfs_write(args, "B/trans_delay_msecs", 1500)
    try:
        set_state(args, "B", AN)
        expect_ua(a, "A")
        expect_ua(b, "B")
        expect("B's state at once", group_state(a, GROUP_B), TRANSITIONING)
        expect_read(b, NR_TRANSITIONING, "READ through B")
        inquiry(b)
        expect_read(a, None, "READ through A")
        time.sleep(2.5)
        expect_ua(a, "A at the end of the transition")
        expect_ua(b, "B at the end of the transition")
        expect("B's state later", group_state(a, GROUP_B), AN)
        expect_read(b, None, "READ through B (active/non-optimized)")
    finally:
        cfs_write(args, "B/trans_delay_msecs", 0)
        set_state(args, "B", AO)
    return "ok"


@case("offline", "alua_tg_pt_offline 1 on B's LUN: every command through B NOT READY 04h/12h, A unaffected; back to 0: B runs")
def c_offline(args):
    a, b = both(args)
    off = os.path.join(args.lun_b, "alua_tg_pt_offline")
    with open(off, "w") as f:
        f.write("1\n")
    try:
        expect_read(b, NR_OFFLINE, "READ through B")
        expect_sense(b, bytes([0x12, 0, 0, 0, 96, 0]), NR_OFFLINE,
                     "INQUIRY through B", 96, read=True)
        expect_read(a, None, "READ through A")
    finally:
        with open(off, "w") as f:
            f.write("0\n")
    expect_read(b, None, "READ through B online")
    return "ok"


@case("move-group", "B's LUN moved into group A (same state, active/optimized) by alua_tg_pt_gp: path B gets 6/3F/03 (INQUIRY DATA HAS CHANGED), A nothing; VPD 0x83 through B and RTPG show B's port in group A; moved back: 3F/03 again, group B has it")
def c_move_group(args):
    a, b = both(args)
    gp = os.path.join(args.lun_b, "alua_tg_pt_gp")
    rtpi_b, _ = vpd83_ports(b)
    with open(gp, "w") as f:
        f.write("A\n")
    try:
        expect_sense(b, TUR, (6, 0x3f, 0x03), "path B after the move")
        expect_good(a, TUR, "path A after the move")
        expect("VPD 0x83 group through B", vpd83_ports(b)[1], GROUP_A)
        if rtpi_b not in rtpg(a)[GROUP_A][3]:
            raise Fail("RTPG: B's port %d not in group A" % rtpi_b)
    finally:
        with open(gp, "w") as f:
            f.write("B\n")
    expect_sense(b, TUR, (6, 0x3f, 0x03), "path B after moving back")
    expect("VPD 0x83 group through B", vpd83_ports(b)[1], GROUP_B)
    expect("RTPG group B ports", rtpg(b)[GROUP_B][3], [rtpi_b])
    expect_good(b, TUR, "path B, once told")
    return "3F/03 on B only, each move"


@case("explicit-only", "alua_access_type 2 (explicit): a configfs state write is refused (EINVAL), INQUIRY TPGS shows 2 through B, STPG still works")
def c_explicit_only(args):
    a, b = both(args)
    cfs_write(args, "B/alua_access_type", 2)
    try:
        try:
            set_state(args, "B", STANDBY)
            raise Fail("implicit change accepted with access type Explicit")
        except OSError:
            pass
        expect("TPGS through B", inquiry(b)[5] & 0x30, 0x20)
        stpg_ok(a, [(AN, GROUP_B)], "STPG to AN")
        expect("B's state", group_state(a, GROUP_B), AN)
        stpg_ok(a, [(AO, GROUP_B)], "STPG to AO")
    finally:
        cfs_write(args, "B/alua_access_type", 3)
    return "ok"


@case("stpg-bad", "STPG naming an unknown group or an unsupported state: ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST, nothing changed")
def c_stpg_bad(args):
    a, b = both(args)
    for descs, what in (([(AO, 77)], "unknown group"),
                        ([(AO, GROUP_B), (7, GROUP_A)], "reserved state")):
        p = stpg(a, descs)
        if p.hdr[3] != 0x02 or p.sense() != (5, 0x26, 0x00):
            raise Fail("STPG %s: %s" % (what, p))
    expect("A", group_state(a, GROUP_A), AO)
    expect("B", group_state(a, GROUP_B), AO)
    expect_good(b, TUR, "B saw no change")
    return "ok"


@case("nonop-delay", "B active/non-optimized with nonop_delay_msecs 3000: a READ through B takes at least 3 s, INQUIRY through B and a READ through A do not wait; ABORT TASK of a waiting READ is FUNCTION COMPLETE well before the delay ends and the READ is not answered")
def c_nonop_delay(args):
    a, b = both(args)
    cfs_write(args, "B/nonop_delay_msecs", 3000)
    try:
        set_state(args, "B", AN)
        expect_ua(a, "A")
        expect_ua(b, "B")
        t0 = time.monotonic()
        expect_read(b, None, "READ through B")
        took_b = time.monotonic() - t0
        if took_b < 2.9:
            raise Fail("READ through B took %.2f s, not the 3 s delay" % took_b)
        t0 = time.monotonic()
        inquiry(b)
        expect_read(a, None, "READ through A")
        took = time.monotonic() - t0
        if took > 2.5:
            raise Fail("INQUIRY through B and READ through A waited %.2f s" % took)
        cdb, n = read10(b)
        itt = b.itt()
        b.send(b.scsi_hdr(cdb, n, read=True, itt=itt))
        time.sleep(0.3)
        seen = []
        t0 = time.monotonic()
        got = b.tmf(H.TMF_ABORT_TASK, ref_itt=itt, timeout=10.0, seen=seen)
        took = time.monotonic() - t0
        expect("ABORT TASK response", got, 0)
        if took > 2.0:
            raise Fail("ABORT TASK answered after %.2f s: it waited the delay" % took)
        about = [p for p in seen if p.itt == itt]
        if about:
            raise Fail("the aborted READ was answered: %s" % about[0])
        time.sleep(3.5)
        expect_read(a, None, "READ through A after the abort")
    finally:
        cfs_write(args, "B/nonop_delay_msecs", 100)
        set_state(args, "B", AO)
    return "READ through B %.1f s; ABORT TASK in %.2f s" % (took_b, took)


def md_paths(args):
    """(<dbroot>/alua, the file of group B) of the device --dev"""
    cfs = os.path.dirname(os.path.dirname(os.path.dirname(args.dev)))
    with open(os.path.join(cfs, "dbroot")) as f:
        alua = os.path.join(f.read().strip(), "alua")
    with open(os.path.join(args.dev, "wwn", "vpd_unit_serial")) as f:
        serial = f.read().split(":", 1)[1].strip()
    return alua, os.path.join(alua, "tpgs_%s" % serial, "B")


def md_text(state, status):
    return ("tg_pt_gp_id=%d\nalua_access_state=0x%02x\n"
            "alua_access_status=0x%02x\n" % (GROUP_B, state, status))


def expect_file(fname, want):
    with open(fname) as f:
        got = f.read()
    expect(fname, got, want)


@case("metadata-stpg", "alua_write_metadata 1 on B: STPG from A to active/non-optimized writes <dbroot>/alua/tpgs_<serial>/B in LIO's text (state 0x01, status 0x01); with <dbroot>/alua a regular file an STPG is answered HARDWARE ERROR 44h/00h and a configfs state write fails, B's state, status and file stay as they were")
def c_metadata_stpg(args):
    a, b = both(args)
    alua, fname = md_paths(args)
    cfs_write(args, "B/alua_write_metadata", 1)
    moved = alua + ".saved"
    try:
        stpg_ok(a, [(AN, GROUP_B)], "STPG to AN")
        expect_file(fname, md_text(AN, 1))
        expect_ua(b, "B after A's STPG")
        os.rename(alua, moved)
        with open(alua, "w") as f:
            f.write("not a directory\n")
        p = stpg(a, [(AO, GROUP_B)])
        if p.hdr[3] != 0x02 or p.sense() != (4, 0x44, 0x00):
            raise Fail("STPG with the file unwritable: %s" % p)
        try:
            set_state(args, "B", STANDBY)
            raise Fail("configfs state write accepted with the file unwritable")
        except OSError:
            pass
        g = rtpg(a)[GROUP_B]
        expect("B after the failed writes", (g[0], g[2]), (AN, 1))
        expect_good(b, TUR, "B saw no change")
        os.unlink(alua)
        os.rename(moved, alua)
        expect_file(fname, md_text(AN, 1))
        stpg_ok(a, [(AO, GROUP_B)], "STPG back to AO")
        expect_file(fname, md_text(AO, 1))
    finally:
        if os.path.exists(moved):
            if os.path.isfile(alua):
                os.unlink(alua)
            os.rename(moved, alua)
        cfs_write(args, "B/alua_write_metadata", 0)
    return "ok"


def main():
    ap = H.case_parser(__doc__, DEF_TARGET)
    ap.add_argument("--host2", default="127.0.0.2")
    ap.add_argument("--dev", default=None)
    ap.add_argument("--lun-b", default=None)
    args = H.case_args(ap, CASES)
    if args is None:
        return 0
    return H.run_case(CASES, args)


if __name__ == "__main__":
    sys.exit(main())
