#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tmf.py - task management of ktarget through the iSCSI fabric.

Uses hostile.py's PDU builder and case runner and cmdpath.py's session
helpers to check the core's task management as an initiator sees it:
QUERY TASK and QUERY TASK SET (RFC 7144), I_T NEXUS RESET (the nexus gets
I_T NEXUS LOSS OCCURRED, other sessions keep working), ABORT TASK SET
(other sessions' tasks are left alone), CLEAR TASK SET with the control
page's TAS bit on and off (another session's task is answered TASK
ABORTED, or not at all and then COMMANDS CLEARED BY ANOTHER INITIATOR),
a LUN RESET during another session's slow write (the write never
lands, the victim's data reads back intact and its session goes on), and
unit attentions per I_T nexus: two sessions of one initiator name (two
ISIDs) each get their own (LUN RESET, MODE SELECT by the other), per LUN,
several pending ones one per command in priority order, REQUEST SENSE
taking one.
A "pending" task is a WRITE waiting for its Data-Out: it exists for the
target until its data is in and it is answered.  With --slow-lun (a LUN
on a device that delays each I/O), ABORT TASK and LUN RESET of a READ
the backstore is carrying out: the TMF is answered only once it ended.

    tmf.py [-H host] [-p port] [-t target-iqn] [--dev configfs-dev]
           [--slow-lun N] CASE
    tmf.py --list

Exit status 0 when the target behaved, 1 otherwise.  Python 3 standard
library only.
"""

import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
import cmdpath as P  # noqa: E402
from hostile import Fail, react, BLOCK, OP_SCSI_RSP  # noqa: E402

DEF_TARGET = "iqn.2003-01.org.ktarget:tmf"
DEF_INITIATOR = "iqn.2004-10.org.ktarget:tmf"
LBA = 20000		# 10 MiB into the 32 MiB LUN

CASES, case = H.case_registry()

# TMF functions (RFC 7143 11.5.1, RFC 7144 4.1) and responses
TMF_CLEAR_TASK_SET = 4
TMF_QUERY_TASK = 9
TMF_QUERY_TASK_SET = 10
TMF_IT_NEXUS_RESET = 11
RSP_COMPLETE = 0
RSP_NO_TASK = 1
RSP_NO_LUN = 2
RSP_SUCCEEDED = 7
SAM_TASK_ABORTED = 0x40


def session(args, name):
    """A logged-in session of its own initiator name (its own nexus)."""
    return P.session(args, name="%s-%s" % (args.case, name))


def sessions(args, *names):
    """A session() for each of @names."""
    return [session(args, name) for name in names]


def logout(*conns):
    for c in conns:
        c.logout()


def pending_write(c, lba, blocks):
    """A WRITE that waits for its Data-Out: (itt, ttt of its R2T)."""
    itt, r2t = H.write_r2t(c, blocks, lba)
    return itt, r2t.f20


def finish_write(c, itt, ttt, data, sent=0):
    """Send the rest of a pending write's data after @sent bytes."""
    c.data_out(itt, ttt, sent, data[sent:], datasn=1 if sent else 0)


def answer_of(c, itt, timeout=10.0):
    p, _ = c.wait_for(lambda p: p.itt == itt and p.op == OP_SCSI_RSP,
                      timeout, "SCSI Response for ITT %#x" % itt)
    return p


def expect_good(rsp, what):
    if rsp.hdr[3] != 0:
        raise Fail("%s: %s" % (what, rsp))


def expect_data(c, lba, data, what):
    """The LUN holds @data at @lba (else Fail(@what))."""
    if P.read_back(c, lba, len(data) // BLOCK) != data:
        raise Fail(what)


def expect_unanswered(c, itt, timeout=3.0):
    """Nothing about @itt comes (other PDUs are listed as a failure)."""
    kind, p = react(c, timeout)
    if kind == "pdu":
        raise Fail("expected no answer for ITT %#x, got %s" % (itt, p))
    if kind == "close":
        raise Fail("connection closed: %s" % p)


def expect_status(c, status, sense=None, what="TEST UNIT READY", lun=0,
                  **kw):
    rsp, _ = c.scsi(H.TUR, 0, lun=lun, **kw)
    if rsp.hdr[3] != status:
        raise Fail("%s: status %#x, expected %#x (%s)" %
                   (what, rsp.hdr[3], status, rsp))
    got = rsp.sense()
    if sense and (got is None or got[:len(sense)] != sense):
        raise Fail("%s: sense %s, expected %s" %
                   (what, got and "%x/%02x/%02x" % got,
                    "/".join("%02x" % x for x in sense)))


def check_tmf(got, want, what):
    if got != want:
        raise Fail("%s answered %d, expected %d" % (what, got, want))


def set_tas(args, value):
    """attrib/emulate_tas of the device; returns the old value."""
    if not args.dev:
        raise Fail("needs --dev")
    return P.set_param(os.path.join(args.dev, "attrib", "emulate_tas"), value)


def control_tas(c):
    """The TAS bit of the control mode page (MODE SENSE(6), page 0x0a)."""
    rsp, data = c.scsi(struct.pack(">BBBBBB", 0x1a, 0x08, 0x0a, 0, 64, 0),
                       64, read=True)
    if rsp.hdr[3] != 0 or len(data) < 4 + 12:
        raise Fail("MODE SENSE of the control page: %s" % rsp)
    page = data[4:]
    if page[0] & 0x3f != 0x0a:
        raise Fail("MODE SENSE returned page %#x" % page[0])
    return bool(page[5] & 0x40)


# ------------------------------------------------------------- queries

@case("query-task", "QUERY TASK: Function succeeded for a write waiting for Data-Out, Function complete once it is answered and for an unknown task")
def c_query_task(args):
    c = session(args, "q")
    data = os.urandom(64 * BLOCK)
    itt, ttt = pending_write(c, LBA, 64)
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=itt), RSP_SUCCEEDED,
              "QUERY TASK of a write waiting for Data-Out")
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=0x6666), RSP_COMPLETE,
              "QUERY TASK of an unknown task")
    finish_write(c, itt, ttt, data)
    expect_good(answer_of(c, itt), "the queried WRITE")
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=itt), RSP_COMPLETE,
              "QUERY TASK of an answered task")
    expect_data(c, LBA, data, "the queried WRITE did not land")
    c.logout()
    return "succeeded (7) while waiting, complete (0) after and unknown"


