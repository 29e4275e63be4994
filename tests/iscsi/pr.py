#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pr.py - persistent reservations of ktarget through the iSCSI fabric.

Each case logs in as two or three initiators of their own names (their
own I_T nexuses) and checks, as they see it, what SPC-4 asks of
PERSISTENT RESERVE OUT and IN: registrations and PRGENERATION (READ
KEYS), a reservation and its type (READ RESERVATION), the commands a
reservation refuses with RESERVATION CONFLICT before any Data-Out and
the ones it allows, the unit attentions other nexuses get when they are
preempted, released or cleared, PREEMPT AND ABORT aborting the preempted
nexus's pending write (which never lands), and REPORT CAPABILITIES.
The spc2-* cases do the same for SPC-2 RESERVE and RELEASE (6)/(10):
the commands another nexus may still run, the reservation's loss (LUN
reset, Logout, connection loss) and how it meets persistent
reservations (compatible reservation handling, CRH=1).

    pr.py [-H host] [-p port] [-t target-iqn] CASE
    pr.py --list

The target exports, in demo mode, a writable LUN 0 that nothing else
uses.  PREEMPT AND ABORT relies on TAS=1 (the default).  Exit status 0 when the target behaved, 1 otherwise.  Python 3
standard library only.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
import cmdpath as P  # noqa: E402
from hostile import Fail, BLOCK, OP_SCSI_RSP, OP_R2T  # noqa: E402

DEF_TARGET = "iqn.2003-01.org.ktarget:pr"
LBA = 4096

CASES, case = H.case_registry()

# PERSISTENT RESERVE OUT service actions and types (SPC-4 6.16)
REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT_ABORT = range(6)
REGISTER_IGNORE = 6
WR_EX, EX_AC, WR_EX_RO = 1, 3, 5
# PERSISTENT RESERVE IN service actions (SPC-4 6.15)
READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES = range(3)

RESERVATION_CONFLICT = 0x18
TASK_ABORTED = 0x40
UA = 6
UA_RES_PREEMPTED = (UA, 0x2a, 0x03)
UA_RES_RELEASED = (UA, 0x2a, 0x04)
UA_REG_PREEMPTED = (UA, 0x2a, 0x05)


def session(args, who):
    return P.session(args, name="%s-%s" % (args.case, who))


def pr_out(c, sa, key, sa_key=0, ptype=0, flags=0):
    """PERSISTENT RESERVE OUT with a 24-byte parameter list (immediate
    data); the SCSI Response."""
    cdb = struct.pack(">BBBxxIBx", 0x5f, sa, ptype, 24, 0)
    param = struct.pack(">QQIBxxx", key, sa_key, 0, flags)
    itt = P.send_write(c, cdb, len(param), imm=param)
    p = P.first_answer(c, itt)
    if p.op != OP_SCSI_RSP:
        raise Fail("PR OUT: %s" % p)
    return p


def pr_out_ok(c, sa, key, sa_key=0, ptype=0, what="PR OUT"):
    p = pr_out(c, sa, key, sa_key, ptype)
    if p.hdr[3] != 0:
        raise Fail("%s: %s" % (what, p))


def pr_in(c, sa, alloc=8192):
    rsp, data = c.scsi(struct.pack(">BBxxxxxHx", 0x5e, sa, alloc), alloc,
                       read=True)
    if rsp.hdr[3] != 0:
        raise Fail("PR IN service action %d: %s" % (sa, rsp))
    return data


def read_keys(c):
    """(PRGENERATION, [keys])"""
    d = pr_in(c, READ_KEYS)
    gen, n = struct.unpack_from(">II", d)
    return gen, [struct.unpack_from(">Q", d, 8 + i)[0]
                 for i in range(0, n, 8)]


def read_reservation(c):
    """(PRGENERATION, key, type) or (PRGENERATION, None, None)"""
    d = pr_in(c, READ_RESERVATION)
    gen, n = struct.unpack_from(">II", d)
    if not n:
        return gen, None, None
    key = struct.unpack_from(">Q", d, 8)[0]
    return gen, key, d[21] & 0xf


