#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""cmdpath.py - the command path of ktarget's iSCSI fabric.

Uses hostile.py's PDU builder, connection class and case runner to check
what the core decides about a SCSI command as it arrives: a write that
will be refused (no LUN, write protected, out of range, bad CDB, direction
bits against the CDB, EDTL short of the CDB) is answered with the right
sense before any Data-Out is asked for, and what the initiator sends
unasked is read and dropped; the session's bounds (CmdSN window, bytes
buffered for writes, Data-Out timeout); ABORT TASK with RefCmdSN; LUN
references of commands whose answers are never read.

    cmdpath.py [-H host] [-p port] [-t target-iqn] [--ro-target iqn] CASE
    cmdpath.py --list

Exit status 0 when the target behaved, 1 otherwise.  Python 3 standard
library only.
"""

import argparse
import os
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
from hostile import (Fail, bhs, keys_bytes, cdb_read10,  # noqa: E402
                     cdb_write10, react, RSVD, BLOCK, OP_SCSI_RSP, OP_R2T,
                     log)

DEF_TARGET = "iqn.2003-01.org.ktarget:cmdpath"
DEF_RO_TARGET = "iqn.2003-01.org.ktarget:cmdpath-ro"
DEF_INITIATOR = "iqn.2004-10.org.ktarget:cmdpath"
LBA = 100000		# far from anything else on the LUN
LUN_BLOCKS = 128 * 1048576 // BLOCK	# the rd LUN of 83-iscsi-cmdpath.sh

CASES, case = H.case_registry()

# sense keys
SK_ILLEGAL = 0x5
SK_DATA_PROTECT = 0x7


def session(args, target=None, initial_r2t=True, extra=(), name=None,
            isid=None):
    """A logged-in session (unit attentions consumed); @extra: more
    operational keys, e.g. for InitialR2T=No; @isid: 6 bytes, else a
    new one."""
    a = argparse.Namespace(**vars(args))
    if target:
        a.target = target
    c = H.Conn(a, initiator="%s-%s" % (DEF_INITIATOR, name or args.case),
               isid=isid)
    first, oper = c.base_keys()
    want = dict(oper)
    want["InitialR2T"] = "Yes" if initial_r2t else "No"
    want.update(dict(extra))
    p = c.login_stage(1, 3, keys_bytes(first + list(want.items())), "login")
    c.cmdsn = p.exp_cmdsn
    c.mrdsl = int(c.keys.get("MaxRecvDataSegmentLength", "8192"))
    if not initial_r2t and c.keys.get("InitialR2T") != "No":
        raise Fail("target answered InitialR2T=%s" % c.keys.get("InitialR2T"))
    c.clear_ua()
    return c


def cdb_write16(lba, blocks, b1=0):
    return struct.pack(">BBQIBB", 0x8a, b1, lba, blocks, 0, 0)


def send_write(c, cdb, edtl, imm=b"", lun=0, read=False, write=True):
    """A SCSI Command with the W bit (and immediate data); its ITT."""
    itt = c.itt()
    c.send(c.scsi_hdr(cdb, edtl, write=write, read=read, dlen=len(imm),
                      itt=itt, lun=lun), imm)
    return itt


def first_answer(c, itt, timeout=10.0):
    """The first PDU the target sends about @itt."""
    p, _ = c.wait_for(lambda p: p.itt == itt, timeout, "answer for the ITT")
    return p


def expect_sense(p, sense, what):
    if p.op != OP_SCSI_RSP or p.hdr[3] != 0x02:
        raise Fail("%s: expected CHECK CONDITION, got %s" % (what, p))
    got = p.sense()
    if got is None or got[:len(sense)] != sense:
        raise Fail("%s: sense %s, expected %s" %
                   (what, got and "%x/%02x/%02x" % got,
                    "/".join("%02x" % x for x in sense)))
    return p


def expect_refused(c, itt, sense, what):
    """@itt's first answer is a CHECK CONDITION with @sense, no R2T."""
    p = first_answer(c, itt)
    if p.op == OP_R2T:
        raise Fail("%s: the target asks for Data-Out (%s) of a command it "
                   "will refuse" % (what, p))
    return expect_sense(p, sense, what)