@case("query-task-set", "QUERY TASK SET: Function succeeded with a task on the LUN, Function complete without, INCORRECT LUN for a LUN the session lacks")
def c_query_task_set(args):
    c, other = sessions(args, "q", "other")
    check_tmf(c.tmf(TMF_QUERY_TASK_SET), RSP_COMPLETE,
              "QUERY TASK SET of an idle LUN")
    oitt, ottt = pending_write(other, LBA + 64, 16)
    check_tmf(c.tmf(TMF_QUERY_TASK_SET), RSP_COMPLETE,
              "QUERY TASK SET with only another nexus's task on the LUN")
    itt, ttt = pending_write(c, LBA, 16)
    check_tmf(c.tmf(TMF_QUERY_TASK_SET), RSP_SUCCEEDED,
              "QUERY TASK SET with a write waiting for Data-Out")
    check_tmf(c.tmf(TMF_QUERY_TASK_SET, lun=7), RSP_NO_LUN,
              "QUERY TASK SET of LUN 7")
    finish_write(c, itt, ttt, os.urandom(16 * BLOCK))
    answer_of(c, itt)
    finish_write(other, oitt, ottt, os.urandom(16 * BLOCK))
    answer_of(other, oitt)
    check_tmf(c.tmf(TMF_QUERY_TASK_SET), RSP_COMPLETE,
              "QUERY TASK SET once the write is answered")
    logout(c, other)
    return "complete (0), succeeded (7), incorrect LUN (2), complete (0)"


# ------------------------------------------------------------- aborts

def abort_own_write(c, function, name, byte, meanwhile=lambda: None):
    """@c's WRITE of 16 blocks at LBA (filled with @byte first) waits for
    its Data-Out when @c sends TMF @function (after @meanwhile()): the TMF
    is answered complete and QUERY TASK finds the write no more.  Returns
    what the LUN must still hold, and what @meanwhile() returned."""
    before = P.fill(c, LBA, 16, byte)
    itt, _ = pending_write(c, LBA, 16)
    got = meanwhile()
    check_tmf(c.tmf(function), RSP_COMPLETE, name)
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=itt), RSP_COMPLETE,
              "QUERY TASK of the write after %s" % name)
    return before, got


@case("it-nexus-reset", "I_T NEXUS RESET: the nexus's pending write is aborted unanswered, the nexus gets I_T NEXUS LOSS OCCURRED, another session keeps working without a unit attention")
def c_it_nexus_reset(args):
    c, other = sessions(args, "reset", "other")
    before, _ = abort_own_write(c, TMF_IT_NEXUS_RESET, "I_T NEXUS RESET",
                                0x5a)
    expect_status(c, 2, (6, 0x29, 0x07), "first command after the reset")
    expect_status(c, 0)
    expect_status(other, 0, what="TEST UNIT READY of the other session")
    data = os.urandom(16 * BLOCK)
    expect_good(other.write(LBA + 32, data), "the other session's WRITE")
    expect_data(other, LBA + 32, data,
                "the other session's WRITE did not land")
    expect_data(c, LBA, before, "the aborted WRITE changed the LUN")
    logout(c, other)
    return "complete; 6/29/07 for the nexus only; the other session works"


@case("abort-task-set-others", "ABORT TASK SET: the issuing session's pending write goes unanswered, another session's pending write on the LUN completes GOOD")
def c_abort_task_set_others(args):
    c, other = sessions(args, "issuer", "other")
    before, (oitt, ottt) = abort_own_write(
        c, H.TMF_ABORT_TASK_SET, "ABORT TASK SET", 0x11,
        lambda: pending_write(other, LBA + 32, 16))
    data = os.urandom(16 * BLOCK)
    check_tmf(other.tmf(TMF_QUERY_TASK, ref_itt=oitt), RSP_SUCCEEDED,
              "QUERY TASK of the other session's write")
    finish_write(other, oitt, ottt, data)
    expect_good(answer_of(other, oitt), "the other session's WRITE")
    expect_data(other, LBA + 32, data,
                "the other session's WRITE did not land")
    expect_status(other, 0, what="the other session, after")
    expect_data(c, LBA, before, "the aborted WRITE changed the LUN")
    logout(c, other)
    return "own write aborted; the other session's write GOOD and in place"


def clear_task_set(args, tas):
    """CLEAR TASK SET from one session while another's write waits."""
    old = set_tas(args, 1 if tas else 0)
    try:
        c, victim = sessions(args, "issuer", "victim")
        if control_tas(victim) != tas:
            raise Fail("control page TAS %d, emulate_tas %d" %
                       (not tas, tas))
        before = P.fill(victim, LBA, 32, 0x77)
        data = os.urandom(32 * BLOCK)
        itt, ttt = pending_write(victim, LBA, 32)
        check_tmf(c.tmf(TMF_CLEAR_TASK_SET), RSP_COMPLETE, "CLEAR TASK SET")
        finish_write(victim, itt, ttt, data)
        if tas:
            rsp = answer_of(victim, itt)
            if rsp.hdr[3] != SAM_TASK_ABORTED:
                raise Fail("the victim's WRITE: %s, expected TASK ABORTED"
                           % rsp)
            expect_status(victim, 0, what="the victim, after")
        else:
            expect_unanswered(victim, itt)
            expect_status(victim, 2, (6, 0x2f, 0x00),
                          "the victim's next command")
        expect_data(victim, LBA, before, "the cleared WRITE changed the LUN")
        expect_status(c, 0, what="the issuer, after")
        logout(c, victim)
    finally:
        set_tas(args, old)


@case("clear-task-set-tas", "CLEAR TASK SET with TAS=1: another session's pending write is answered TASK ABORTED and never lands")
def c_clear_task_set_tas(args):
    clear_task_set(args, True)
    return "TASK ABORTED (0x40), LUN unchanged"


@case("clear-task-set-no-tas", "CLEAR TASK SET with TAS=0: another session's pending write gets no answer, then COMMANDS CLEARED BY ANOTHER INITIATOR")
def c_clear_task_set_no_tas(args):
    clear_task_set(args, False)
    return "no answer, then 6/2f/00; LUN unchanged"


@case("lun-reset-slow-write", "LUN RESET from one session while another session's write is half sent: answered at once, the write is answered TASK ABORTED and never lands, the victim's data and session are intact")
def c_lun_reset_slow_write(args):
    old = set_tas(args, 1)
    try:
        return lun_reset_slow_write(args)
    finally:
        set_tas(args, old)


def lun_reset_slow_write(args):
    victim, c = sessions(args, "victim", "resetter")
    kept = P.fill(victim, LBA + 64, 32, 0x3c)
    before = P.fill(victim, LBA, 32, 0xc3)
    data = os.urandom(32 * BLOCK)
    itt, ttt = pending_write(victim, LBA, 32)
    half = len(data) // 2
    victim.data_out(itt, ttt, 0, data[:half], final=False)
    t0 = time.monotonic()
    check_tmf(c.tmf(H.TMF_LUN_RESET, timeout=20.0), RSP_COMPLETE,
              "LUN RESET")
    took = time.monotonic() - t0
    if took > 5:
        raise Fail("LUN RESET took %.1f s" % took)
    finish_write(victim, itt, ttt, data, sent=half)
    rsp = answer_of(victim, itt)
    if rsp.hdr[3] != SAM_TASK_ABORTED:
        raise Fail("the victim's WRITE: %s, expected TASK ABORTED" % rsp)
    expect_status(victim, 2, (6, 0x29, 0x03), "the victim's next command")
    expect_data(victim, LBA, before,
                "the WRITE aborted by the LUN RESET changed the LUN")
    expect_data(victim, LBA + 64, kept, "the victim's earlier data changed")
    if victim.write(LBA, data).hdr[3] != 0 or \
            P.read_back(victim, LBA, 32) != data:
        raise Fail("the victim cannot write after the reset")
    expect_status(c, 2, (6, 0x29, 0x03), "the resetter's next command")
    expect_status(c, 0, what="the resetter, after")
    logout(c, victim)
    return "reset in %.1f s; TASK ABORTED; 6/29/03; data intact" % took