def status_of(c, cdb, edtl, read=False):
    rsp, _ = c.scsi(cdb, edtl, read=read)
    return rsp


def write_status(c, lba, byte=0x5a, blocks=1):
    """Status of a WRITE(10) of @blocks of @byte: a refused one must come
    back before any R2T."""
    data = bytes([byte]) * (blocks * BLOCK)
    itt = P.send_write(c, H.cdb_write10(lba, blocks), len(data))
    p = P.first_answer(c, itt)
    if p.op == OP_R2T:
        c.data_out(itt, p.f20, p.u32(40), data[p.u32(40):][:p.u32(44)])
        p = P.first_answer(c, itt)
    if p.op != OP_SCSI_RSP:
        raise Fail("WRITE: %s" % p)
    return p.hdr[3]


def read_status(c, lba, blocks=1):
    return status_of(c, H.cdb_read10(lba, blocks), blocks * BLOCK,
                     read=True).hdr[3]


def expect(what, got, want):
    if got != want:
        raise Fail("%s: got %r, expected %r" % (what, got, want))


def expect_ua(c, sense, what):
    """The next command of @c (TEST UNIT READY) reports @sense."""
    rsp = status_of(c, b"\0" * 6, 0)
    if rsp.hdr[3] != 0x02 or rsp.sense() != sense:
        raise Fail("%s: expected unit attention %x/%02x/%02x, got %s" %
                   (what, *sense, rsp))


def clear_all(c, key):
    """Leave the LUN with nothing registered (CLEAR needs a key)."""
    pr_out_ok(c, REGISTER_IGNORE, 0, key)
    pr_out_ok(c, CLEAR, key)


@case("register-keys", "REGISTER from two nexuses: READ KEYS lists both keys, PRGENERATION counts each; a wrong key gets RESERVATION CONFLICT; unregistering removes it")
def c_register_keys(args):
    a, b = session(args, "a"), session(args, "b")
    gen0, keys = read_keys(a)
    expect("keys at start", keys, [])
    pr_out_ok(a, REGISTER, 0, 0xa1)
    pr_out_ok(b, REGISTER, 0, 0xb1)
    gen, keys = read_keys(b)
    expect("keys", sorted(keys), [0xa1, 0xb1])
    expect("PRGENERATION", gen, gen0 + 2)
    expect("REGISTER with a wrong key", pr_out(a, REGISTER, 0x99, 0xa2).hdr[3],
           RESERVATION_CONFLICT)
    pr_out_ok(a, REGISTER, 0xa1, 0)
    expect("keys after unregistering", read_keys(b)[1], [0xb1])
    pr_out_ok(b, REGISTER, 0xb1, 0)
    expect("keys at the end", read_keys(a)[1], [])
    return "PRGENERATION %d -> %d" % (gen0, read_keys(a)[0])


@case("write-exclusive-ro", "WRITE EXCLUSIVE - REGISTRANTS ONLY: an unregistered nexus may read, its WRITE gets RESERVATION CONFLICT before any R2T; a registrant writes; RELEASE lets everyone write")
def c_we_ro(args):
    a, b, c = session(args, "a"), session(args, "b"), session(args, "c")
    pr_out_ok(a, REGISTER, 0, 0xa1)
    pr_out_ok(b, REGISTER, 0, 0xb1)
    pr_out_ok(a, RESERVE, 0xa1, ptype=WR_EX_RO)
    _, key, ptype = read_reservation(c)
    expect("READ RESERVATION", (key, ptype), (0xa1, WR_EX_RO))
    expect("unregistered READ", read_status(c, LBA), 0)
    expect("unregistered WRITE", write_status(c, LBA), RESERVATION_CONFLICT)
    expect("unregistered SYNCHRONIZE CACHE",
           status_of(c, b"\x35" + b"\0" * 9, 0).hdr[3], RESERVATION_CONFLICT)
    expect("unregistered TEST UNIT READY",
           status_of(c, b"\0" * 6, 0).hdr[3], 0)
    expect("registrant WRITE", write_status(b, LBA), 0)
    expect("holder WRITE", write_status(a, LBA), 0)
    expect("RELEASE with the wrong type",
           pr_out(a, RELEASE, 0xa1, ptype=EX_AC).sense()[:2], (5, 0x26))
    pr_out_ok(a, RELEASE, 0xa1, ptype=WR_EX_RO)
    # a registrants only reservation released: registrants are told
    expect_ua(b, UA_RES_RELEASED, "registrant after RELEASE")
    expect("WRITE after RELEASE", write_status(c, LBA), 0)
    clear_all(a, 0xa1)
    return "ok"


