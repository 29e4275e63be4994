#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""recovery.py - multi-connection sessions and error recovery against ktarget.

Uses hostile.py's PDU builder and connection class to drive what the Linux
initiator and libiscsi cannot: several connections in one session (MC/S)
with commands spread over them in CmdSN order, connection reinstatement,
logout of another connection, and (ErrorRecoveryLevel 1 and 2) digest
error recovery with SNACK and recovery R2T, connection recovery with
TASK REASSIGN.  Each case checks data read back and the PDUs the target
sends; the last line printed says what happened.

    recovery.py [-H host] [-p port] [-t target-iqn] CASE
    recovery.py --list

Exit status 0 when the target behaved as RFC 7143 asks, 1 otherwise.
Python 3 standard library only.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
from hostile import (Fail, Closed, Silence, LoginRejected, bhs, keys_bytes,  # noqa: E402
                     cdb_read10, cdb_write10, expect_close, RSVD, BLOCK,
                     OP_SCSI_RSP, OP_DATA_IN, OP_R2T, OP_TMF_RSP,
                     OP_LOGOUT, OP_LOGOUT_RSP, OP_DATA_OUT, OP_SNACK,
                     OP_REJECT, OP_NOP_IN, F_FINAL, log)

DEF_TARGET = "iqn.2003-01.org.ktarget:recovery"
DEF_INITIATOR = "iqn.2004-10.org.ktarget:recovery"
LBA = 200000		# far from anything else on the LUN


class Session:
    """The numbering shared by the connections of one session."""

    def __init__(self, args, erl=0, max_conns=4, initiator=None):
        self.args = args
        self.erl = erl
        self.max_conns = max_conns
        self.initiator = initiator or "%s-%s" % (DEF_INITIATOR, args.case)
        self.isid = b"\x80" + os.urandom(3) + b"\x00\x01"
        self.tsih = 0
        self.cmdsn = 1
        self.next_itt = 0x100
        self.conns = {}
        self.t2r = 20

    def itt(self):
        self.next_itt += 1
        return self.next_itt

    def take_cmdsn(self):
        sn = self.cmdsn
        self.cmdsn = (self.cmdsn + 1) & RSVD
        return sn

    def connect(self, cid, data_digest=False, expect_status=None):
        """Log a connection in; the first one leads the session."""
        c = MConn(self, cid)
        leading = not self.tsih
        first = [("InitiatorName", self.initiator),
                 ("TargetName", self.args.target),
                 ("SessionType", "Normal")]
        oper = [("HeaderDigest", "CRC32C"),
                ("DataDigest", "CRC32C" if data_digest else "None"),
                ("MaxRecvDataSegmentLength", "8192")]
        if leading:
            oper += [("MaxConnections", str(self.max_conns)),
                     ("ErrorRecoveryLevel", str(self.erl)),
                     ("InitialR2T", "Yes"), ("ImmediateData", "Yes"),
                     ("MaxBurstLength", "262144"),
                     ("FirstBurstLength", "65536"),
                     ("DefaultTime2Wait", "0"),
                     ("DefaultTime2Retain", str(self.t2r))]
        c.send_login(1, 3, True, keys_bytes(first + oper))
        try:
            p = c.login_rsp()
        except LoginRejected as e:
            c.close()
            if expect_status is not None and e.status == expect_status:
                return None
            raise
        if expect_status is not None:
            raise Fail("login of CID %d accepted, expected status 0x%04x" %
                       (cid, expect_status))
        p = c.stage_end(p, 1, 3, "login of CID %d" % cid)
        if leading:
            self.tsih = c.tsih
            self.cmdsn = p.exp_cmdsn
            got = (c.keys.get("MaxConnections"),
                   c.keys.get("ErrorRecoveryLevel"))
            if got != (str(self.max_conns), str(self.erl)):
                raise Fail("negotiated MaxConnections/ErrorRecoveryLevel %s, "
                           "asked for %d/%d" % (got, self.max_conns, self.erl))
        elif p.exp_cmdsn != self.cmdsn:
            raise Fail("login of CID %d: ExpCmdSN %d, the session is at %d" %
                       (cid, p.exp_cmdsn, self.cmdsn))
        c.hdr_digest = True
        c.data_digest = data_digest
        c.mrdsl = int(c.keys.get("MaxRecvDataSegmentLength", "8192"))
        self.conns[cid] = c
        return c