def refused(args, cdb, edtl, sense, what, expect=expect_refused, **kw):
    """A command (send_write() with @kw) refused with @sense as @expect
    checks it; the connection still answers a ping."""
    c = session(args)
    itt = send_write(c, cdb, edtl, **kw)
    expect(c, itt, sense, what)
    c.ping()
    c.logout()


def refused_ro(args, blocks, send, what, initial_r2t=True):
    """On --ro-target: the WRITE @send(c) sends (its ITT) is refused with
    DATA PROTECT before any R2T, the connection still answers a ping and
    the @blocks at LBA read back unchanged.  The logged out session."""
    c = session(args, target=args.ro_target, initial_r2t=initial_r2t)
    before = read_back(c, LBA, blocks)
    expect_refused(c, send(c), (SK_DATA_PROTECT, 0x27), what)
    c.ping()
    if read_back(c, LBA, blocks) != before:
        raise Fail("the refused WRITE changed the LUN")
    c.logout()
    return c


def read_back(c, lba, blocks, lun=0):
    rsp, data = c.scsi(cdb_read10(lba, blocks), blocks * BLOCK, read=True,
                       lun=lun)
    if rsp.hdr[3] != 0 or len(data) != blocks * BLOCK:
        raise Fail("READ of %d blocks at %d: %s" % (blocks, lba, rsp))
    return data


def fill(c, lba, blocks, byte):
    """Known contents, so that a write that must not land shows."""
    data = bytes([byte]) * (blocks * BLOCK)
    rsp = c.write(lba, data)
    if rsp.hdr[3] != 0:
        raise Fail("filling %d blocks at %d: %s" % (blocks, lba, rsp))
    return data


# ------------------------------------------------ refused before Data-Out

@case("refuse-no-lun", "WRITE to a LUN the session does not have: LOGICAL UNIT NOT SUPPORTED, no R2T")
def c_refuse_no_lun(args):
    refused(args, cdb_write10(LBA, 64), 64 * BLOCK, (SK_ILLEGAL, 0x25, 0x00),
            "WRITE to LUN 7", lun=7)
    return "CHECK CONDITION 5/25/00 before any R2T"


@case("refuse-write-protect", "WRITE to a write-protected LUN: DATA PROTECT, no R2T, nothing written")
def c_refuse_write_protect(args):
    refused_ro(args, 16, lambda c: send_write(c, cdb_write10(LBA, 16),
                                              16 * BLOCK),
               "WRITE to a read-only LUN")
    return "CHECK CONDITION 7/27 before any R2T, LUN unchanged"


@case("refuse-range", "WRITE past the last block: LBA OUT OF RANGE, no R2T")
def c_refuse_range(args):
    refused(args, cdb_write16(LUN_BLOCKS - 8, 64), 64 * BLOCK,
            (SK_ILLEGAL, 0x21, 0x00), "WRITE past the end")
    return "CHECK CONDITION 5/21/00 before any R2T"


@case("refuse-bad-cdb", "WRITE(10) with WRPROTECT set (no protection information): INVALID FIELD IN CDB, no R2T")
def c_refuse_bad_cdb(args):
    cdb = struct.pack(">BBIBHB", 0x2a, 0x20, LBA, 0, 64, 0)
    refused(args, cdb, 64 * BLOCK, (SK_ILLEGAL, 0x24, 0x00),
            "WRITE with WRPROTECT")
    return "CHECK CONDITION 5/24/00 before any R2T"


@case("refuse-immediate", "a refused WRITE carrying immediate data: the data is dropped, the connection stays in step")
def c_refuse_immediate(args):
    imm = os.urandom(16 * BLOCK)
    refused_ro(args, 16, lambda c: send_write(c, cdb_write10(LBA, 64),
                                              64 * BLOCK, imm=imm),
               "WRITE with immediate data")
    return "CHECK CONDITION 7/27, no R2T, immediate data dropped"


@case("refuse-unsolicited", "InitialR2T=No: a refused WRITE's unsolicited Data-Out is read and dropped, no R2T")
def c_refuse_unsolicited(args):
    data = os.urandom(256 * BLOCK)

    def send(c):
        burst = int(c.keys.get("FirstBurstLength", "65536"))
        imm = data[:8192]
        itt = send_write(c, cdb_write10(LBA, 256), len(data), imm=imm)
        # the unsolicited part of the first burst follows at once
        c.data_out(itt, RSVD, len(imm), data[len(imm):burst])
        return itt
    c = refused_ro(args, 32, send, "WRITE with unsolicited data",
                   initial_r2t=False)
    return "CHECK CONDITION 7/27, no R2T, %s bytes of unsolicited data " \
        "dropped" % c.keys.get("FirstBurstLength", "65536")