# ------------------------------------------------ unit attentions
# Two sessions of ONE initiator name (two ISIDs: two I_T nexuses of one
# ACL) each keep their own unit attentions, per LUN.  --spare-lun: a LUN
# of another device, which must keep its own (none).

REQUEST_SENSE = struct.pack(">BBBBBB", 0x03, 0, 0, 0, 18, 0)


def twins(args):
    """Two sessions of the same initiator name, UAs consumed on LUN 0 and
    on the spare LUN."""
    if args.spare_lun is None:
        raise Fail("needs --spare-lun")
    name = "%s-twin" % args.case
    a, b = P.session(args, name=name), P.session(args, name=name)
    if a.isid == b.isid:
        raise Fail("the two sessions got the same ISID")
    for c in (a, b):
        c.clear_ua(args.spare_lun)
    return a, b


def set_wce(c, on):
    """MODE SELECT(6) of the caching page with WCE @on (from MODE SENSE(6),
    DBD, page 0x08); returns the WCE it had."""
    rsp, data = c.scsi(struct.pack(">BBBBBB", 0x1a, 0x08, 0x08, 0, 64, 0),
                       64, read=True)
    if rsp.hdr[3] != 0 or len(data) < 6 or data[4] & 0x3f != 0x08:
        raise Fail("MODE SENSE of the caching page: %s" % rsp)
    page = bytearray(data[4:6 + data[5]])
    was = bool(page[2] & 0x04)
    page[0] &= 0x3f
    page[2] = (page[2] & ~0x04) | (0x04 if on else 0)
    param = bytes(4) + bytes(page)
    cdb = struct.pack(">BBBBBB", 0x15, 0x10, 0, 0, len(param), 0)
    expect_good(answer_of(c, P.send_write(c, cdb, len(param), imm=param)),
                "MODE SELECT(6) of WCE=%d" % on)
    return was


def set_control(c, byte, mask, value):
    """MODE SELECT(6) of the control page with (byte @byte & @mask) set to
    @value; returns (the whole page before, the SCSI Response)."""
    rsp, data = c.scsi(struct.pack(">BBBBBB", 0x1a, 0x08, 0x0a, 0, 64, 0),
                       64, read=True)
    if rsp.hdr[3] != 0 or len(data) < 16 or data[4] & 0x3f != 0x0a:
        raise Fail("MODE SENSE of the control page: %s" % rsp)
    page = bytearray(data[4:16])
    old = bytes(page)
    page[0] &= 0x3f
    page[byte] = (page[byte] & ~mask) | value
    param = bytes(4) + bytes(page)
    cdb = struct.pack(">BBBBBB", 0x15, 0x10, 0, 0, len(param), 0)
    return old, answer_of(c, P.send_write(c, cdb, len(param), imm=param))


def attrib(args, name):
    with open(os.path.join(args.dev, "attrib", name)) as f:
        return int(f.read())


@case("control-page-changeable", "the control page's TAS and UA_INTLCK_CTRL are changeable by MODE SELECT (attributes emulate_tas and emulate_ua_intlck_ctrl follow, the other nexus gets 6/2A/01); UA_INTLCK_CTRL 01b (reserved) and QERR 01b are refused 5/26/00")
def c_control_page_changeable(args):
    a, b = twins(args)
    old, rsp = set_control(a, 5, 0x40, 0)
    expect_good(rsp, "MODE SELECT of TAS 0")
    try:
        if control_tas(a) or attrib(args, "emulate_tas") != 0:
            raise Fail("TAS still set after MODE SELECT")
        expect_status(b, 2, (6, 0x2a, 0x01), "the twin after TAS 0")
        _, rsp = set_control(a, 4, 0x30, 0x30)
        expect_good(rsp, "MODE SELECT of UA_INTLCK_CTRL 11b")
        if attrib(args, "emulate_ua_intlck_ctrl") != 2:
            raise Fail("emulate_ua_intlck_ctrl is not 2 after 11b")
        for byte, mask, value, what in ((4, 0x30, 0x10, "UA_INTLCK_CTRL 01b"),
                                        (3, 0x06, 0x02, "QERR 01b")):
            _, rsp = set_control(a, byte, mask, value)
            P.expect_sense(rsp, (5, 0x26, 0x00), "MODE SELECT of " + what)
    finally:
        _, rsp = set_control(a, 4, 0xff, old[4])
        expect_good(rsp, "MODE SELECT restoring byte 4")
        _, rsp = set_control(a, 5, 0xff, old[5])
        expect_good(rsp, "MODE SELECT restoring byte 5")
    if attrib(args, "emulate_tas") != 1 or \
            attrib(args, "emulate_ua_intlck_ctrl") != 0:
        raise Fail("the attributes were not restored")
    logout(a, b)
    return "TAS 0 and UA_INTLCK_CTRL 11b taken, reserved values refused"


def toggle_wce(c):
    """Two MODE SELECTs from @c that change WCE and change it back."""
    was = set_wce(c, True)
    if was:
        set_wce(c, False)
        set_wce(c, True)
    else:
        set_wce(c, False)


def request_sense(c):
    """(key, asc, ascq) of REQUEST SENSE (fixed format)."""
    rsp, data = c.scsi(REQUEST_SENSE, 18, read=True)
    if rsp.hdr[3] != 0 or len(data) < 14:
        raise Fail("REQUEST SENSE: %s" % rsp)
    return data[2] & 0x0f, data[12], data[13]


@case("ua-twin-lun-reset", "two sessions of one initiator name: a LUN RESET from one gives 6/29/03 to both (SAM-5: every I_T nexus), on that LUN only, once each")
def c_ua_twin_lun_reset(args):
    spare = args.spare_lun
    a, b = twins(args)
    check_tmf(a.tmf(H.TMF_LUN_RESET), RSP_COMPLETE, "LUN RESET")
    expect_status(a, 0, what="the resetter on the spare LUN", lun=spare)
    expect_status(a, 2, (6, 0x29, 0x03), "the resetter on LUN 0")
    expect_status(a, 0, what="the resetter, once told")
    expect_status(b, 0, what="the twin on the spare LUN", lun=spare)
    expect_status(b, 2, (6, 0x29, 0x03), "the twin on LUN 0")
    expect_status(b, 0, what="the twin, once told")
    logout(a, b)
    return "6/29/03 once for each nexus on LUN 0 only"