class MConn(H.Conn):
    """A connection of a Session: CmdSN and ITTs come from the session."""

    def __init__(self, sess, cid):
        super().__init__(sess.args, initiator=sess.initiator, isid=sess.isid)
        self.sess = sess
        self.cid = cid
        self.tsih = sess.tsih
        self.data_digest = False

    def login_pdu(self, *a, **kw):
        kw.setdefault("cid", self.cid)
        return super().login_pdu(*a, **kw)

    def itt(self):
        return self.sess.itt()

    def take_cmdsn(self, immediate):
        return self.sess.cmdsn if immediate else self.sess.take_cmdsn()

    @property
    def cmdsn(self):
        return self.sess.cmdsn if hasattr(self, "sess") else 1

    @cmdsn.setter
    def cmdsn(self, v):
        if hasattr(self, "sess"):
            self.sess.cmdsn = v

    def frame(self, hdr, data=b"", ahs=b"", bad_digest=False, pad=None,
              bad_data_digest=False):
        out = super().frame(hdr, data, ahs, bad_digest, pad)
        if self.data_digest and data:
            d = H.crc32c(data + b"\0" * (H.pad4(len(data)) - len(data)))
            if bad_data_digest:
                d ^= 0xa5a5a5a5
            out += struct.pack("<I", d)
        return out

    def send(self, hdr, data=b"", ahs=b"", bad_digest=False, pad=None,
             bad_data_digest=False):
        H.trace("-> opcode 0x%02x flags 0x%02x itt 0x%08x +%d bytes" %
                (hdr[0] & 0x3f, hdr[1], H.be32(hdr, 16), len(data)))
        self.send_raw(self.frame(hdr, data, ahs, bad_digest, pad,
                                 bad_data_digest))

    def recv(self, timeout=5.0):
        if not self.data_digest:
            return super().recv(timeout)
        # strip and check the data digest of PDUs with data
        deadline = time.monotonic() + timeout
        self._fill(48, deadline)
        hdr = self.buf[:48]
        dlen = int.from_bytes(hdr[5:8], "big")
        need = 48 + hdr[4] * 4 + 4 + H.pad4(dlen) + (4 if dlen else 0)
        self._fill(need, deadline)
        if dlen:
            body = self.buf[need - 4 - H.pad4(dlen):need - 4]
            got = struct.unpack_from("<I", self.buf, need - 4)[0]
            if got != H.crc32c(body):
                raise Fail("data digest of a PDU from the target is wrong")
            self.buf = self.buf[:need - 4] + self.buf[need:]
        return super().recv(max(0.01, deadline - time.monotonic()))


def expect_rsp(c, itt, timeout=10.0, status=0):
    p, _ = c.wait_for(lambda p: p.itt == itt and
                      (p.op == OP_SCSI_RSP or
                       (p.op == OP_DATA_IN and p.flags & 0x01)),
                      timeout, "response to task 0x%x" % itt)
    if p.hdr[3] != status:
        raise Fail("task 0x%x: status 0x%02x, expected 0x%02x (%s)" %
                   (itt, p.hdr[3], status, p))
    return p