def writes_read_back(c, write, base, sizes):
    """Writes of @sizes blocks, 4096 blocks apart from @base, by
    @write(c, lba, data) (its SCSI Response): each must read back; then
    logout.  How many."""
    for n, blocks in enumerate(sizes):
        data = os.urandom(blocks * BLOCK)
        lba = base + 4096 * n
        rsp = write(c, lba, data)
        if rsp.hdr[3] != 0:
            raise Fail("WRITE of %d blocks: %s" % (blocks, rsp))
        if read_back(c, lba, blocks) != data:
            raise Fail("WRITE of %d blocks reads back different" % blocks)
    c.logout()
    return len(sizes)


@case("write-paths", "writes whose data comes immediate and by R2T (InitialR2T=Yes) land and read back")
def c_write_paths(args):
    n = writes_read_back(session(args), lambda c, lba, d: c.write(lba, d),
                         LBA, (1, 16, 128, 200, 1024))
    return "%d writes read back" % n


def write_unsolicited(c, lba, data):
    """WRITE(10) with InitialR2T=No: immediate data, the rest of the first
    burst unsolicited, then R2Ts; returns the SCSI Response."""
    burst = int(c.keys.get("FirstBurstLength", "65536"))
    imm = data[:min(len(data), c.mrdsl, burst, 8192)]
    itt = send_write(c, cdb_write10(lba, len(data) // BLOCK), len(data),
                     imm=imm)
    if len(imm) < min(burst, len(data)):
        c.data_out(itt, RSVD, len(imm), data[len(imm):min(burst, len(data))])
    while True:
        p = first_answer(c, itt)
        if p.op == OP_SCSI_RSP:
            return p
        if p.op != OP_R2T:
            raise Fail("unexpected %s" % p)
        c.data_out(itt, p.f20, p.u32(40),
                   data[p.u32(40):p.u32(40) + p.u32(44)])


@case("write-unsolicited", "InitialR2T=No: immediate + unsolicited + R2T data land where they belong")
def c_write_unsolicited(args):
    n = writes_read_back(session(args, initial_r2t=False), write_unsolicited,
                         LBA + 8192, (8, 128, 300, 1000))
    return "%d writes with unsolicited data read back" % n


# ------------------------------------------------ direction bits

def expect_no_data(c, itt, sense, what):
    """@itt is answered with CHECK CONDITION @sense: no R2T, no Data-In."""
    p = first_answer(c, itt)
    if p.op != OP_SCSI_RSP:
        raise Fail("%s: expected CHECK CONDITION, got %s first" % (what, p))
    return expect_sense(p, sense, what)


@case("dir-read-bit-write-cdb", "WRITE(10) sent with R=1 W=0: INVALID FIELD IN CDB, no R2T, no Data-In, nothing written")
def c_dir_read_bit_write_cdb(args):
    c = session(args)
    lba = LBA + 40000
    before = fill(c, lba, 8, 0x5a)
    itt = send_write(c, cdb_write10(lba, 8), 8 * BLOCK, read=True,
                     write=False)
    expect_no_data(c, itt, (SK_ILLEGAL, 0x24, 0x00), "WRITE with R=1")
    if read_back(c, lba, 8) != before:
        raise Fail("the WRITE sent as a read changed the LUN")
    c.logout()
    return "CHECK CONDITION 5/24/00, LUN unchanged"


@case("dir-write-bit-read-cdb", "READ(10) sent with W=1 and immediate data: INVALID FIELD IN CDB, no Data-In")
def c_dir_write_bit_read_cdb(args):
    refused(args, cdb_read10(LBA, 8), 8 * BLOCK, (SK_ILLEGAL, 0x24, 0x00),
            "READ with W=1", expect=expect_no_data,
            imm=os.urandom(8 * BLOCK))
    return "CHECK CONDITION 5/24/00, no Data-In"


@case("dir-no-bits-read", "READ(10) with R=0 W=0 and EDTL 4096: INVALID FIELD IN CDB, no Data-In")
def c_dir_no_bits_read(args):
    refused(args, cdb_read10(LBA, 8), 8 * BLOCK, (SK_ILLEGAL, 0x24, 0x00),
            "READ with R=0 W=0", expect=expect_no_data, write=False)
    return "CHECK CONDITION 5/24/00, no Data-In"


# ------------------------------------------------ EDTL short of the CDB

def short_case(args, cdb_fn, what, lba):
    """A command whose CDB covers 16 blocks sent with EDTL of 8: refused
    as a whole (0E/03, residual overflow of 8 blocks), nothing written."""
    c = session(args)
    before = fill(c, lba, 16, 0xa5)
    data = bytes([0xa5]) * (8 * BLOCK)	# matches: a partial verify passes
    itt = c.itt()
    c.send(c.scsi_hdr(cdb_fn(lba, 16), 8 * BLOCK, write=True,
                      dlen=len(data), itt=itt), data)
    p = first_answer(c, itt)
    if p.op == OP_R2T:
        raise Fail("%s: R2T for a command that cannot complete: %s" %
                   (what, p))
    expect_sense(p, (SK_ILLEGAL, 0x0e, 0x03), what)
    if not p.flags & 0x04 or p.u32(44) != 8 * BLOCK:
        raise Fail("%s: residual overflow of %d bytes expected, got flags "
                   "0x%02x residual %d" % (what, 8 * BLOCK, p.flags,
                                           p.u32(44)))
    if read_back(c, lba, 16) != before:
        raise Fail("%s: the refused command changed the LUN" % what)
    c.logout()
    return "CHECK CONDITION 5/0e/03, residual overflow %d, LUN unchanged" % \
        (8 * BLOCK)


@case("short-write", "WRITE(10) of 16 blocks with EDTL of 8: refused whole, nothing written")
def c_short_write(args):
    return short_case(args, cdb_write10, "short WRITE", LBA + 41000)


def cdb_write_verify10(lba, blocks):
    return struct.pack(">BBIBHB", 0x2e, 0x02, lba, 0, blocks, 0)


def cdb_verify10(lba, blocks):
    return struct.pack(">BBIBHB", 0x2f, 0x02, lba, 0, blocks, 0)


@case("short-write-verify", "WRITE AND VERIFY(10) BYTCHK=1 of 16 blocks with EDTL of 8: refused whole")
def c_short_write_verify(args):
    return short_case(args, cdb_write_verify10, "short WRITE AND VERIFY",
                      LBA + 42000)


@case("short-verify", "VERIFY(10) BYTCHK=1 of 16 blocks with EDTL of 8 (the 8 sent match): refused, not GOOD")
def c_short_verify(args):
    c = session(args)
    lba = LBA + 43000
    fill(c, lba, 8, 0xa5)
    other = bytes([0x11]) * (8 * BLOCK)
    if c.write(lba + 8, other).hdr[3] != 0:
        raise Fail("filling the second half failed")
    itt = c.itt()
    c.send(c.scsi_hdr(cdb_verify10(lba, 16), 8 * BLOCK, write=True,
                      dlen=8 * BLOCK, itt=itt), bytes([0xa5]) * (8 * BLOCK))
    p = first_answer(c, itt)
    if p.op == OP_SCSI_RSP and p.hdr[3] == 0:
        raise Fail("VERIFY of 16 blocks checked only the 8 sent and "
                   "answered GOOD")
    expect_sense(p, (SK_ILLEGAL, 0x0e, 0x03), "short VERIFY")
    c.logout()
    return "CHECK CONDITION 5/0e/03, not GOOD"


# ------------------------------------------------ ABORT TASK and RefCmdSN

@case("abort-before-task", "MC/S: ABORT TASK (RefCmdSN) on one connection before its WRITE comes on the other: Function complete, the WRITE never runs")
def c_abort_before_task(args):
    import recovery as R
    a = argparse.Namespace(**vars(args))
    a.case = args.case
    s = R.Session(a, erl=0, max_conns=2,
                  initiator="%s-%s" % (DEF_INITIATOR, args.case))
    c1 = s.connect(1)
    c1.clear_ua()
    c2 = s.connect(2)
    lba = LBA + 44000
    before = fill(c1, lba, 8, 0x3c)
    itt = s.itt()
    sn = s.take_cmdsn()
    tmf_itt = s.itt()
    c2.send(bhs(H.OP_TMF, 0x80 | H.TMF_ABORT_TASK, lun=0, itt=tmf_itt,
                f20=itt, f24=s.cmdsn, f28=c2.exp_statsn,
                tail=struct.pack(">II", sn, 0), immediate=True))
    p, _ = c2.wait_for(lambda p: p.op == H.OP_TMF_RSP and p.itt == tmf_itt,
                       10.0, "TMF response")
    if p.hdr[2] != 0:
        raise Fail("ABORT TASK of CmdSN %d not received yet: response %d, "
                   "expected 0 (Function complete)" % (sn, p.hdr[2]))
    data = os.urandom(8 * BLOCK)
    c1.send(c1.scsi_hdr(cdb_write10(lba, 8), len(data), write=True,
                        dlen=len(data), itt=itt, cmdsn=sn), data)
    kind, p = react(c1, 3.0)
    if kind == "pdu":
        raise Fail("the aborted WRITE was answered: %s" % p)
    if kind == "close":
        raise Fail("connection closed: %s" % p)
    if read_back(c1, lba, 8) != before:
        raise Fail("the WRITE aborted before it came was executed")
    c1.logout()		# closes the session, c2 too
    return "Function complete; the WRITE that came later did not run"


# ------------------------------------------------ answers nobody reads

def stop_reading(args, name, lun=1, reads=48):
    """A session on @lun that sends @reads READs of 128 KiB and never
    reads its socket: the answers pile up in the target."""
    c = session(args, name=name)
    for _ in range(reads):
        c.send(c.scsi_hdr(cdb_read10(0, 256), 256 * BLOCK, read=True,
                          lun=lun))
    time.sleep(3)		# the target has run them all and is stuck sending
    return c


def timed(fn, limit):
    """Run fn() in a thread; its result, or Fail after @limit seconds."""
    out = {}

    def run():
        try:
            out["v"] = fn()
        except Exception as e:		# noqa: BLE001 - reported below
            out["e"] = e
    t = threading.Thread(target=run, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(limit)
    if t.is_alive():
        raise Fail("still waiting after %d s" % limit)
    if "e" in out:
        raise out["e"]
    return out.get("v"), time.monotonic() - t0


@case("unread-unlink", "an initiator stops reading its answers: the admin's LUN unlink still completes at once")
def c_unread_unlink(args):
    if not args.tpg:
        raise Fail("needs --tpg")
    lun_dir = os.path.join(args.tpg, "lun", "lun_1")
    links = [f for f in os.listdir(lun_dir)
             if os.path.islink(os.path.join(lun_dir, f))]
    if not links:
        raise Fail("%s has no device" % lun_dir)
    link = os.path.join(lun_dir, links[0])
    dev = os.path.realpath(link)
    c = stop_reading(args, args.case)
    # the unlink is uninterruptible: a child process, never waited for
    # when it hangs, so the test can end
    child = subprocess.Popen(["rm", link])
    t0 = time.monotonic()
    while child.poll() is None and time.monotonic() - t0 < 15:
        time.sleep(0.1)
    took = time.monotonic() - t0
    c.close()
    if child.returncode is None:
        raise Fail("LUN unlink still blocked after %.0f s by a session that "
                   "does not read its answers" % took)
    if child.returncode:
        raise Fail("rm %s failed: %d" % (link, child.returncode))
    time.sleep(1)
    os.symlink(dev, link)
    return "LUN unlinked in %.1f s while 48 answers were unread" % took


@case("unread-lun-reset", "an initiator stops reading its answers: another initiator's LUN RESET still completes")
def c_unread_lun_reset(args):
    c = stop_reading(args, args.case + "-stuck")
    v = session(args, name=args.case + "-victim")
    resp, took = timed(lambda: v.tmf(H.TMF_LUN_RESET, lun=1, timeout=30.0),
                       30)
    c.close()
    if resp != 0:
        raise Fail("LUN RESET answered %d, expected 0 (Function complete)" %
                   resp)
    if took > 10:
        raise Fail("LUN RESET took %.0f s" % took)
    v.logout()
    return "LUN RESET complete in %.1f s while 48 answers were unread" % took


# ------------------------------------------------ resource bounds

CORE_PARAM = "/sys/module/ktarget_core/parameters/"
ISCSI_PARAM = "/sys/module/ktarget_iscsi/parameters/"


def set_param(path, value):
    """Write a module parameter; returns the old value."""
    try:
        with open(path) as f:
            old = f.read().strip()
        with open(path, "w") as f:
            f.write(str(value))
    except OSError as e:
        raise Fail("cannot set %s: %s" % (path, e)) from e
    return old


def figures(when):
    """Print the memory figures a hostile initiator could move."""
    keep = ("MemFree", "Slab", "SUnreclaim")
    with open("/proc/meminfo") as f:
        mem = {l.split(":")[0]: l.split()[1] for l in f
               if l.split(":")[0] in keep}
    log("  %s: %s" % (when, ", ".join("%s %s kB" % (k, mem.get(k, "?"))
                                      for k in keep)))
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                name = line.split()[0]
                if name.startswith(("kti_", "kt_", "kmalloc-4k",
                                    "kmalloc-8k")):
                    v = line.split()
                    log("    slab %-16s active %s total %s size %s" %
                        (name, v[1], v[2], v[3]))
    except OSError:
        pass
    return int(mem.get("MemFree", 0))


class Victim:
    """A well-behaved session doing write/read-verify rounds in a thread."""

    def __init__(self, args, name):
        self.c = session(args, name=name)
        self.rounds = 0
        self.error = None
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        try:
            while not self.stop:
                lba = LBA + 60000 + (self.rounds % 32) * 64
                data = os.urandom(64 * BLOCK)
                rsp = self.c.write(lba, data)
                if rsp.hdr[3] != 0:
                    raise Fail("victim WRITE: %s" % rsp)
                if read_back(self.c, lba, 64) != data:
                    raise Fail("victim reads back different data")
                self.rounds += 1
        except Exception as e:		# noqa: BLE001 - reported by end()
            self.error = e

    def end(self):
        self.stop = True
        self.t.join(30)
        if self.error:
            raise Fail("the victim session failed: %s" % self.error)
        if self.rounds < 2:
            raise Fail("the victim session made %d rounds" % self.rounds)
        self.c.logout()
        return self.rounds


def hold_writes(c, n, blocks, lba):
    """@n WRITEs without data: ({itt: R2T}, [refusals])."""
    itts = []
    for i in range(n):
        itt = c.itt()
        c.send(c.scsi_hdr(cdb_write10(lba + i * blocks, blocks),
                          blocks * BLOCK, write=True, itt=itt))
        itts.append(itt)
    r2ts, refused = {}, []
    while len(r2ts) + len(refused) < n:
        p, _ = c.wait_for(lambda p: p.itt in itts, 15.0,
                          "R2T or response (%d of %d so far)" %
                          (len(r2ts) + len(refused), n))
        if p.op == OP_R2T and p.itt not in r2ts:
            r2ts[p.itt] = p
        elif p.op == OP_SCSI_RSP:
            refused.append(p)
    return r2ts, refused


@case("window-closes", "writes waiting for Data-Out keep their CmdSN slots: MaxCmdSN does not move until they are answered")
def c_window_closes(args):
    c = session(args)
    m0 = c.ping().max_cmdsn
    r2ts, refused = hold_writes(c, 4, 8, LBA + 50000)
    if refused:
        raise Fail("writes refused: %s" % refused[0])
    m1 = c.ping().max_cmdsn
    if m1 != m0:
        raise Fail("MaxCmdSN went from %d to %d while 4 writes wait for "
                   "their data (the window must not open)" % (m0, m1))
    for itt, r2t in r2ts.items():
        c.data_out(itt, r2t.f20, r2t.u32(40), os.urandom(r2t.u32(44)))
    for itt in r2ts:
        p = first_answer(c, itt)
        if p.op != OP_SCSI_RSP or p.hdr[3] != 0:
            raise Fail("WRITE after its data: %s" % p)
    m2 = c.ping().max_cmdsn
    if (m2 - m0) & RSVD != 4:
        raise Fail("MaxCmdSN %d after the 4 writes were answered, expected "
                   "%d" % (m2, (m0 + 4) & RSVD))
    c.logout()
    return "MaxCmdSN stayed at %d with 4 writes open, %d once answered" % \
        (m0, m2)


@case("write-buffer-bound", "a session holding more write buffers than max_write_buffer_mb gets TASK SET FULL; a victim keeps doing I/O")
def c_write_buffer_bound(args):
    old = set_param(CORE_PARAM + "max_write_buffer_mb", 8)
    try:
        victim = Victim(args, args.case + "-victim")
        free0 = figures("before")
        c = session(args, name=args.case + "-hostile")
        r2ts, refused = hold_writes(c, 32, 1024, LBA + 70000)
        free1 = figures("32 writes of 512 KiB held, no data sent")
        rounds = victim.end()
        c.close()
        time.sleep(2)
        free2 = figures("after the hostile connection closed")
    finally:
        set_param(CORE_PARAM + "max_write_buffer_mb", old)
    if len(r2ts) > 16:
        raise Fail("%d writes of 512 KiB waiting for data, bound is 8 MiB" %
                   len(r2ts))
    bad = [p for p in refused if p.hdr[3] != 0x28]
    if bad or len(refused) < 16:
        raise Fail("expected 16 TASK SET FULL, got %d refusals (%s)" %
                   (len(refused), bad[:1]))
    if free0 - free1 > 12 * 1024:
        raise Fail("MemFree fell by %d kB holding writes (bound 8 MiB)" %
                   (free0 - free1))
    return ("%d writes waiting, %d TASK SET FULL, victim %d rounds; MemFree "
            "%d -> %d -> %d kB" % (len(r2ts), len(refused), rounds, free0,
                                   free1, free2))


@case("dataout-timeout", "writes whose Data-Out never comes: the target drops the connection after dataout_timeout and frees them")
def c_dataout_timeout(args):
    old = set_param(ISCSI_PARAM + "dataout_timeout", 4)
    try:
        victim = Victim(args, args.case + "-victim")
        free0 = figures("before")
        c = session(args, name=args.case + "-hostile")
        r2ts, refused = hold_writes(c, 8, 1024, LBA + 80000)
        figures("8 writes of 512 KiB held, no data sent")
        t0 = time.monotonic()
        H.expect_close(c, 15.0, "for writes without Data-Out")
        took = time.monotonic() - t0
        time.sleep(2)
        free2 = figures("after the target closed the connection")
        rounds = victim.end()
    finally:
        set_param(ISCSI_PARAM + "dataout_timeout", old)
    if refused:
        raise Fail("writes refused: %s" % refused[0])
    return "connection dropped %.1f s after the last R2T; victim %d rounds; " \
        "MemFree %d -> %d kB" % (took, rounds, free0, free2)


@case("huge-alloc-len", "REPORT LUNS and READ CAPACITY(16) with allocation length and EDTL 0xffffffff: answered, nothing huge allocated")
def c_huge_alloc_len(args):
    c = session(args)
    figures("before")
    rl = struct.pack(">BBBBBBIBB", 0xa0, 0, 0, 0, 0, 0, 0xffffffff, 0, 0)
    rsp, data = c.scsi(rl, 0xffffffff, read=True)
    if rsp.hdr[3] != 0 or len(data) < 16 or \
            struct.unpack_from(">I", data)[0] != len(data) - 8:
        raise Fail("REPORT LUNS: %s, %d bytes" % (rsp, len(data)))
    rc = struct.pack(">BBQIBB", 0x9e, 0x10, 0, 0xffffffff, 0, 0)
    rsp, data = c.scsi(rc, 0xffffffff, read=True)
    if rsp.hdr[3] != 0 or len(data) != 32:
        raise Fail("READ CAPACITY(16): %s, %d bytes" % (rsp, len(data)))
    figures("after")
    c.logout()
    return "both answered GOOD with %d and 32 bytes" % (len(data))


def main():
    ap = H.case_parser(__doc__, DEF_TARGET)
    ap.add_argument("--ro-target", default=DEF_RO_TARGET,
                    help="a target whose LUN 0 (the same device) the "
                    "initiator sees write-protected")
    ap.add_argument("--tpg", default=None,
                    help="configfs tpgt_N folder of --target")
    return H.case_main(ap, CASES, DEF_INITIATOR)


if __name__ == "__main__":
    sys.exit(main())