@case("ua-twin-mode-select", "two sessions of one initiator name: a MODE SELECT from one gives 6/2A/01 to the other only, on the device's LUN only")
def c_ua_twin_mode_select(args):
    spare = args.spare_lun
    a, b = twins(args)
    toggle_wce(a)
    expect_status(a, 0, what="the session that changed the page")
    expect_status(b, 0, what="the twin on the spare LUN", lun=spare)
    expect_status(b, 2, (6, 0x2a, 0x01), "the twin on LUN 0")
    expect_status(b, 0, what="the twin, once told")
    logout(a, b)
    return "6/2A/01 once for the twin on LUN 0 only; the changer GOOD"


@case("ua-queue-order", "several unit attentions pending on one nexus are reported one per command, highest priority first (29/03 before 2A/01), each once; REQUEST SENSE returns and clears one")
def c_ua_queue_order(args):
    a, b = twins(args)
    got = []
    for pop in ("TEST UNIT READY", "REQUEST SENSE"):
        toggle_wce(a)
        check_tmf(a.tmf(H.TMF_LUN_RESET), RSP_COMPLETE, "LUN RESET")
        expect_status(a, 2, (6, 0x29, 0x03), "the issuer, of its reset")
        if pop == "REQUEST SENSE":
            sense = request_sense(b)
            if sense != (6, 0x29, 0x03):
                raise Fail("REQUEST SENSE: %x/%02x/%02x, expected "
                           "6/29/03" % sense)
        else:
            expect_status(b, 2, (6, 0x29, 0x03), "first, the reset")
        expect_status(b, 2, (6, 0x2a, 0x01), "then the mode change")
        expect_status(b, 0, what="then nothing")
        sense = request_sense(b)
        if sense != (0, 0, 0):
            raise Fail("REQUEST SENSE with nothing pending: %x/%02x/%02x" %
                       sense)
        got.append(pop)
    expect_status(a, 0, what="the issuer, once told")
    logout(a, b)
    return "29/03, then 2A/01, then GOOD; the first told by %s" % \
        " then by ".join(got)


# ------------------------------------------------------- running tasks
# --slow-lun: a LUN whose device answers each I/O SLOW seconds late
# (iblock on dm-delay), so a READ sent to it is running in the backstore
# when the TMF comes: the TMF must wait for it, not answer at once.
SLOW = 2.0


def slow_lun(args):
    if args.slow_lun is None:
        raise Fail("needs --slow-lun")
    return args.slow_lun


def running_read(c, lun):
    """A READ that is in the slow backstore when this returns: its ITT.
    The LUN's unit attentions are taken first, so that the READ is not
    answered at once with one."""
    c.clear_ua(lun)
    itt = c.itt()
    c.send(c.scsi_hdr(H.cdb_read10(LBA, 8), 8 * BLOCK, read=True, itt=itt,
                      lun=lun))
    time.sleep(SLOW / 4)
    return itt


def tmf_after_running(c, function, itt, lun):
    """Send a TMF while task @itt runs: (response, seconds, the PDUs
    about @itt that came before the TMF response)."""
    seen = []
    t0 = time.monotonic()
    got = c.tmf(function, ref_itt=itt if function == H.TMF_ABORT_TASK
                else H.RSVD, lun=lun, timeout=30.0, seen=seen)
    took = time.monotonic() - t0
    if took < SLOW / 2:
        raise Fail("answered in %.1f s, before the running READ ended" %
                   took)
    return got, took, [p for p in seen if p.itt == itt]


@case("abort-running-read", "ABORT TASK of a READ the backstore is carrying out (a slow LUN): FUNCTION COMPLETE once the READ has ended, never before; the READ is not answered; the session goes on")
def c_abort_running_read(args):
    lun = slow_lun(args)
    c = session(args, "a")
    itt = running_read(c, lun)
    got, took, about = tmf_after_running(c, H.TMF_ABORT_TASK, itt, lun)
    check_tmf(got, RSP_COMPLETE, "ABORT TASK")
    if about:
        raise Fail("the aborted READ was answered: %s" % about[0])
    expect_unanswered(c, itt)
    P.read_back(c, LBA, 8, lun=lun)
    logout(c)
    return "FUNCTION COMPLETE after %.1f s; the READ unanswered" % took


@case("lun-reset-running-read", "LUN RESET from one session while another session's READ is in the slow backstore: answered once the READ has ended; the READ is answered TASK ABORTED (TAS=1) and the victim then sees 6/29/03")
def c_lun_reset_running_read(args):
    lun = slow_lun(args)
    victim, c = sessions(args, "victim", "resetter")
    itt = running_read(victim, lun)
    got, took, _ = tmf_after_running(c, H.TMF_LUN_RESET, itt, lun)
    check_tmf(got, RSP_COMPLETE, "LUN RESET")
    rsp = answer_of(victim, itt)
    if rsp.hdr[3] != SAM_TASK_ABORTED:
        raise Fail("the victim's READ: %s, expected TASK ABORTED" % rsp)
    expect_status(victim, 2, (6, 0x29, 0x03), "the victim's next command",
                  lun=lun)
    P.read_back(victim, LBA, 8, lun=lun)
    logout(c, victim)
    return "FUNCTION COMPLETE after %.1f s; TASK ABORTED; 6/29/03" % took


# ------------------------------------------------------ task attributes
# SAM-5 8.6, one task set per logical unit (TST 000): an ORDERED task
# starts once every older task of the LU is done, tasks after it wait
# for it, HEAD OF QUEUE starts at once.  The older task is a WRITE
# waiting for its Data-Out.
ATTR_SIMPLE, ATTR_ORDERED, ATTR_HOQ, ATTR_ACA = 1, 2, 3, 4
QUIET = 2.0		# seconds a blocked task must stay unanswered


def pending_write_entered(c, lba, blocks):
    """pending_write(), and then a ping: the R2T leaves before the write
    takes its place in the task set (in CmdSN order, on the same receive
    thread), the NOP-In after.  For another session's tasks to be newer."""
    got = pending_write(c, lba, blocks)
    c.ping()
    return got


def send_cmd(c, cdb, edtl=0, attr=ATTR_SIMPLE, read=False):
    """Send a command without Data-Out; its ITT."""
    itt = c.itt()
    c.send(c.scsi_hdr(cdb, edtl, read=read, itt=itt, attr=attr))
    return itt