@case("exclusive-access", "EXCLUSIVE ACCESS: another registered nexus's READ and WRITE get RESERVATION CONFLICT, INQUIRY, REPORT LUNS, READ CAPACITY and PR IN still work; the holder reads and writes")
def c_ex_ac(args):
    a, b = session(args, "a"), session(args, "b")
    pr_out_ok(a, REGISTER, 0, 0xa1)
    pr_out_ok(b, REGISTER, 0, 0xb1)
    pr_out_ok(a, RESERVE, 0xa1, ptype=EX_AC)
    expect("other READ", read_status(b, LBA), RESERVATION_CONFLICT)
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    for name, cdb, n in (("INQUIRY", b"\x12\0\0\0\x60\0", 96),
                         ("REPORT LUNS", struct.pack(">BxxxxxIxx", 0xa0,
                                                     256), 256),
                         ("READ CAPACITY", b"\x25" + b"\0" * 9, 8)):
        expect("other " + name, status_of(b, cdb, n, read=True).hdr[3], 0)
    expect("other PR IN", read_reservation(b)[1], 0xa1)
    expect("holder READ", read_status(a, LBA), 0)
    expect("holder WRITE", write_status(a, LBA), 0)
    expect("RESERVE by another", pr_out(b, RESERVE, 0xb1,
                                        ptype=EX_AC).hdr[3],
           RESERVATION_CONFLICT)
    clear_all(a, 0xa1)
    expect_ua(b, UA_RES_PREEMPTED, "registrant after CLEAR")
    expect("READ after CLEAR", read_status(b, LBA), 0)
    return "ok"


@case("preempt-and-abort", "PREEMPT AND ABORT of a holder with a WRITE waiting for its Data-Out: the write is answered TASK ABORTED and never lands, the preempted nexus gets REGISTRATIONS PREEMPTED and then RESERVATION CONFLICT, the preempter writes")
def c_preempt_abort(args):
    a, b = session(args, "a"), session(args, "b")
    old = P.fill(a, LBA, 8, 0x11)
    pr_out_ok(a, REGISTER, 0, 0xa1)
    pr_out_ok(b, REGISTER, 0, 0xb1)
    pr_out_ok(a, RESERVE, 0xa1, ptype=EX_AC)
    # the holder's WRITE, waiting for Data-Out (InitialR2T=Yes)
    itt = P.send_write(a, H.cdb_write10(LBA, 8), 8 * BLOCK)
    r2t = P.first_answer(a, itt)
    if r2t.op != OP_R2T:
        raise Fail("holder WRITE: expected an R2T, got %s" % r2t)
    pr_out_ok(b, PREEMPT_ABORT, 0xb1, 0xa1, ptype=WR_EX,
              what="PREEMPT AND ABORT")
    # its data, sent now, must not land; then it is answered
    a.data_out(itt, r2t.f20, 0, b"\x22" * (8 * BLOCK))
    p = P.first_answer(a, itt)
    expect("the pending WRITE", (p.op, p.hdr[3]), (OP_SCSI_RSP, TASK_ABORTED))
    a.ping()
    _, key, ptype = read_reservation(b)
    expect("reservation after PREEMPT AND ABORT", (key, ptype), (0xb1, WR_EX))
    expect("keys", read_keys(b)[1], [0xb1])
    expect_ua(a, UA_REG_PREEMPTED, "preempted nexus")
    expect("preempted WRITE", write_status(a, LBA, 0x33), RESERVATION_CONFLICT)
    expect("preempted READ (write exclusive)", read_status(a, LBA), 0)
    if P.read_back(b, LBA, 8) != old:
        raise Fail("the aborted or refused WRITE changed the LUN")
    expect("preempter WRITE", write_status(b, LBA, 0x44), 0)
    clear_all(b, 0xb1)
    return "ok"