def write_imm(c, lba, data, cmdsn=None, itt=None, bad_data_digest=False):
    """A WRITE(10) whose data all goes as immediate data; returns its ITT."""
    itt = itt or c.itt()
    c.send(c.scsi_hdr(cdb_write10(lba, len(data) // BLOCK), len(data),
                      write=True, dlen=len(data), itt=itt, cmdsn=cmdsn),
           data, bad_data_digest=bad_data_digest)
    return itt


def expect_held(c, what):
    """Nothing comes on @c for 1.5 s: the command sent waits its turn;
    else Fail(@what: the PDU that came)."""
    try:
        p = c.next(1.5)
    except Silence:
        return
    raise Fail("%s: %s" % (what, p))


def read_back(c, lba, blocks):
    rsp, data = c.scsi(cdb_read10(lba, blocks), blocks * BLOCK, read=True)
    if rsp.hdr[3] != 0:
        raise Fail("READ: %s" % rsp)
    return data


def finish_write(c, itt, r2t, data, when):
    """Answer @r2t with the rest of @data (written at LBA), then the
    WRITE must succeed and read back whole."""
    c.data_out(itt, r2t.f20, r2t.u32(40), data[r2t.u32(40):])
    expect_rsp(c, itt)
    if read_back(c, LBA, len(data) // BLOCK) != data:
        raise Fail("data read back differs %s" % when)


def logout(c, reason=0, cid=None, expect=0, closes=True):
    itt = c.itt()
    cid = c.cid if cid is None else cid
    c.send(bhs(OP_LOGOUT, 0x80 | reason, itt=itt, f20=cid << 16,
               f24=c.sess.cmdsn, f28=c.exp_statsn, immediate=True))
    p, _ = c.wait_for(lambda p: p.op == OP_LOGOUT_RSP and p.itt == itt,
                      10.0, "Logout response")
    if p.hdr[2] != expect:
        raise Fail("logout response %d, expected %d" % (p.hdr[2], expect))
    if closes:
        expect_close(c, 5.0, "after the Logout response")
    return p


def vanish(c):
    """The connection fails: a TCP reset, nothing said."""
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.close()


# ---------------------------------------------------------------- cases

CASES, case = H.case_registry()


def two_conns(args, erl=0, max_conns=4, data_digest=False):
    s = Session(args, erl=erl, max_conns=max_conns)
    c1 = s.connect(1, data_digest)
    c1.clear_ua()
    c2 = s.connect(2, data_digest)
    return s, c1, c2


@case("mcs-basic", "two connections: writes on one, reads on the other")
def c_mcs_basic(args):
    s, c1, c2 = two_conns(args)
    for i in range(8):
        data = os.urandom(16 * BLOCK)
        a, b = (c1, c2) if i % 2 else (c2, c1)
        expect_rsp(a, write_imm(a, LBA + i * 16, data))
        if read_back(b, LBA + i * 16, 16) != data:
            raise Fail("round %d: data written on CID %d differs on CID %d"
                       % (i, a.cid, b.cid))
    # a big write with R2Ts on CID 2 while CID 1 pings
    data = os.urandom(256 * BLOCK)
    rsp = c2.write(LBA + 1000, data)
    if rsp.hdr[3] != 0:
        raise Fail("R2T write on CID 2: %s" % rsp)
    if read_back(c1, LBA + 1000, 256) != data:
        raise Fail("128 KiB written on CID 2 differs on CID 1")
    logout(c1)
    expect_close(c2, 10.0, "after the session logout")
    return "8 cross-connection write/read rounds and a 128 KiB R2T write"


@case("mcs-order", "CmdSN n+1 on CID 2 waits for CmdSN n on CID 1")
def c_mcs_order(args):
    s, c1, c2 = two_conns(args)
    a, b = os.urandom(8 * BLOCK), os.urandom(8 * BLOCK)
    sn = s.take_cmdsn()
    later = write_imm(c2, LBA, a)		# CmdSN sn + 1
    expect_held(c2, "CmdSN %d was carried out before CmdSN %d arrived" %
                (sn + 1, sn))
    first = write_imm(c1, LBA, b, cmdsn=sn)
    expect_rsp(c1, first)
    expect_rsp(c2, later)
    if read_back(c1, LBA, 8) != a:
        raise Fail("the LBA holds the write of CmdSN %d, not of %d" %
                   (sn, sn + 1))
    # the same over three connections, in reverse arrival order
    c3 = s.connect(3)
    base = s.cmdsn
    s.cmdsn = (base + 3) & RSVD
    datas = [os.urandom(8 * BLOCK) for _ in range(3)]
    itts = []
    for k, c in ((2, c3), (1, c2), (0, c1)):
        itts.append((c, write_imm(c, LBA, datas[k], cmdsn=base + k)))
    for c, itt in itts:
        expect_rsp(c, itt)
    if read_back(c3, LBA, 8) != datas[2]:
        raise Fail("three connections: the LBA does not hold CmdSN %d's data"
                   % (base + 2))
    logout(c1)
    return "writes carried out in CmdSN order, not in arrival order"


@case("mcs-too-many", "a third connection beyond MaxConnections=2 is refused")
def c_mcs_too_many(args):
    s, c1, c2 = two_conns(args, max_conns=2)
    s.connect(3, expect_status=0x0206)
    c1.ping()
    c2.ping()
    logout(c1)
    return "third connection refused with 0x0206; the two others work"


@case("mcs-reinstate", "a login with a CID in use replaces that connection")
def c_mcs_reinstate(args):
    s, c1, c2 = two_conns(args)
    old = c2
    c2 = s.connect(2)
    expect_close(old, 10.0, "(the reinstated connection)")
    data = os.urandom(8 * BLOCK)
    expect_rsp(c2, write_imm(c2, LBA, data))
    if read_back(c1, LBA, 8) != data:
        raise Fail("data written on the new CID 2 differs on CID 1")
    logout(c1)
    return "old CID 2 closed; the new one and CID 1 work"


@case("mcs-logout-other", "Logout of CID 2 sent on CID 1")
def c_mcs_logout_other(args):
    s, c1, c2 = two_conns(args)
    logout(c1, reason=1, cid=2, closes=False)
    expect_close(c2, 10.0, "(CID 2, logged out from CID 1)")
    logout(c1, reason=1, cid=7, expect=1, closes=False)
    c1.ping()
    logout(c1, reason=1)
    return "CID 2 closed, unknown CID answered 1, CID 1 closed itself"


@case("mcs-drop", "ERL 0: one connection vanishes, the session ends with it")
def c_mcs_drop(args):
    s, c1, c2 = two_conns(args)
    H.write_r2t(c1, 64, LBA)		# a WRITE waits for its data
    vanish(c2)
    expect_close(c1, 10.0, "(session recovery: the other connection)")
    # the session is gone: a new one starts with a unit attention
    s2 = Session(args, initiator=s.initiator)
    s2.isid = s.isid
    c = s2.connect(1)
    rsp, _ = c.scsi(b"\0" * 6, 0)
    if rsp.hdr[3] != 2:
        raise Fail("first command of the new session: %s" % rsp)
    logout(c)
    return "CID 2 reset: CID 1 closed too; the new session starts with a UA"


@case("mcs-abort-cross", "ABORT TASK on CID 1 of a write waiting on CID 2")
def c_mcs_abort_cross(args):
    s, c1, c2 = two_conns(args)
    itt, r2t = H.write_r2t(c2, 64, LBA)
    resp = c1.tmf(H.TMF_ABORT_TASK, ref_itt=itt)
    if resp != 0:
        raise Fail("ABORT TASK answered %d, expected 0" % resp)
    c2.ping()
    data = os.urandom(8 * BLOCK)
    expect_rsp(c2, write_imm(c2, LBA, data))
    logout(c1)
    return "aborted across connections; CID 2 still works"


@case("mcs-logout-session", "Logout (close session) on CID 2 closes CID 1 too")
def c_mcs_logout_session(args):
    s, c1, c2 = two_conns(args)
    logout(c2, reason=0)
    expect_close(c1, 10.0, "(CID 1, after the session logout on CID 2)")
    return "both connections closed"


# ---------------------------------------------------------------- ERL 1

SNACK_DATA, SNACK_STATUS, SNACK_DATA_ACK, SNACK_RDATA = 0, 1, 2, 3
REJ_DATA_DIGEST = 0x02


def erl1(args):
    s = Session(args, erl=1, max_conns=1)
    c = s.connect(1, data_digest=True)
    c.clear_ua()
    return s, c


def snack(c, kind, itt=RSVD, begrun=0, runlength=0, tag=0, exp_statsn=None):
    """A SNACK; @exp_statsn holds back the acknowledgement."""
    c.send(bhs(OP_SNACK, 0x80 | kind, itt=itt, f20=tag,
               f28=c.exp_statsn if exp_statsn is None else exp_statsn,
               tail=struct.pack(">IIII", 0, 0, begrun, runlength)))


def collect(c, itt, until, timeout=10.0):
    """PDUs of task @itt up to the one @until(pdu) says is the last."""
    got = []
    while True:
        p, _ = c.wait_for(lambda p: p.itt == itt, timeout,
                          "PDUs of task 0x%x" % itt)
        got.append(p)
        if until(p):
            return got


def is_status(p):
    return p.op == OP_SCSI_RSP or (p.op == OP_DATA_IN and p.flags & 0x01)


def same_but_sn(a, b):
    """Equal but for ExpCmdSN and MaxCmdSN (bytes 28-35)."""
    return (a.hdr[:28] == b.hdr[:28] and a.hdr[36:] == b.hdr[36:] and
            a.data == b.data)


def read_pdus(c, lba, blocks):
    """A READ whose PDUs are returned, ExpStatSN not advanced past it."""
    held = c.exp_statsn
    itt = c.itt()
    c.send(c.scsi_hdr(cdb_read10(lba, blocks), blocks * BLOCK, read=True,
                      itt=itt))
    pdus = collect(c, itt, is_status)
    c.exp_statsn = held		# do not acknowledge it yet
    return itt, pdus


@case("erl1-dataout-digest", "ERL 1: a Data-Out with a bad data digest is asked for again (recovery R2T)")
def c_erl1_dataout_digest(args):
    s, c = erl1(args)
    data = os.urandom(128 * BLOCK)
    itt, r2t = H.write_r2t(c, 128, LBA)
    ttt, off, length = r2t.f20, r2t.u32(40), r2t.u32(44)
    if (off, length) != (0, len(data)):
        raise Fail("R2T for %d+%d, expected 0+%d" % (off, length, len(data)))
    # 8 PDUs of 8 KiB; the fourth is damaged
    for k in range(8):
        chunk = data[k * 8192:(k + 1) * 8192]
        c.send(bhs(OP_DATA_OUT, F_FINAL if k == 7 else 0, dlen=len(chunk),
                   itt=itt, f20=ttt, f28=c.exp_statsn,
                   tail=struct.pack(">III", 0, k, k * 8192)), chunk,
               bad_data_digest=(k == 3))
    rec, _ = c.wait_for(lambda p: p.itt == itt, 5.0, "recovery R2T")
    if rec.op != OP_R2T:
        raise Fail("expected a recovery R2T, got %s" % rec)
    if rec.u32(40) != 3 * 8192 or rec.u32(44) != len(data) - 3 * 8192:
        raise Fail("recovery R2T for %d+%d, expected %d+%d" %
                   (rec.u32(40), rec.u32(44), 3 * 8192,
                    len(data) - 3 * 8192))
    if rec.f20 == ttt:
        raise Fail("recovery R2T reuses the old Target Transfer Tag")
    finish_write(c, itt, rec, data, "after the recovery")
    logout(c)
    return "recovery R2T for offset 24576 with a new TTT; data intact"


@case("erl1-immediate-digest", "ERL 1: immediate data with a bad digest is rejected, the retry works")
def c_erl1_immediate_digest(args):
    s, c = erl1(args)
    data = os.urandom(8 * BLOCK)
    sn = s.take_cmdsn()
    itt = c.itt()
    hdr = c.scsi_hdr(cdb_write10(LBA, 8), len(data), write=True,
                     dlen=len(data), itt=itt, cmdsn=sn)
    c.send(hdr, data, bad_data_digest=True)
    p, _ = c.wait_for(lambda p: p.op == OP_REJECT, 5.0, "Reject")
    if p.hdr[2] != REJ_DATA_DIGEST or p.data[:48] != hdr:
        raise Fail("expected Reject 0x02 with our header, got %s" % p)
    # the next command goes first and waits for the retry's CmdSN
    later = os.urandom(8 * BLOCK)
    itt2 = write_imm(c, LBA, later)
    expect_held(c, "CmdSN %d carried out before the retry of %d" %
                (sn + 1, sn))
    c.send(hdr, data)		# the retry: same ITT, same CmdSN
    expect_rsp(c, itt)
    expect_rsp(c, itt2)
    if read_back(c, LBA, 8) != later:
        raise Fail("the LBA does not hold the data of CmdSN %d" % (sn + 1))
    logout(c)
    return "Reject 0x02; CmdSN %d waited for the retry of %d" % (sn + 1, sn)


@case("erl1-data-snack", "ERL 1: Data SNACK resends Data-In PDUs as they were")
def c_erl1_data_snack(args):
    s, c = erl1(args)
    itt, pdus = read_pdus(c, LBA, 128)
    if len(pdus) != 8:
        raise Fail("READ of 64 KiB came in %d PDUs, expected 8" % len(pdus))
    snack(c, SNACK_DATA, itt, begrun=2, runlength=3)
    again = collect(c, itt, lambda p: p.u32(36) == 4)
    for old, new in zip(pdus[2:5], again):
        if not same_but_sn(old, new):
            raise Fail("resent DataSN %d differs from the original" %
                       old.u32(36))
    snack(c, SNACK_DATA, itt, begrun=6)	# RunLength 0: to the end
    again = collect(c, itt, is_status)
    if len(again) != 2 or not all(map(same_but_sn, pdus[6:], again)):
        raise Fail("DataSN 6.. resent as %s" % ", ".join(map(str, again)))
    c.exp_statsn = (pdus[-1].statsn + 1) & RSVD
    logout(c)
    return "DataSN 2-4 and 6.. resent exactly"


@case("erl1-status-snack", "ERL 1: Status SNACK resends responses as they were")
def c_erl1_status_snack(args):
    s, c = erl1(args)
    held = c.exp_statsn
    itt = write_imm(c, LBA, os.urandom(8 * BLOCK))
    w = expect_rsp(c, itt)
    c.exp_statsn = held		# the READ must not acknowledge the WRITE
    itt2, pdus = read_pdus(c, LBA, 8)
    c.exp_statsn = held
    snack(c, SNACK_STATUS, begrun=w.statsn, runlength=2)
    p1, _ = c.wait_for(lambda p: p.itt == itt, 5.0, "resent WRITE status")
    p2, _ = c.wait_for(lambda p: p.itt == itt2, 5.0, "resent READ status")
    if not same_but_sn(w, p1):
        raise Fail("resent SCSI Response differs: %s / %s" % (w, p1))
    if not same_but_sn(pdus[-1], p2):
        raise Fail("resent status Data-In differs: %s / %s" %
                   (pdus[-1], p2))
    # acknowledged answers are gone: a SNACK for them is rejected
    c.exp_statsn = (p2.statsn + 1) & RSVD
    c.ping()
    snack(c, SNACK_STATUS, begrun=w.statsn, runlength=1)
    p, _ = c.wait_for(lambda p: p.op == OP_REJECT, 5.0, "Reject")
    if p.hdr[2] != H.REJ_PROTOCOL:
        raise Fail("SNACK for an acknowledged StatSN: %s" % p)
    logout(c)
    return "SCSI Response and status Data-In resent; acknowledged ones refused"


@case("erl1-rdata-snack", "ERL 1: R-Data SNACK resends all data and a response with the SNACK Tag")
def c_erl1_rdata_snack(args):
    s, c = erl1(args)
    data = os.urandom(64 * BLOCK)
    expect_rsp(c, write_imm(c, LBA, data[:8192]))
    rest = c.write(LBA + 16, data[8192:])
    if rest.hdr[3]:
        raise Fail("WRITE: %s" % rest)
    itt, pdus = read_pdus(c, LBA, 64)
    snack(c, SNACK_RDATA, itt, tag=0x5a5a0001)
    again = collect(c, itt, lambda p: p.op == OP_SCSI_RSP)
    rsp = again[-1]
    body = b"".join(p.data for p in again if p.op == OP_DATA_IN)
    if body != data:
        raise Fail("data resent after R-Data SNACK differs")
    if rsp.f20 != 0x5a5a0001 or rsp.hdr[3] != 0:
        raise Fail("response after R-Data SNACK: %s, SNACK Tag 0x%08x" %
                   (rsp, rsp.f20))
    if rsp.u32(36) != len(again) - 1:
        raise Fail("ExpDataSN %d after %d Data-In PDUs" %
                   (rsp.u32(36), len(again) - 1))
    logout(c)
    return "%d Data-In PDUs and a response with the SNACK Tag" % (
        len(again) - 1)


@case("erl1-r2t-snack", "ERL 1: R2T SNACK resends the R2T")
def c_erl1_r2t_snack(args):
    s, c = erl1(args)
    data = os.urandom(64 * BLOCK)
    itt, r2t = H.write_r2t(c, 64, LBA)
    snack(c, SNACK_DATA, itt, begrun=0, runlength=1)
    again, _ = c.wait_for(lambda p: p.op == OP_R2T and p.itt == itt, 5.0,
                          "resent R2T")
    if not same_but_sn(r2t, again):
        raise Fail("resent R2T differs: %s / %s" % (r2t, again))
    snack(c, SNACK_DATA, itt, begrun=5, runlength=1)
    p, _ = c.wait_for(lambda p: p.op == OP_REJECT, 5.0, "Reject")
    c.data_out(itt, r2t.f20, 0, data)
    expect_rsp(c, itt)
    if read_back(c, LBA, 64) != data:
        raise Fail("data differs")
    logout(c)
    return "R2T resent as it was; R2TSN 5 (never sent) rejected"


@case("erl1-snack-bogus", "ERL 1: SNACKs for what was never sent are rejected")
def c_erl1_snack_bogus(args):
    s, c = erl1(args)
    for kind, itt, beg in ((SNACK_DATA, 0x7777, 0),
                           (SNACK_STATUS, RSVD, (c.exp_statsn + 100) & RSVD),
                           (SNACK_RDATA, 0x7778, 0)):
        snack(c, kind, itt, begrun=beg, tag=1)
        p, _ = c.wait_for(lambda p: p.op == OP_REJECT, 5.0, "Reject")
        if p.hdr[2] != H.REJ_PROTOCOL:
            raise Fail("SNACK type %d: %s" % (kind, p))
    c.ping()
    logout(c)
    return "three bogus SNACKs rejected, connection fine"


# ---------------------------------------------------------------- ERL 2


def erl2(args, t2r=20, conns=2):
    s = Session(args, erl=2, max_conns=4)
    s.t2r = t2r
    c1 = s.connect(1, data_digest=True)
    c1.clear_ua()
    out = [c1]
    for cid in range(2, conns + 1):
        out.append(s.connect(cid, data_digest=True))
    return s, out


def reassign(c, itt, exp_datasn=0, expect=0):
    tmf_itt = c.itt()
    c.send(bhs(H.OP_TMF, 0x80 | H.TMF_TASK_REASSIGN, itt=tmf_itt,
               f20=itt, f24=c.sess.cmdsn, f28=c.exp_statsn,
               tail=struct.pack(">II", c.sess.cmdsn, exp_datasn),
               immediate=True))
    p, _ = c.wait_for(lambda p: p.op == OP_TMF_RSP and p.itt == tmf_itt,
                      15.0, "TASK REASSIGN response")
    if p.hdr[2] != expect:
        raise Fail("TASK REASSIGN of 0x%x answered %d, expected %d" %
                   (itt, p.hdr[2], expect))
    return p


@case("erl2-reassign-read", "ERL 2: a read's answer lost with its connection comes again on another one")
def c_erl2_reassign_read(args):
    s, (c1, c2) = erl2(args)
    data = os.urandom(64 * BLOCK)
    expect_rsp(c1, write_imm(c1, LBA, data[:8192]))
    if c1.write(LBA + 16, data[8192:]).hdr[3]:
        raise Fail("WRITE failed")
    itt, pdus = read_pdus(c2, LBA, 64)	# answered, not acknowledged
    vanish(c2)
    p = logout(c1, reason=2, cid=2, closes=False)
    want = (int(c1.keys["DefaultTime2Wait"]),
            int(c1.keys["DefaultTime2Retain"]))
    if (p.u32(40) >> 16, p.u32(40) & 0xffff) != want:
        raise Fail("Logout response Time2Wait/Time2Retain %d/%d, "
                   "negotiated %d/%d" % ((p.u32(40) >> 16,
                                          p.u32(40) & 0xffff) + want))
    reassign(c1, itt)
    again = collect(c1, itt, is_status)
    body = b"".join(p.data for p in again if p.op == OP_DATA_IN)
    if body != data or again[-1].hdr[3] != 0:
        raise Fail("reassigned READ: data %s, last %s" %
                   ("same" if body == data else "differs", again[-1]))
    logout(c1)
    return "logout for recovery, TASK REASSIGN, %d Data-In PDUs again" % (
        len(again))


@case("erl2-reassign-write", "ERL 2: a write cut off mid-data goes on over another connection")
def c_erl2_reassign_write(args):
    s, (c1, c2) = erl2(args)
    data = os.urandom(128 * BLOCK)
    itt, r2t = H.write_r2t(c2, 128, LBA)
    c2.data_out(itt, r2t.f20, 0, data[:5 * 8192], final=False)
    c2.ping()			# the first 40 KiB are in
    vanish(c2)
    reassign(c1, itt)
    rec, _ = c1.wait_for(lambda p: p.itt == itt, 5.0, "recovery R2T")
    if rec.op != OP_R2T or rec.u32(40) != 5 * 8192:
        raise Fail("after TASK REASSIGN expected an R2T at 40960, got %s" %
                   rec)
    finish_write(c1, itt, rec, data, "after the reassigned write")
    logout(c1)
    return "R2T for the missing 24 KiB on CID 1; data intact"


@case("erl2-reassign-status", "ERL 2: a write's status lost with its connection comes again")
def c_erl2_reassign_status(args):
    s, (c1, c2) = erl2(args)
    held = c2.exp_statsn
    itt = write_imm(c2, LBA, os.urandom(8 * BLOCK))
    expect_rsp(c2, itt)
    c2.exp_statsn = held
    vanish(c2)
    reassign(c1, itt)
    expect_rsp(c1, itt)
    logout(c1)
    return "status sent again on CID 1"


@case("erl2-continue", "ERL 2: the only connection fails; a new one with the same TSIH takes the read over")
def c_erl2_continue(args):
    s, (c1,) = erl2(args, conns=1)
    data = os.urandom(16 * BLOCK)
    expect_rsp(c1, write_imm(c1, LBA, data))
    itt, pdus = read_pdus(c1, LBA, 16)
    vanish(c1)
    time.sleep(0.5)
    c = s.connect(1, data_digest=True)	# connection reinstatement
    reassign(c, itt)
    again = collect(c, itt, is_status)
    if b"".join(p.data for p in again if p.op == OP_DATA_IN) != data:
        raise Fail("data of the reassigned READ differs")
    logout(c)
    return "session kept; new connection reassigned the READ"


@case("erl2-no-task", "ERL 2: TASK REASSIGN of an unknown task, and at ERL 1")
def c_erl2_no_task(args):
    s, (c1,) = erl2(args, conns=1)
    reassign(c1, 0x4242, expect=1)
    logout(c1)
    s, c = erl1(args)
    reassign(c, 0x4243, expect=4)
    logout(c)
    return "task does not exist (1); at ERL 1 not supported (4)"


@case("erl2-reassign-nop", "ERL 2: TASK REASSIGN of an answered NOP-Out, TMF or Reject of a failed connection: no such task")
def c_erl2_reassign_nop(args):
    """Netfuzz F2: the answers of NOP-Out and TMF requests and Rejects
    (of a SCSI Command PDU too) are kept at ERL > 0; when their connection failed they were taken over by TASK
    REASSIGN as if they were SCSI tasks, answered with a SCSI Response
    and released as a core command they never had (NULL dereference in
    kt_cmd_release() on the transmit thread)."""
    s, (c1, c2) = erl2(args)
    held = c2.exp_statsn	# the answers are never acknowledged: retained
    nop = c2.ping().itt
    c2.exp_statsn = held
    if c2.tmf(H.TMF_ABORT_TASK, ref_itt=0x7777) != 1:
        raise Fail("ABORT TASK of an unknown task not answered 1")
    tmf = s.next_itt
    c2.exp_statsn = held
    rej = c2.itt()		# a READ with data: Rejected, its ITT kept
    c2.send(c2.scsi_hdr(cdb_read10(LBA, 1), BLOCK, read=True, dlen=BLOCK,
                        itt=rej, immediate=True), bytes(BLOCK))
    c2.wait_for(lambda p: p.op == OP_REJECT, 5.0, "Reject of a READ with data")
    c2.exp_statsn = held
    vanish(c2)
    for itt in (rej, nop, tmf):
        reassign(c1, itt, expect=1)
    ping = c1.itt()
    c1.send(c1.nop_hdr(ping))
    _, seen = c1.wait_for(lambda p: p.op == OP_NOP_IN and p.itt == ping,
                          10.0, "NOP-In after the TASK REASSIGNs")
    stray = [p for p in seen if p.itt in (rej, nop, tmf)]
    if stray:
        raise Fail("answers for tasks never reassigned: %s" %
                   ", ".join(map(str, stray)))
    logout(c1)
    return "Reject, NOP-Out, TMF of CID 2: no such task (1), no SCSI Response"


@case("erl2-expire", "ERL 2: after DefaultTime2Retain the session and its tasks are gone")
def c_erl2_expire(args):
    s = Session(args, erl=2, max_conns=2)
    s.t2r = 2
    c1 = s.connect(1, data_digest=True)
    c1.clear_ua()
    itt, pdus = read_pdus(c1, LBA, 8)
    vanish(c1)
    time.sleep(5)
    s.connect(1, expect_status=0x020a)
    return "after 2 s the session is gone (login 0x020a)"


def main():
    return H.case_main(H.case_parser(__doc__, DEF_TARGET), CASES)


if __name__ == "__main__":
    sys.exit(main())