def expect_quiet(c, itts, timeout=QUIET):
    """No PDU about any of @itts comes for @timeout seconds (others are
    a failure too: nothing else is outstanding)."""
    kind, p = react(c, timeout)
    if kind == "pdu":
        raise Fail("expected %s to wait, got %s" %
                   (", ".join("%#x" % i for i in itts), p))
    if kind == "close":
        raise Fail("connection closed: %s" % p)


def answers(c, itts, timeout=10.0):
    """{itt: (status, Data-In bytes)} once each of @itts is answered."""
    want = set(itts)
    data = {i: bytearray() for i in want}
    done = {}
    while len(done) < len(want):
        p, _ = c.wait_for(lambda p: p.itt in want and p.itt not in done,
                          timeout, "answers to %s" %
                          ", ".join("%#x" % i for i in want - set(done)))
        if p.op == H.OP_DATA_IN:
            data[p.itt] += p.data
            if p.flags & 0x01:
                done[p.itt] = (p.hdr[3], bytes(data[p.itt]))
        elif p.op == OP_SCSI_RSP:
            done[p.itt] = (p.hdr[3], bytes(data[p.itt]))
        else:
            raise Fail("unexpected %s" % p)
    return done


def expect_answer(got, itt, status, what, data=None):
    st, d = got[itt]
    if st != status:
        raise Fail("%s: status %#x, expected %#x" % (what, st, status))
    if data is not None and d != data:
        raise Fail("%s: not the data written before it" % what)


@case("ordered-waits", "an ORDERED READ waits for an older WRITE waiting for its Data-Out, a SIMPLE command after it waits for it; once the data is in, the READ returns the new data and both are answered GOOD")
def c_ordered_waits(args):
    c = session(args, "o")
    P.fill(c, LBA, 16, 0x21)
    data = os.urandom(16 * BLOCK)
    witt, ttt = pending_write(c, LBA, 16)
    oitt = send_cmd(c, H.cdb_read10(LBA, 16), 16 * BLOCK, ATTR_ORDERED,
                    read=True)
    sitt = send_cmd(c, H.TUR)
    expect_quiet(c, (oitt, sitt))
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=oitt), RSP_SUCCEEDED,
              "QUERY TASK of the waiting ORDERED READ")
    finish_write(c, witt, ttt, data)
    got = answers(c, (witt, oitt, sitt))
    expect_answer(got, witt, 0, "the older WRITE")
    expect_answer(got, oitt, 0, "the ORDERED READ", data)
    expect_answer(got, sitt, 0, "the SIMPLE TEST UNIT READY after it")
    c.logout()
    return "READ and TUR silent %.0f s, then GOOD; the READ saw the WRITE" \
        % QUIET


@case("ordered-other-nexus", "one task set for every I_T nexus (TST 000): an ORDERED command of one session waits for another session's WRITE waiting for Data-Out, and a SIMPLE one of a third session waits for the ORDERED one")
def c_ordered_other_nexus(args):
    w, o, s = sessions(args, "w", "o", "s")
    data = os.urandom(16 * BLOCK)
    witt, ttt = pending_write_entered(w, LBA, 16)
    oitt = send_cmd(o, H.cdb_read10(LBA, 16), 16 * BLOCK, ATTR_ORDERED,
                    read=True)
    sitt = send_cmd(s, H.TUR)
    expect_quiet(o, (oitt,))
    expect_quiet(s, (sitt,), 0.5)
    finish_write(w, witt, ttt, data)
    expect_good(answer_of(w, witt), "the WRITE")
    expect_answer(answers(o, (oitt,)), oitt, 0, "the ORDERED READ", data)
    expect_answer(answers(s, (sitt,)), sitt, 0, "the third session's TUR")
    logout(w, o, s)
    return "ORDERED and SIMPLE of other nexuses waited for the WRITE"


@case("head-of-queue", "a HEAD OF QUEUE READ passes a waiting ORDERED command and the WRITE it waits for: answered at once; the ORDERED one waits until the WRITE is answered")
def c_head_of_queue(args):
    c = session(args, "h")
    old = P.fill(c, LBA, 16, 0x42)
    data = os.urandom(16 * BLOCK)
    witt, ttt = pending_write(c, LBA, 16)
    oitt = send_cmd(c, H.TUR, attr=ATTR_ORDERED)
    t0 = time.monotonic()
    hitt = send_cmd(c, H.cdb_read10(LBA, 16), 16 * BLOCK, ATTR_HOQ,
                    read=True)
    expect_answer(answers(c, (hitt,), timeout=QUIET), hitt, 0,
                  "the HEAD OF QUEUE READ", old)
    took = time.monotonic() - t0
    expect_quiet(c, (oitt,))
    finish_write(c, witt, ttt, data)
    got = answers(c, (witt, oitt))
    expect_answer(got, witt, 0, "the WRITE")
    expect_answer(got, oitt, 0, "the ORDERED TEST UNIT READY")
    c.logout()
    return "HEAD OF QUEUE GOOD in %.2f s with the old data; ORDERED after" \
        % took


def ordered_blocked(c):
    """A WRITE waiting for Data-Out (filled with 0x5c first), an ORDERED
    READ behind it: (old data, write itt, its ttt, ORDERED itt)."""
    old = P.fill(c, LBA, 16, 0x5c)
    witt, ttt = pending_write(c, LBA, 16)
    oitt = send_cmd(c, H.cdb_read10(LBA, 16), 16 * BLOCK, ATTR_ORDERED,
                    read=True)
    expect_quiet(c, (oitt,), 1.0)
    return old, witt, ttt, oitt


@case("ordered-abort-task", "ABORT TASK of an ORDERED READ waiting behind a WRITE: FUNCTION COMPLETE at once, the READ is never answered, a SIMPLE command sent after it no longer waits, the WRITE completes")
def c_ordered_abort_task(args):
    c = session(args, "a")
    _, witt, ttt, oitt = ordered_blocked(c)
    t0 = time.monotonic()
    check_tmf(c.tmf(H.TMF_ABORT_TASK, ref_itt=oitt), RSP_COMPLETE,
              "ABORT TASK of the waiting ORDERED READ")
    took = time.monotonic() - t0
    if took > 2:
        raise Fail("ABORT TASK took %.1f s" % took)
    check_tmf(c.tmf(TMF_QUERY_TASK, ref_itt=oitt), RSP_COMPLETE,
              "QUERY TASK of the aborted READ")
    sitt = send_cmd(c, H.TUR)
    expect_answer(answers(c, (sitt,), timeout=QUIET), sitt, 0,
                  "a SIMPLE TUR after the abort")
    data = os.urandom(16 * BLOCK)
    finish_write(c, witt, ttt, data)
    expect_good(answer_of(c, witt), "the WRITE")
    expect_unanswered(c, oitt, 1.0)
    expect_data(c, LBA, data, "the WRITE did not land")
    c.logout()
    return "complete in %.2f s; READ unanswered; TUR and WRITE GOOD" % took