@case("report-capabilities", "REPORT CAPABILITIES: length 8, the type mask lists the six types; an unknown PR IN service action is INVALID FIELD IN CDB")
def c_report_caps(args):
    a = session(args, "a")
    d = pr_in(a, REPORT_CAPABILITIES)
    expect("length", struct.unpack_from(">H", d)[0], 8)
    expect("type mask", struct.unpack_from(">H", d, 4)[0], 0xea01)
    rsp, _ = a.scsi(struct.pack(">BBxxxxxHx", 0x5e, 0x1f, 256), 256,
                    read=True)
    if rsp.hdr[3] != 0x02 or rsp.sense()[:2] != (5, 0x24):
        raise Fail("PR IN service action 1Fh: %s" % rsp)
    return "capabilities %s" % d[:8].hex()


# APTPL: the guest script runs these around module reloads; each nexus
# keeps its initiator name and ISID across them.
APTPL_KEYS = {"a": 0xa7, "b": 0xb7}


def aptpl_session(args, who):
    return P.session(args, name="aptpl-" + who,
                     isid=bytes([0x80, 0, 0, 0x5a, 0, ord(who)]))


def pr_out_aptpl(c, sa, key, sa_key, what):
    p = pr_out(c, sa, key, sa_key, flags=1)
    if p.hdr[3] != 0:
        raise Fail("%s (APTPL=1): %s" % (what, p))


@case("aptpl-set", "APTPL: two nexuses register with APTPL=1, one reserves Write Exclusive Registrants Only; REPORT CAPABILITIES shows PTPL_C and PTPL_A (run by the guest script, which then checks the file)")
def c_aptpl_set(args):
    a, b = aptpl_session(args, "a"), aptpl_session(args, "b")
    pr_out_aptpl(a, REGISTER, 0, APTPL_KEYS["a"], "REGISTER a")
    pr_out_aptpl(b, REGISTER, 0, APTPL_KEYS["b"], "REGISTER b")
    pr_out_ok(a, RESERVE, APTPL_KEYS["a"], ptype=WR_EX_RO, what="RESERVE")
    caps = pr_in(a, REPORT_CAPABILITIES)
    expect("PTPL_C, PTPL_A", (caps[2] & 1, caps[3] & 1), (1, 1))
    return "registered and reserved"


@case("aptpl-check", "APTPL: after a module reload both registrations and the reservation are back: READ KEYS, READ RESERVATION; the registrant writes, a stranger gets RESERVATION CONFLICT")
def c_aptpl_check(args):
    a, b = aptpl_session(args, "a"), aptpl_session(args, "b")
    c = aptpl_session(args, "c")
    gen, keys = read_keys(c)
    expect("keys", sorted(keys), sorted(APTPL_KEYS.values()))
    expect("reservation", read_reservation(c)[1:],
           (APTPL_KEYS["a"], WR_EX_RO))
    expect("WRITE by the registrant b", write_status(b, LBA), 0)
    expect("WRITE by the stranger c", write_status(c, LBA),
           RESERVATION_CONFLICT)
    expect("READ by the stranger c", read_status(c, LBA), 0)
    caps = pr_in(a, REPORT_CAPABILITIES)
    expect("PTPL_A", caps[3] & 1, 1)
    return "keys %s, PRGENERATION %d" % ([hex(k) for k in keys], gen)


@case("aptpl-clear", "APTPL: CLEAR leaves a file without registrations; a REGISTER with APTPL=0 ends persistence (REPORT CAPABILITIES PTPL_A=0)")
def c_aptpl_clear(args):
    a = aptpl_session(args, "a")
    pr_out_ok(a, CLEAR, APTPL_KEYS["a"])
    expect("keys after CLEAR", read_keys(a)[1], [])
    pr_out_ok(a, REGISTER, 0, 0xa8)
    caps = pr_in(a, REPORT_CAPABILITIES)
    expect("PTPL_A", caps[3] & 1, 0)
    pr_out_ok(a, REGISTER, 0xa8, 0)
    return "cleared"


@case("aptpl-clear-made", "APTPL: a REGISTER with APTPL=1 succeeds when dbroot has no pr/ folder yet (it is made), and is undone")
def c_aptpl_clear_made(args):
    a = aptpl_session(args, "a")
    pr_out_aptpl(a, REGISTER, 0, 0xaa, "REGISTER without pr/")
    pr_out_ok(a, REGISTER, 0xaa, 0)
    expect("keys", read_keys(a)[1], [])
    return "registered and unregistered"


@case("aptpl-unsaved", "APTPL: when the file cannot be written (pr is a file) REGISTER with APTPL=1 fails with HARDWARE ERROR and registers nothing")
def c_aptpl_unsaved(args):
    a = aptpl_session(args, "a")
    p = pr_out(a, REGISTER, 0, 0xa9, flags=1)
    if p.hdr[3] != 0x02 or p.sense()[0] != 4:
        raise Fail("REGISTER APTPL=1 without pr/: %s" % p)
    expect("keys", read_keys(a)[1], [])
    return "refused with %x/%02x/%02x" % p.sense()


# ------------------------------------------------- SPC-2 RESERVE/RELEASE

OP_RESERVE6, OP_RELEASE6, OP_RESERVE10, OP_RELEASE10 = 0x16, 0x17, 0x56, 0x57
UA_LUN_RESET = (UA, 0x29, 0x03)


def res_status(c, op, b1=0):
    """Status of RESERVE/RELEASE (6) or (10) (@b1: CDB byte 1)."""
    cdb = bytes([op, b1]) + b"\0" * (4 if op < 0x20 else 8)
    return status_of(c, cdb, 0)


def res_ok(c, op, what):
    rsp = res_status(c, op)
    if rsp.hdr[3] != 0:
        raise Fail("%s: %s" % (what, rsp))


def sks(p):
    """(C/D, BPV, bit, field) of a fixed-format sense's field pointer."""
    n = struct.unpack_from(">H", p.data)[0]
    sd = p.data[2:2 + n]
    if len(sd) < 18 or not sd[15] & 0x80:
        raise Fail("no sense-key specific field pointer: %s" % sd.hex())
    return (sd[15] >> 6) & 1, (sd[15] >> 3) & 1, sd[15] & 7, \
        struct.unpack_from(">H", sd, 16)[0]


def until_write_ok(c, what, timeout=10.0):
    """@c's WRITE succeeds within @timeout (a session's end releases its
    reservation when the target has torn it down, a moment later)."""
    end = time.monotonic() + timeout
    while True:
        st = write_status(c, LBA)
        if st == 0:
            return
        if st != RESERVATION_CONFLICT or time.monotonic() > end:
            raise Fail("%s: WRITE status 0x%02x" % (what, st))
        time.sleep(0.2)