@case("ordered-lun-reset", "LUN RESET from another session while an ORDERED READ waits behind a WRITE waiting for Data-Out: answered at once; both are answered TASK ABORTED (TAS=1), the WRITE never lands, then 6/29/03")
def c_ordered_lun_reset(args):
    old = set_tas(args, 1)
    try:
        victim, c = sessions(args, "victim", "resetter")
        before, witt, ttt, oitt = ordered_blocked(victim)
        t0 = time.monotonic()
        check_tmf(c.tmf(H.TMF_LUN_RESET, timeout=20.0), RSP_COMPLETE,
                  "LUN RESET")
        took = time.monotonic() - t0
        if took > 5:
            raise Fail("LUN RESET took %.1f s" % took)
        expect_answer(answers(victim, (oitt,)), oitt, SAM_TASK_ABORTED,
                      "the waiting ORDERED READ")
        finish_write(victim, witt, ttt, os.urandom(16 * BLOCK))
        expect_answer(answers(victim, (witt,)), witt, SAM_TASK_ABORTED,
                      "the WRITE")
        expect_status(victim, 2, (6, 0x29, 0x03), "the victim's next command")
        expect_data(victim, LBA, before, "the aborted WRITE changed the LUN")
        expect_status(c, 2, (6, 0x29, 0x03), "the resetter's next command")
        logout(c, victim)
    finally:
        set_tas(args, old)
    return "reset in %.2f s; both TASK ABORTED; 6/29/03" % took


@case("ordered-logout", "Logout of a session whose ORDERED command waits behind another session's WRITE waiting for Data-Out: answered at once (its waiting task is aborted), the WRITE then completes GOOD")
def c_ordered_logout(args):
    w, o = sessions(args, "w", "o")
    witt, ttt = pending_write_entered(w, LBA, 16)
    oitt = send_cmd(o, H.TUR, attr=ATTR_ORDERED)
    expect_quiet(o, (oitt,), 1.0)
    t0 = time.monotonic()
    o.logout()
    took = time.monotonic() - t0
    if took > 5:
        raise Fail("the Logout took %.1f s" % took)
    data = os.urandom(16 * BLOCK)
    finish_write(w, witt, ttt, data)
    expect_good(answer_of(w, witt), "the WRITE")
    expect_data(w, LBA, data, "the WRITE did not land")
    expect_status(w, 0, what="the writer, after")
    w.logout()
    return "Logout in %.2f s; the WRITE GOOD" % took


# ---------------------------------------------------------------- ACA
# SAM-5 5.9 (NormACA 1, QErr 00, TST 000): a command with NACA 1 that
# ends in CHECK CONDITION makes an ACA condition for its I_T nexus.
# Meanwhile only that nexus's ACA tasks get in, one at a time; every
# other new command is answered ACA ACTIVE; tasks in the task set that
# had not started wait.  CLEAR ACA from the faulted nexus, a LUN reset or
# the loss of the nexus end it.
TMF_CLEAR_ACA = 3
RSP_REJECTED = 255
SAM_ACA_ACTIVE = 0x30
# READ(10) of one block far beyond the 32 MiB LUN, NACA 1 (control 04h)
NACA_READ = bytes([0x28, 0, 0xff, 0xff, 0xff, 0xf0, 0, 0, 1, 0x04])


def aca_fault(c):
    """Make an ACA condition for @c's nexus: CHECK CONDITION 5/21/00."""
    rsp, _ = c.scsi(NACA_READ, BLOCK, read=True)
    P.expect_sense(rsp, (5, 0x21, 0x00), "READ beyond capacity, NACA 1")


def aca_write(c, lba, blocks):
    """A WRITE with the ACA attribute waiting for its Data-Out."""
    itt = c.itt()
    c.send(c.scsi_hdr(H.cdb_write10(lba, blocks), blocks * BLOCK,
                      write=True, itt=itt, attr=ATTR_ACA))
    r2t, _ = c.wait_for(lambda p: p.op == H.OP_R2T and p.itt == itt, 5.0,
                        "R2T for the ACA WRITE")
    return itt, r2t.f20


@case("aca-condition", "NACA 1 and CHECK CONDITION make an ACA condition: the faulted nexus's SIMPLE command and another nexus's are answered ACA ACTIVE, its ACA task runs; CLEAR ACA from the other nexus is FUNCTION REJECTED, from the faulted one FUNCTION COMPLETE, and then both nexuses run again")
def c_aca_condition(args):
    f, o = sessions(args, "faulted", "other")
    aca_fault(f)
    expect_status(f, SAM_ACA_ACTIVE, what="the faulted nexus's SIMPLE TUR")
    expect_status(o, SAM_ACA_ACTIVE, what="another nexus's TUR")
    expect_status(f, 0, what="the faulted nexus's ACA TUR", attr=ATTR_ACA)
    check_tmf(o.tmf(TMF_CLEAR_ACA), RSP_REJECTED,
              "CLEAR ACA from the other nexus")
    expect_status(o, SAM_ACA_ACTIVE, what="another nexus's TUR, still")
    check_tmf(f.tmf(TMF_CLEAR_ACA), RSP_COMPLETE,
              "CLEAR ACA from the faulted nexus")
    expect_status(f, 0, what="the faulted nexus after CLEAR ACA")
    expect_status(o, 0, what="the other nexus after CLEAR ACA")
    check_tmf(f.tmf(TMF_CLEAR_ACA), RSP_COMPLETE,
              "CLEAR ACA without a condition")
    expect_status(f, 2, (5, 0x49, 0x00), "an ACA TUR without a condition",
                  attr=ATTR_ACA)
    logout(f, o)
    return "ACA ACTIVE x2, ACA task GOOD, REJECTED, COMPLETE, GOOD x2"


@case("aca-one-task", "during an ACA condition a second ACA task while one waits for its Data-Out is answered ACA ACTIVE; the first one completes GOOD and its data lands")
def c_aca_one_task(args):
    f = session(args, "f")
    aca_fault(f)
    data = os.urandom(16 * BLOCK)
    itt, ttt = aca_write(f, LBA, 16)
    expect_status(f, SAM_ACA_ACTIVE, what="a second ACA task",
                  attr=ATTR_ACA)
    finish_write(f, itt, ttt, data)
    expect_good(answer_of(f, itt), "the ACA WRITE")
    check_tmf(f.tmf(TMF_CLEAR_ACA), RSP_COMPLETE, "CLEAR ACA")
    expect_data(f, LBA, data, "the ACA WRITE did not land")
    f.logout()
    return "second ACA task ACA ACTIVE; the first GOOD, data landed"