@case("spc2-reserve", "SPC-2 RESERVE(6) by A: A may reserve again, reads and writes; B's RESERVE, READ, WRITE (before any R2T), TEST UNIT READY, MODE SENSE get RESERVATION CONFLICT, its INQUIRY, REPORT LUNS and REQUEST SENSE run, its RELEASE is GOOD and changes nothing; PR IN conflicts for both; after A's RELEASE(6) B writes, and RESERVE(10)/RELEASE(10) work")
def c_spc2_reserve(args):
    a, b = session(args, "a"), session(args, "b")
    res_ok(a, OP_RESERVE6, "RESERVE(6)")
    res_ok(a, OP_RESERVE6, "RESERVE(6) again by the holder")
    expect("RESERVE(6) by another", res_status(b, OP_RESERVE6).hdr[3],
           RESERVATION_CONFLICT)
    expect("RESERVE(10) by another", res_status(b, OP_RESERVE10).hdr[3],
           RESERVATION_CONFLICT)
    expect("other READ", read_status(b, LBA), RESERVATION_CONFLICT)
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    expect("other TEST UNIT READY", status_of(b, b"\0" * 6, 0).hdr[3],
           RESERVATION_CONFLICT)
    expect("other MODE SENSE", status_of(b, b"\x1a\0\x3f\0\xff\0", 255,
                                         read=True).hdr[3],
           RESERVATION_CONFLICT)
    for name, cdb, n in (("INQUIRY", b"\x12\0\0\0\x60\0", 96),
                         ("REPORT LUNS", struct.pack(">BxxxxxIxx", 0xa0,
                                                     256), 256),
                         ("REQUEST SENSE", b"\x03\0\0\0\x12\0", 18)):
        expect("other " + name, status_of(b, cdb, n, read=True).hdr[3], 0)
    res_ok(b, OP_RELEASE6, "RELEASE(6) by another")
    expect("other WRITE after its RELEASE", write_status(b, LBA),
           RESERVATION_CONFLICT)
    for c, who in ((a, "holder"), (b, "other")):
        rsp, _ = c.scsi(struct.pack(">BBxxxxxHx", 0x5e, READ_KEYS, 256), 256,
                        read=True)
        expect(who + " PR IN", rsp.hdr[3], RESERVATION_CONFLICT)
    expect("holder READ", read_status(a, LBA), 0)
    expect("holder WRITE", write_status(a, LBA), 0)
    res_ok(a, OP_RELEASE6, "RELEASE(6) by the holder")
    expect("WRITE after RELEASE", write_status(b, LBA), 0)
    res_ok(b, OP_RESERVE10, "RESERVE(10)")
    expect("other WRITE under RESERVE(10)", write_status(a, LBA),
           RESERVATION_CONFLICT)
    res_ok(b, OP_RELEASE10, "RELEASE(10)")
    expect("WRITE after RELEASE(10)", write_status(a, LBA), 0)
    return "ok"


@case("spc2-bad-cdb", "RESERVE(10) with 3RDPTY and RESERVE(6)/RELEASE(6) with EXTENT: CHECK CONDITION, INVALID FIELD IN CDB pointing at byte 1 bit 4 / bit 0; nothing is reserved")
def c_spc2_bad_cdb(args):
    a, b = session(args, "a"), session(args, "b")
    for op, b1, bit in ((OP_RESERVE10, 0x10, 4), (OP_RELEASE10, 0x12, 4),
                        (OP_RESERVE6, 0x01, 0), (OP_RELEASE6, 0x01, 0)):
        rsp = res_status(a, op, b1)
        P.expect_sense(rsp, (5, 0x24, 0x00), "opcode %02xh byte 1 %02xh" %
                       (op, b1))
        expect("field pointer of %02xh" % op, sks(rsp), (1, 1, bit, 1))
    expect("WRITE of another", write_status(b, LBA), 0)
    return "ok"


@case("spc2-lun-reset", "LOGICAL UNIT RESET (by the other nexus) releases A's SPC-2 reservation: B writes and reserves, both get BUS DEVICE RESET FUNCTION OCCURRED")
def c_spc2_lun_reset(args):
    a, b = session(args, "a"), session(args, "b")
    res_ok(a, OP_RESERVE6, "RESERVE(6)")
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    expect("LUN RESET", b.tmf(H.TMF_LUN_RESET), 0)
    expect_ua(b, UA_LUN_RESET, "resetter after the reset")
    expect("WRITE after the reset", write_status(b, LBA), 0)
    expect_ua(a, UA_LUN_RESET, "holder after the reset")
    res_ok(b, OP_RESERVE6, "RESERVE(6) by the other after the reset")
    expect("old holder's WRITE", write_status(a, LBA), RESERVATION_CONFLICT)
    res_ok(b, OP_RELEASE6, "RELEASE(6)")
    return "ok"


@case("spc2-logout", "the holder's Logout (nexus loss) releases its SPC-2 reservation: the other nexus writes and reserves")
def c_spc2_logout(args):
    a, b = session(args, "a"), session(args, "b")
    res_ok(a, OP_RESERVE6, "RESERVE(6)")
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    a.logout()
    until_write_ok(b, "after the holder's logout")
    res_ok(b, OP_RESERVE6, "RESERVE(6) after the logout")
    res_ok(b, OP_RELEASE6, "RELEASE(6)")
    return "ok"


@case("spc2-conn-loss", "the holder's connection dropped without Logout (nexus loss) releases its SPC-2 reservation")
def c_spc2_conn_loss(args):
    a, b = session(args, "a"), session(args, "b")
    res_ok(a, OP_RESERVE10, "RESERVE(10)")
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    a.close()
    until_write_ok(b, "after the holder's connection loss")
    return "ok"


@case("spc2-vs-pr", "with a registration RESERVE/RELEASE conflict for everyone; under a persistent reservation the holder's RESERVE(6)/RELEASE(6) are GOOD and change nothing (CRH=1, which REPORT CAPABILITIES shows), others conflict")
def c_spc2_vs_pr(args):
    a, b = session(args, "a"), session(args, "b")
    caps = pr_in(a, REPORT_CAPABILITIES)
    expect("CRH", caps[2] & 0x10, 0x10)
    pr_out_ok(a, REGISTER, 0, 0xa1)
    expect("RESERVE(6) by the registrant", res_status(a, OP_RESERVE6).hdr[3],
           RESERVATION_CONFLICT)
    expect("RESERVE(6) by another", res_status(b, OP_RESERVE6).hdr[3],
           RESERVATION_CONFLICT)
    expect("RELEASE(6) by another", res_status(b, OP_RELEASE6).hdr[3],
           RESERVATION_CONFLICT)
    pr_out_ok(a, RESERVE, 0xa1, ptype=WR_EX)
    res_ok(a, OP_RESERVE6, "RESERVE(6) by the PR holder")
    # no SPC-2 reservation was made: WRITE EXCLUSIVE still lets B read
    expect("other READ", read_status(b, LBA), 0)
    expect("other WRITE", write_status(b, LBA), RESERVATION_CONFLICT)
    res_ok(a, OP_RELEASE10, "RELEASE(10) by the PR holder")
    _, key, ptype = read_reservation(b)
    expect("reservation after RELEASE(10)", (key, ptype), (0xa1, WR_EX))
    expect("RESERVE(10) by another", res_status(b, OP_RESERVE10).hdr[3],
           RESERVATION_CONFLICT)
    clear_all(a, 0xa1)
    res_ok(b, OP_RESERVE6, "RESERVE(6) with nothing registered")
    res_ok(b, OP_RELEASE6, "RELEASE(6)")
    return "ok"


@case("spc2-blocks-pr-out", "while an SPC-2 reservation is held, PERSISTENT RESERVE OUT (REGISTER) gets RESERVATION CONFLICT from any nexus, the holder's too (SPC-4 6.16.1); after RELEASE it registers")
def c_spc2_blocks_pr_out(args):
    a, b = session(args, "a"), session(args, "b")
    res_ok(a, OP_RESERVE6, "RESERVE(6)")
    expect("other REGISTER", pr_out(b, REGISTER, 0, 0xb1).hdr[3],
           RESERVATION_CONFLICT)
    expect("holder REGISTER", pr_out(a, REGISTER, 0, 0xa1).hdr[3],
           RESERVATION_CONFLICT)
    res_ok(a, OP_RELEASE6, "RELEASE(6)")
    expect("keys after RELEASE", read_keys(b)[1], [])
    pr_out_ok(b, REGISTER, 0, 0xb1)
    pr_out_ok(b, REGISTER, 0xb1, 0)
    return "ok"


def main():
    ap = H.case_parser(__doc__, DEF_TARGET)
    args = H.case_args(ap, CASES)
    if args is None:
        return 0
    return H.run_case(CASES, args)


if __name__ == "__main__":
    sys.exit(main())