@case("aca-blocks-waiting", "a WRITE of another nexus that entered the task set before the ACA condition and gets its Data-Out during it waits (QUERY TASK: there) until CLEAR ACA, then completes GOOD and its data lands")
def c_aca_blocks_waiting(args):
    o, f = sessions(args, "older", "faulted")
    data = os.urandom(16 * BLOCK)
    witt, ttt = pending_write_entered(o, LBA, 16)
    aca_fault(f)
    finish_write(o, witt, ttt, data)
    expect_quiet(o, (witt,))
    check_tmf(o.tmf(TMF_QUERY_TASK, ref_itt=witt), RSP_SUCCEEDED,
              "QUERY TASK of the blocked WRITE")
    check_tmf(f.tmf(TMF_CLEAR_ACA), RSP_COMPLETE, "CLEAR ACA")
    expect_good(answer_of(o, witt), "the blocked WRITE")
    expect_data(o, LBA, data, "the blocked WRITE did not land")
    logout(o, f)
    return "WRITE silent %.0f s during ACA, GOOD after CLEAR ACA" % QUIET


@case("aca-clear-aborts", "CLEAR ACA aborts the faulted nexus's ACA task (a WRITE waiting for its Data-Out): never answered, its data never lands")
def c_aca_clear_aborts(args):
    f = session(args, "f")
    before = P.fill(f, LBA, 16, 0x3a)
    aca_fault(f)
    itt, ttt = aca_write(f, LBA, 16)
    check_tmf(f.tmf(TMF_CLEAR_ACA), RSP_COMPLETE, "CLEAR ACA")
    finish_write(f, itt, ttt, os.urandom(16 * BLOCK))
    expect_unanswered(f, itt, 2.0)
    expect_data(f, LBA, before, "the aborted ACA WRITE changed the LUN")
    f.logout()
    return "ACA WRITE unanswered, data unchanged"


@case("aca-lun-reset", "a LUN RESET from another nexus ends the ACA condition: both nexuses get 6/29/03, then GOOD")
def c_aca_lun_reset(args):
    f, o = sessions(args, "faulted", "resetter")
    aca_fault(f)
    check_tmf(o.tmf(H.TMF_LUN_RESET, timeout=20.0), RSP_COMPLETE,
              "LUN RESET")
    for c, who in ((f, "faulted"), (o, "resetter")):
        expect_status(c, 2, (6, 0x29, 0x03), "the %s nexus's TUR" % who)
        expect_status(c, 0, what="the %s nexus's next TUR" % who)
    logout(f, o)
    return "29/03 and GOOD on both nexuses"


@case("aca-nexus-loss", "the loss of the faulted nexus ends its ACA condition: I_T NEXUS RESET (it gets 29/07), then, after a new fault, its Logout; the other nexus runs again each time")
def c_aca_nexus_loss(args):
    f, o = sessions(args, "faulted", "other")
    aca_fault(f)
    check_tmf(f.tmf(TMF_IT_NEXUS_RESET), RSP_COMPLETE, "I_T NEXUS RESET")
    expect_status(o, 0, what="the other nexus after I_T NEXUS RESET")
    expect_status(f, 2, (6, 0x29, 0x07), "the reset nexus's TUR")
    aca_fault(f)
    expect_status(o, SAM_ACA_ACTIVE, what="the other nexus, new fault")
    f.logout()
    expect_status(o, 0, what="the other nexus after the Logout")
    o.logout()
    return "GOOD after I_T NEXUS RESET and after Logout"


@case("aca-attribute", "a command with the ACA task attribute without an ACA condition is refused: CHECK CONDITION, ILLEGAL REQUEST, INVALID MESSAGE ERROR (49/00)")
def c_aca_attribute(args):
    c = session(args, "aca")
    expect_status(c, 2, (5, 0x49, 0x00), "TEST UNIT READY with ACA",
                  attr=ATTR_ACA)
    expect_status(c, 0, what="the next, SIMPLE, command")
    c.logout()
    return "5/49/00, then GOOD"


# ------------------------------------- TMF support, async events, page
TMF_QUERY_ASYNC_EVENT = 12


def rstmf(c, repd, alloc=16):
    """REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: (response, data)."""
    cdb = struct.pack(">BBBxxxIxx", 0xa3, 0x0d, 0x80 if repd else 0, alloc)
    return c.scsi(cdb, alloc, read=True)


@case("rstmf", "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: ATS ATSS CACAS CTSS LURS QTS, QAES QTSS ITNRS (not the obsolete TARGET RESET); 4 bytes, or 16 with REPD; allocation length 3 is refused 5/24/00")
def c_rstmf(args):
    c = session(args, "r")
    rsp, data = rstmf(c, False)
    expect_good(rsp, "RSTMF")
    if data != bytes([0xfc, 0x07, 0, 0]):
        raise Fail("RSTMF data %s, expected fc 07 00 00" % data.hex())
    rsp, data = rstmf(c, True)
    expect_good(rsp, "RSTMF with REPD")
    if data != bytes([0xfc, 0x07, 0, 0x0c]) + bytes(12):
        raise Fail("RSTMF (REPD) data %s" % data.hex())
    rsp, _ = rstmf(c, False, alloc=3)
    P.expect_sense(rsp, (5, 0x24, 0x00), "RSTMF with allocation length 3")
    c.logout()
    return "dc 07 00 00; with REPD 16 bytes, additional length 0c; 5/24/00"


def qae(c, lun=0):
    """QUERY ASYNC EVENT: (response code, additional response
    information: bytes 36-38 of the TMF response)."""
    itt = c.itt()
    c.send(H.bhs(H.OP_TMF, 0x80 | TMF_QUERY_ASYNC_EVENT, lun=lun, itt=itt,
                 f20=H.RSVD, f24=c.cmdsn, f28=c.exp_statsn,
                 tail=struct.pack(">II", c.cmdsn, 0), immediate=True))
    p, _ = c.wait_for(lambda p: p.op == H.OP_TMF_RSP and p.itt == itt, 10.0,
                      "TMF response")
    return p.hdr[2], bytes(p.hdr[36:39])


@case("query-async-event", "QUERY ASYNC EVENT: FUNCTION COMPLETE with nothing pending; FUNCTION SUCCEEDED with the highest priority unit attention (29/03, UADE DEPTH one or more) in the additional response information, which stays pending; INCORRECT LUN for a LUN the session lacks")
def c_query_async_event(args):
    a, b = sessions(args, "issuer", "b")
    got = qae(b)
    if got != (RSP_COMPLETE, bytes(3)):
        raise Fail("QAE with nothing pending: %s" % (got,))
    check_tmf(a.tmf(H.TMF_LUN_RESET), RSP_COMPLETE, "LUN RESET")
    expect_status(a, 2, (6, 0x29, 0x03), "the issuer, of its reset")
    got = qae(b)
    if got != (RSP_SUCCEEDED, bytes([0x16, 0x29, 0x03])):
        raise Fail("QAE after a LUN RESET: %d %s, expected 7 16 29 03" %
                   (got[0], got[1].hex()))
    expect_status(b, 2, (6, 0x29, 0x03), "b's command after the query")
    if qae(b)[0] != RSP_COMPLETE:
        raise Fail("QAE once the unit attention was reported")
    toggle_wce(a)
    check_tmf(a.tmf(H.TMF_LUN_RESET), RSP_COMPLETE, "LUN RESET")
    got = qae(b)
    if got != (RSP_SUCCEEDED, bytes([0x26, 0x29, 0x03])):
        raise Fail("QAE with two pending: %d %s, expected 7 26 29 03" %
                   (got[0], got[1].hex()))
    expect_status(b, 2, (6, 0x29, 0x03), "b, first")
    got = qae(b)
    if got != (RSP_SUCCEEDED, bytes([0x16, 0x2a, 0x01])):
        raise Fail("QAE with the mode change left: %d %s" %
                   (got[0], got[1].hex()))
    expect_status(b, 2, (6, 0x2a, 0x01), "b, then")
    if qae(b, lun=7)[0] != RSP_NO_LUN:
        raise Fail("QAE of LUN 7 was not INCORRECT LUN")
    a.clear_ua()
    logout(a, b)
    return "complete; 7 16/29/03 kept pending; 7 26/29/03 with two"


def control_page(c, pc=0):
    """The control mode page (MODE SENSE(6), DBD) for page control @pc."""
    rsp, data = c.scsi(struct.pack(">BBBBBB", 0x1a, 0x08, 0x0a | pc << 6,
                                   0, 64, 0), 64, read=True)
    if rsp.hdr[3] != 0 or len(data) < 4 + 12 or data[4] & 0x3f != 0x0a:
        raise Fail("MODE SENSE of the control page (pc %d): %s" % (pc, rsp))
    return data[4:16]


@case("control-page", "control mode page: TST 000, QAM 1 (unrestricted), QERR 00, UA_INTLCK_CTRL 00, TAS; D_SENSE, UA_INTLCK_CTRL and TAS changeable, nothing else; MODE SELECT of QAM 0 or QERR 01 is refused 5/26/00 with the field pointer on byte 3")
def c_control_page(args):
    c = session(args, "cp")
    cur, chg = control_page(c), control_page(c, 1)
    if cur[2] & 0xe0 or cur[3] != 0x10 or cur[4] & 0x30:
        raise Fail("control page %s: TST, QAM/QERR or UA_INTLCK_CTRL" %
                   cur.hex())
    if chg[2:6] != bytes([0x04, 0, 0x30, 0x40]) or any(chg[6:]):
        raise Fail("changeable control page %s: D_SENSE, UA_INTLCK_CTRL, "
                   "TAS only" % chg.hex())
    for byte3, what in ((0x00, "QAM 0"), (0x12, "QERR 01b")):
        page = bytearray(cur)
        page[3] = byte3
        param = bytes(4) + bytes(page)
        cdb = struct.pack(">BBBBBB", 0x15, 0x10, 0, 0, len(param), 0)
        rsp = answer_of(c, P.send_write(c, cdb, len(param), imm=param))
        P.expect_sense(rsp, (5, 0x26, 0x00), "MODE SELECT of " + what)
        sd = rsp.data[2:]
        if sd[15] & 0xc0 != 0x80 or struct.unpack_from(">H", sd, 16)[0] != 7:
            raise Fail("MODE SELECT of %s: field pointer %s, expected "
                       "SKSV, C/D 0, byte 7" % (what, sd[15:18].hex()))
    c.logout()
    return "QAM 1, TST 0, QERR 0; QAM 0 and QERR 01 refused at byte 7"


# --------------------------------------------------------- LUN unlink
# --tpg, --spare-lun: a LUN of the TPG the case may unlink (and links
# again).  Commands waiting for the initiator must not hold the unlink.
UNLINK_MAX = 10.0


def spare_link(args):
    """(path, target) of the spare LUN's storage object symlink."""
    if not args.tpg or args.spare_lun is None:
        raise Fail("needs --tpg and --spare-lun")
    d = os.path.join(args.tpg, "lun", "lun_%d" % args.spare_lun)
    for name in os.listdir(d):
        p = os.path.join(d, name)
        if os.path.islink(p):
            return p, os.path.normpath(os.path.join(d, os.readlink(p)))
    raise Fail("%s has no storage object" % d)


def timed_unlink(path):
    """Unlink @path in a thread: its duration, or Fail after UNLINK_MAX."""
    box = []

    def go():
        t0 = time.monotonic()
        os.unlink(path)
        box.append(time.monotonic() - t0)
    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(UNLINK_MAX)
    if not box:
        raise Fail("the unlink of %s blocked for %.0f s" % (path, UNLINK_MAX))
    return box[0]


@case("unlink-lun-waiting", "the admin unlinks a LUN while a WRITE on it waits for its Data-Out and a READ waits for the CmdSN before it: the unlink returns at once, both are answered TASK ABORTED, the LUN is then gone (5/25/00)")
def c_unlink_lun_waiting(args):
    path, target = spare_link(args)
    lun = args.spare_lun
    c = session(args, "a")
    c.clear_ua(lun)
    witt, r2t = H.write_r2t(c, 8, 0, lun)
    gap = c.cmdsn		# left out: the READ after it waits
    ritt = c.itt()
    c.send(c.scsi_hdr(H.cdb_read10(0, 8), 8 * BLOCK, read=True, itt=ritt,
                      cmdsn=gap + 1, lun=lun))
    time.sleep(0.5)
    try:
        took = timed_unlink(path)
    finally:
        # the gap filled, the data sent: what the target holds can go
        c.send(c.scsi_hdr(H.TUR, 0, itt=c.itt(), cmdsn=gap))
        c.cmdsn = gap + 2
        c.data_out(witt, r2t.f20, 0, bytes(8 * BLOCK))
    for itt, what in ((ritt, "READ"), (witt, "WRITE")):
        rsp = answer_of(c, itt)
        if rsp.hdr[3] != SAM_TASK_ABORTED:
            raise Fail("the waiting %s: %s, expected TASK ABORTED" %
                       (what, rsp))
    expect_status(c, 2, (5, 0x25, 0x00), "the unlinked LUN",
                  lun=lun)
    os.symlink(target, path)
    logout(c)
    return "unlinked in %.1f s; both TASK ABORTED; then 5/25/00" % took



def main():
    ap = H.case_parser(__doc__, DEF_TARGET)
    ap.add_argument("--dev", default=None,
                    help="configfs folder of the device behind LUN 0")
    ap.add_argument("--tpg", default=None, help="configfs folder of the TPG")
    ap.add_argument("--spare-lun", type=int, default=None,
                    help="a LUN of --tpg that a case may unlink")
    ap.add_argument("--slow-lun", type=int, default=None,
                    help="a LUN whose device delays each I/O by %.0f s" % SLOW)
    return H.case_main(ap, CASES, DEF_INITIATOR)


if __name__ == "__main__":
    sys.exit(main())
