#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hostile.py - a hostile iSCSI initiator for ktarget's bad-input tests.

Builds every PDU itself (RFC 7143 section 11: 48-byte BHS, big-endian
fields, data padded to 4 bytes, CRC32C header digests), logs in correctly,
then carries out one attack chosen on the command line and checks how the
target reacts: a Reject with the right reason, a login reject of status
class 2, the connection closed within a few seconds, or, for legal but
unusual requests, the right answer.  Never waits without a timeout.

    hostile.py [-H host] [-p port] [-t target-iqn] [-i initiator-iqn] CASE
    hostile.py --list

Exit status 0 when the target reacted as expected, 1 otherwise; the last
line printed says what happened.  Python 3 standard library only.
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time
import traceback

# opcodes (RFC 7143 11.1.1)
OP_NOP_OUT = 0x00
OP_SCSI_CMD = 0x01
OP_TMF = 0x02
OP_LOGIN = 0x03
OP_TEXT = 0x04
OP_DATA_OUT = 0x05
OP_LOGOUT = 0x06
OP_SNACK = 0x10
OP_NOP_IN = 0x20
OP_SCSI_RSP = 0x21
OP_TMF_RSP = 0x22
OP_LOGIN_RSP = 0x23
OP_TEXT_RSP = 0x24
OP_DATA_IN = 0x25
OP_LOGOUT_RSP = 0x26
OP_R2T = 0x31
OP_ASYNC = 0x32
OP_REJECT = 0x3f

OP_NAMES = {
    OP_NOP_IN: "NOP-In", OP_SCSI_RSP: "SCSI Response", OP_TMF_RSP: "TMF Response",
    OP_LOGIN_RSP: "Login Response", OP_TEXT_RSP: "Text Response",
    OP_DATA_IN: "Data-In", OP_LOGOUT_RSP: "Logout Response", OP_R2T: "R2T",
    OP_ASYNC: "Async Message", OP_REJECT: "Reject",
}

RSVD = 0xffffffff
F_FINAL = 0x80
F_READ = 0x40
F_WRITE = 0x20
ATTR_SIMPLE = 1
I_BIT = 0x40

# TMF functions and responses (11.5.1, 11.6.1)
TMF_ABORT_TASK = 1
TMF_ABORT_TASK_SET = 2
TMF_LUN_RESET = 5
TMF_TARGET_WARM_RESET = 6
TMF_TARGET_COLD_RESET = 7
TMF_TASK_REASSIGN = 8

# Reject reasons (11.17.1)
REJ_PROTOCOL = 0x04
REJ_NOT_SUPPORTED = 0x05
REJ_TASK_IN_PROGRESS = 0x07
REJ_INVALID_FIELD = 0x09

BLOCK = 512		# fileio LUN block size
WRITE_LBA = 100000	# hostile writes stay far away from anything else

DEF_TARGET = "iqn.2003-01.org.ktarget:hostile"
DEF_INITIATOR = "iqn.2004-10.org.ktarget:hostile"


class Closed(Exception):
    """The target closed the connection."""


class Silence(Exception):
    """Nothing arrived in time."""


class Fail(Exception):
    """The target did something it must not."""


class LoginRejected(Exception):
    """A login response with a non-zero status."""

    def __init__(self, status, rsp):
        super().__init__("login rejected with status 0x%04x" % status)
        self.status = status
        self.rsp = rsp


VERBOSE = False


def log(msg):
    print(msg, flush=True)


def trace(msg):
    if VERBOSE:
        log("  " + msg)


# ---------------------------------------------------------------- CRC32C

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    """CRC32C (Castagnoli), reflected, as iSCSI digests use it."""
    c = 0xffffffff
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >> 8)
    return c ^ 0xffffffff


assert crc32c(b"123456789") == 0xE3069283


# ---------------------------------------------------------------- PDUs

def pad4(n):
    return (n + 3) & ~3


def be32(b, off):
    return struct.unpack_from(">I", b, off)[0]


def bhs(op, flags=0, b2=0, b3=0, ahs=0, dlen=0, lun=0, itt=0, f20=0, f24=0,
        f28=0, tail=b"", immediate=False):
    """A 48-byte BHS; @tail fills bytes 32..47."""
    h = bytearray(48)
    h[0] = (op & 0x3f) | (I_BIT if immediate else 0)
    h[1] = flags & 0xff
    h[2] = b2
    h[3] = b3
    h[4] = ahs
    h[5:8] = struct.pack(">I", dlen)[1:]
    if isinstance(lun, (bytes, bytearray)):
        h[8:16] = lun
    else:
        h[8:16] = struct.pack(">Q", lun_field(lun))
    struct.pack_into(">III", h, 16, itt & RSVD, f20 & RSVD, f24 & RSVD)
    struct.pack_into(">I", h, 28, f28 & RSVD)
    h[32:32 + len(tail)] = tail
    return bytes(h)


def lun_field(lun):
    """SAM LUN field: peripheral (< 256) or flat space addressing."""
    if lun < 256:
        return lun << 48
    return (0x4000 | lun) << 48


class PDU:
    def __init__(self, hdr, data):
        self.hdr = hdr
        self.data = data
        self.op = hdr[0] & 0x3f
        self.flags = hdr[1]
        self.dlen = int.from_bytes(hdr[5:8], "big")
        self.itt = be32(hdr, 16)
        self.f20 = be32(hdr, 20)
        self.statsn = be32(hdr, 24)
        self.exp_cmdsn = be32(hdr, 28)
        self.max_cmdsn = be32(hdr, 32)

    def u32(self, off):
        return be32(self.hdr, off)

    def sense(self):
        """(key, asc, ascq) of a SCSI Response carrying sense data."""
        if self.op != OP_SCSI_RSP or len(self.data) < 2:
            return None
        n = struct.unpack_from(">H", self.data)[0]
        sd = self.data[2:2 + n]
        if len(sd) >= 14 and sd[0] & 0x7f in (0x70, 0x71):
            return sd[2] & 0xf, sd[12], sd[13]
        if len(sd) >= 4 and sd[0] & 0x7f in (0x72, 0x73):
            return sd[1] & 0xf, sd[2], sd[3]
        return None

    def name(self):
        return OP_NAMES.get(self.op, "opcode 0x%02x" % self.op)

    def __str__(self):
        s = "%s itt=0x%08x" % (self.name(), self.itt)
        if self.op == OP_REJECT:
            s += " reason=0x%02x" % self.hdr[2]
        elif self.op == OP_SCSI_RSP:
            s += " response=%d status=0x%02x flags=0x%02x residual=%d" % (
                self.hdr[2], self.hdr[3], self.flags, self.u32(44))
            if self.sense():
                s += " sense=%x/%02x/%02x" % self.sense()
        elif self.op in (OP_TMF_RSP, OP_LOGOUT_RSP):
            s += " response=%d" % self.hdr[2]
        elif self.op == OP_LOGIN_RSP:
            s += " status=0x%02x%02x" % (self.hdr[36], self.hdr[37])
        elif self.op == OP_DATA_IN and self.flags & 0x01:
            s += " status=0x%02x flags=0x%02x residual=%d" % (
                self.hdr[3], self.flags, self.u32(44))
        elif self.op == OP_R2T:
            s += " ttt=0x%08x offset=%d length=%d" % (self.f20, self.u32(40),
                                                      self.u32(44))
        if self.dlen:
            s += " +%d bytes" % self.dlen
        return s


def keys_bytes(pairs):
    return b"".join(k.encode() + b"=" + (v if isinstance(v, bytes)
                                         else v.encode()) + b"\0"
                    for k, v in pairs)


def parse_keys(data):
    out = {}
    for item in data.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            out[k.decode(errors="replace")] = v.decode(errors="replace")
    return out


# ---------------------------------------------------------------- connection

class Conn:
    """One TCP connection and the session numbering on it."""

    _isid_seq = 0

    def __init__(self, args, rcvbuf=None, initiator=None, isid=None):
        self.args = args
        self.initiator = initiator or args.initiator
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect((args.host, args.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        Conn._isid_seq += 1
        self.isid = isid or (b"\x80" + os.urandom(3) +
                             struct.pack(">H", Conn._isid_seq))
        self.hdr_digest = False
        self.cmdsn = 1
        self.exp_statsn = 0
        self.max_cmdsn = 1
        self.next_itt = 0x10
        self.tsih = 0
        self.keys = {}
        self.mrdsl = 8192	# what the target accepts (declared at login)
        self.buf = b""
        self.closed = False

    def itt(self):
        self.next_itt += 1
        return self.next_itt

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- sending

    def send_raw(self, b):
        try:
            self.sock.sendall(b)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed("send failed: %s" % e) from e

    def frame(self, hdr, data=b"", ahs=b"", bad_digest=False, pad=None):
        out = hdr + ahs
        if self.hdr_digest:
            d = crc32c(out)
            if bad_digest:
                d ^= 0x5a5a5a5a
            out += struct.pack("<I", d)
        if data:
            n = pad4(len(data)) - len(data)
            out += data + (pad if pad is not None else b"\0" * n)
        return out

    def send(self, hdr, data=b"", ahs=b"", bad_digest=False, pad=None):
        trace("-> opcode 0x%02x flags 0x%02x itt 0x%08x +%d bytes" %
              (hdr[0] & 0x3f, hdr[1], be32(hdr, 16), len(data)))
        self.send_raw(self.frame(hdr, data, ahs, bad_digest, pad))

    # -- receiving

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Silence()
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(65536, n - len(self.buf)))
            except socket.timeout as e:
                raise Silence() from e
            except (ConnectionResetError, BrokenPipeError) as e:
                self.closed = True
                raise Closed("connection reset") from e
            if not chunk:
                self.closed = True
                raise Closed("connection closed")
            self.buf += chunk

    def _take(self, n, deadline):
        self._fill(n, deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=5.0):
        """The next PDU; raises Closed or Silence."""
        deadline = time.monotonic() + timeout
        self._fill(48, deadline)
        hdr = self.buf[:48]
        ahs = hdr[4] * 4
        dlen = int.from_bytes(hdr[5:8], "big")
        need = 48 + ahs + (4 if self.hdr_digest else 0) + pad4(dlen)
        raw = self._take(need, deadline)
        if self.hdr_digest:
            got = struct.unpack_from("<I", raw, 48 + ahs)[0]
            if got != crc32c(raw[:48 + ahs]):
                raise Fail("header digest of a %s from the target is wrong"
                           % PDU(hdr, b"").name())
            data = raw[48 + ahs + 4:48 + ahs + 4 + dlen]
        else:
            data = raw[48 + ahs:48 + ahs + dlen]
        p = PDU(hdr, data)
        trace("<- %s" % p)
        if p.op in (OP_SCSI_RSP, OP_NOP_IN, OP_TMF_RSP, OP_TEXT_RSP,
                    OP_LOGOUT_RSP, OP_REJECT, OP_ASYNC) or \
                (p.op == OP_DATA_IN and p.flags & 0x01):
            if p.op != OP_NOP_IN or p.itt != RSVD:
                self.exp_statsn = (p.statsn + 1) & RSVD
        if p.op not in (OP_LOGIN_RSP,) and p.max_cmdsn:
            self.max_cmdsn = p.max_cmdsn
        return p

    def next(self, timeout=5.0):
        """The next PDU that is not a target ping (those are answered)."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.recv(max(0.01, deadline - time.monotonic()))
            if p.op == OP_NOP_IN and p.itt == RSVD:
                if p.f20 != RSVD:
                    self.send(bhs(OP_NOP_OUT, F_FINAL, itt=RSVD, f20=p.f20,
                                  f24=self.cmdsn, f28=self.exp_statsn,
                                  immediate=True))
                continue
            if p.op == OP_ASYNC:
                log("  got %s event %d" % (p, p.hdr[36]))
                continue
            return p

    def wait_for(self, pred, timeout=5.0, what="a response"):
        """Read until pred(pdu); PDUs skipped on the way are returned too."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                p = self.next(max(0.01, deadline - time.monotonic()))
            except Silence as e:
                raise Fail("no %s within %.0f s (got: %s)" %
                           (what, timeout, ", ".join(map(str, seen)) or
                            "nothing")) from e
            if pred(p):
                return p, seen
            seen.append(p)

    # -- login

    def login_pdu(self, csg, nsg, transit, data, cont=False, itt=0x1,
                  ver_min=0, tsih=None, flags=None, cid=1):
        f = (0x80 if transit else 0) | (0x40 if cont else 0) | \
            ((csg & 3) << 2) | (nsg & 3 if transit else 0)
        if flags is not None:
            f = flags
        tail = b""
        h = bytearray(bhs(OP_LOGIN, f, 0, ver_min, dlen=len(data),
                          lun=0, itt=itt, f20=cid << 16, f24=self.cmdsn,
                          f28=self.exp_statsn, tail=tail, immediate=True))
        h[8:14] = self.isid
        struct.pack_into(">H", h, 14, self.tsih if tsih is None else tsih)
        return bytes(h)

    def send_login(self, csg, nsg, transit, data, pad=None, **kw):
        self.send(self.login_pdu(csg, nsg, transit, data, **kw), data,
                  pad=pad)

    def login_rsp(self, timeout=10.0):
        p = self.recv(timeout)
        if p.op != OP_LOGIN_RSP:
            raise Fail("got %s during login" % p)
        status = p.hdr[36] << 8 | p.hdr[37]
        self.exp_statsn = (p.statsn + 1) & RSVD
        if status:
            raise LoginRejected(status, p)
        self.keys.update(parse_keys(p.data))
        self.tsih = struct.unpack_from(">H", p.hdr, 14)[0]
        self.max_cmdsn = p.max_cmdsn
        return p

    def stage_end(self, p, csg, nsg, what):
        """@p answers a login request of stage @csg asking for @nsg: send
        empty requests (at most 4) until the target agrees to go to @nsg;
        the answer that does, or Fail naming @what."""
        for _ in range(4):
            if p.flags & 0x80 and (p.flags & 3) == nsg:
                return p
            self.send_login(csg, nsg, True, b"")
            p = self.login_rsp()
        raise Fail("%s does not end" % what)

    def login_stage(self, csg, nsg, data, what):
        """Stage @csg of a login with the keys @data, to stage @nsg."""
        self.send_login(csg, nsg, True, data)
        return self.stage_end(self.login_rsp(), csg, nsg, what)

    def base_keys(self, hdr_digest=False, extra=()):
        keys = [("InitiatorName", self.initiator),
                ("TargetName", self.args.target),
                ("SessionType", "Normal")]
        return keys + list(extra), [
            ("HeaderDigest", "CRC32C" if hdr_digest else "None"),
            ("DataDigest", "None"),
            ("MaxRecvDataSegmentLength", "262144"),
            ("InitialR2T", "Yes"),
            ("ImmediateData", "Yes"),
            ("MaxBurstLength", "262144"),
            ("FirstBurstLength", "65536"),
            ("MaxOutstandingR2T", "1"),
            ("ErrorRecoveryLevel", "0"),
            ("DefaultTime2Wait", "0"),
            ("DefaultTime2Retain", "0"),
        ]

    def login(self, hdr_digest=False, two_stage=False):
        """A correct login to full feature phase."""
        first, oper = self.base_keys(hdr_digest)
        if two_stage:
            auth = keys_bytes(first + [("AuthMethod", "None")])
            self.login_stage(0, 1, auth, "security stage")
            data = keys_bytes(oper)
        else:
            data = keys_bytes(first + oper)
        p = self.login_stage(1, 3, data, "operational stage")
        self.cmdsn = p.exp_cmdsn
        self.mrdsl = int(self.keys.get("MaxRecvDataSegmentLength", "8192"))
        if hdr_digest:
            if self.keys.get("HeaderDigest") != "CRC32C":
                raise Fail("target answered HeaderDigest=%s" %
                           self.keys.get("HeaderDigest"))
            self.hdr_digest = True
        return p

    def login_discovery(self, mrdsl=512):
        """A discovery session declaring a small MaxRecvDataSegmentLength,
        so that long Text answers come in several PDUs."""
        self.mrdsl_mine = mrdsl
        data = keys_bytes([("InitiatorName", self.initiator),
                           ("SessionType", "Discovery"),
                           ("HeaderDigest", "None"),
                           ("DataDigest", "None"),
                           ("MaxRecvDataSegmentLength", str(mrdsl))])
        p = self.login_stage(1, 3, data,
                             "operational stage of the discovery login")
        self.cmdsn = p.exp_cmdsn
        return p

    # -- full feature phase

    def text_send(self, data, itt, ttt=RSVD, final=True, cont=False):
        """One Text Request; returns its header and the answer (a Text
        Response with our ITT, or a Reject, whose CmdSN is taken back)."""
        sn = self.take_cmdsn(False)
        h = bhs(OP_TEXT, (F_FINAL if final else 0) | (0x40 if cont else 0),
                dlen=len(data), itt=itt, f20=ttt, f24=sn, f28=self.exp_statsn)
        self.send(h, data)
        p, _ = self.wait_for(lambda p: p.op == OP_REJECT or
                             (p.op == OP_TEXT_RSP and p.itt == itt), 10.0,
                             "Text response")
        if p.op == OP_REJECT:
            self.cmdsn = sn		# a rejected command takes no CmdSN
            if p.exp_cmdsn != sn:
                raise Fail("ExpCmdSN %u after the Reject: the rejected "
                           "request's CmdSN %u was taken" %
                           (p.exp_cmdsn, sn))
        return h, p

    def text_piece(self, p, itt):
        """Check one piece of a Text answer; True when it is the last."""
        if p.op != OP_TEXT_RSP or p.itt != itt:
            raise Fail("expected a Text Response for ITT 0x%x, got %s" %
                       (itt, p))
        limit = getattr(self, "mrdsl_mine", 262144)
        if p.dlen > limit:
            raise Fail("Text Response of %d bytes over our "
                       "MaxRecvDataSegmentLength %d" % (p.dlen, limit))
        final, cont = bool(p.flags & F_FINAL), bool(p.flags & 0x40)
        if final and (cont or p.f20 != RSVD):
            raise Fail("final Text Response with C=%d TTT 0x%08x" %
                       (cont, p.f20))
        if not final and p.f20 == RSVD:
            raise Fail("Text Response with F=0 and TTT 0xffffffff")
        return final

    def text_exchange(self, data, itt=None, split=0):
        """A whole Text exchange: the request (in @split-byte pieces with
        the C bit when @split), the answer gathered from all its pieces.
        Returns (answer bytes, number of answer PDUs)."""
        itt = itt or self.itt()
        ttt = RSVD
        pos = 0
        while split and len(data) - pos > split:
            _, p = self.text_send(data[pos:pos + split], itt, ttt,
                                  final=False, cont=True)
            if p.op != OP_TEXT_RSP or p.dlen or p.flags & (F_FINAL | 0x40) \
                    or p.f20 == RSVD:
                raise Fail("answer to a C-bit Text Request is not an empty "
                           "F=0 C=0 response with a TTT: %s flags 0x%02x" %
                           (p, p.flags))
            ttt = p.f20
            pos += split
        _, p = self.text_send(data[pos:], itt, ttt)
        out = bytearray()
        pieces = 0
        while True:
            pieces += 1
            final = self.text_piece(p, itt)
            out += p.data
            if final:
                return bytes(out), pieces
            _, p = self.text_send(b"", itt, p.f20)

    def take_cmdsn(self, immediate):
        sn = self.cmdsn
        if not immediate:
            self.cmdsn = (self.cmdsn + 1) & RSVD
        return sn

    def scsi_hdr(self, cdb, edtl, read=False, write=False, dlen=0, itt=None,
                 cmdsn=None, immediate=False, lun=0, attr=ATTR_SIMPLE,
                 ahs=0):
        if itt is None:
            itt = self.itt()
        if cmdsn is None:
            cmdsn = self.take_cmdsn(immediate)
        flags = F_FINAL | (F_READ if read else 0) | (F_WRITE if write else 0)
        flags |= attr & 7
        return bhs(OP_SCSI_CMD, flags, ahs=ahs, dlen=dlen, lun=lun, itt=itt,
                   f20=edtl, f24=cmdsn, f28=self.exp_statsn,
                   tail=cdb.ljust(16, b"\0"), immediate=immediate)

    def nop_hdr(self, itt=None, dlen=0, immediate=True, ttt=RSVD):
        if itt is None:
            itt = self.itt()
        return bhs(OP_NOP_OUT, F_FINAL, dlen=dlen, itt=itt, f20=ttt,
                   f24=self.take_cmdsn(immediate), f28=self.exp_statsn,
                   immediate=immediate)

    def ping(self, timeout=5.0, data=b""):
        """A NOP-Out ping must be answered with the same ITT and data."""
        itt = self.itt()
        self.send(self.nop_hdr(itt, len(data)), data)
        p, _ = self.wait_for(lambda p: p.op == OP_NOP_IN and p.itt == itt,
                             timeout, "NOP-In for our ping")
        if p.data != data:
            raise Fail("NOP-In data differs from the ping's")
        return p

    def tmf(self, function, ref_itt=RSVD, lun=0, timeout=10.0, seen=None):
        """The response code; the PDUs that came before it are added to
        the list @seen if there is one."""
        itt = self.itt()
        self.send(bhs(OP_TMF, 0x80 | function, lun=lun, itt=itt,
                      f20=ref_itt, f24=self.cmdsn, f28=self.exp_statsn,
                      tail=struct.pack(">II", self.cmdsn, 0),
                      immediate=True))
        p, before = self.wait_for(lambda p: p.op == OP_TMF_RSP and
                                  p.itt == itt, timeout, "TMF response")
        if seen is not None:
            seen += before
        return p.hdr[2]

    def scsi(self, cdb, edtl, read=False, timeout=10.0, **kw):
        """A command without Data-Out; returns (response, data-in bytes)."""
        itt = self.itt()
        self.send(self.scsi_hdr(cdb, edtl, read=read, itt=itt, **kw))
        got = bytearray()
        while True:
            p, _ = self.wait_for(lambda p: p.itt == itt, timeout,
                                 "response to the SCSI command")
            if p.op == OP_DATA_IN:
                off = p.u32(40)
                if off != len(got):
                    raise Fail("Data-In at offset %d, expected %d" %
                               (off, len(got)))
                got += p.data
                if p.flags & 0x01:
                    return p, bytes(got)
            elif p.op == OP_SCSI_RSP:
                return p, bytes(got)
            else:
                raise Fail("unexpected %s" % p)

    def clear_ua(self, lun=0):
        """TEST UNIT READY until GOOD: a new I_T nexus starts with a unit
        attention (power on, reset) that would spoil the first command."""
        for _ in range(4):
            rsp, _ = self.scsi(b"\0" * 6, 0, lun=lun)
            if rsp.hdr[3] == 0:
                return
            if not rsp.sense() or rsp.sense()[0] != 6:
                raise Fail("TEST UNIT READY: %s" % rsp)
        raise Fail("unit attentions do not stop: %s" % rsp)

    def write(self, lba, data, itt=None, timeout=10.0):
        """WRITE(10) honouring R2Ts; returns the SCSI Response."""
        itt = itt or self.itt()
        burst = int(self.keys.get("FirstBurstLength", "65536"))
        first = data[:min(len(data), self.mrdsl, burst)] \
            if self.keys.get("ImmediateData") == "Yes" else b""
        cdb = struct.pack(">BBIBHB", 0x2a, 0, lba, 0, len(data) // BLOCK, 0)
        self.send(self.scsi_hdr(cdb, len(data), write=True, dlen=len(first),
                                itt=itt), first)
        while True:
            p, _ = self.wait_for(lambda p: p.itt == itt, timeout,
                                 "R2T or response to the WRITE")
            if p.op == OP_SCSI_RSP:
                return p
            if p.op != OP_R2T:
                raise Fail("unexpected %s" % p)
            self.data_out(itt, p.f20, p.u32(40),
                          data[p.u32(40):p.u32(40) + p.u32(44)])

    def data_out(self, itt, ttt, offset, data, datasn=0, final=True):
        """Data-Out PDUs (split at the target's MRDSL) for one R2T."""
        pos = 0
        while True:
            chunk = data[pos:pos + self.mrdsl]
            last = pos + len(chunk) >= len(data)
            self.send(bhs(OP_DATA_OUT, F_FINAL if last and final else 0,
                          dlen=len(chunk), itt=itt, f20=ttt,
                          f28=self.exp_statsn,
                          tail=struct.pack(">III", 0, datasn, offset + pos)),
                      chunk)
            pos += len(chunk)
            datasn += 1
            if last:
                return

    def logout(self, timeout=10.0):
        itt = self.itt()
        self.send(bhs(OP_LOGOUT, 0x80 | 0, itt=itt, f20=1 << 16,
                      f24=self.cmdsn, f28=self.exp_statsn, immediate=True))
        p, _ = self.wait_for(lambda p: p.op == OP_LOGOUT_RSP and
                             p.itt == itt, timeout, "Logout response")
        if p.hdr[2] != 0:
            raise Fail("logout response %d" % p.hdr[2])
        expect_close(self, 5.0, "after the Logout response")


# ---------------------------------------------------------------- reactions

def react(c, timeout=5.0):
    """('close', why) / ('pdu', pdu) / ('silence', None)."""
    try:
        return "pdu", c.next(timeout)
    except Closed as e:
        return "close", str(e)
    except Silence:
        return "silence", None


def send_and_see(c, hdr, data=b"", timeout=5.0):
    """Send a PDU and see the target's reaction: (its next PDU, None), or
    (None, "connection closed (...)") when it closes; Fail when it says
    nothing within @timeout."""
    c.send(hdr, data)
    kind, p = react(c, timeout)
    if kind == "close":
        return None, "connection closed (%s)" % p
    if kind == "silence":
        raise Fail("no answer within %.0f s" % timeout)
    return p, None


def expect_close(c, timeout=5.0, when=""):
    """The target closes; PDUs it sends first are listed."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        try:
            seen.append(str(c.next(max(0.01, deadline - time.monotonic()))))
        except Closed:
            return seen
        except Silence as e:
            raise Fail("connection not closed %s within %.0f s (got: %s)" %
                       (when, timeout, ", ".join(seen) or "nothing")) from e


def check_reject(p, sent, reasons):
    """@p is a Reject for one of @reasons carrying the header @sent."""
    if p.hdr[2] not in reasons:
        raise Fail("Reject reason 0x%02x, expected one of %s" %
                   (p.hdr[2], ", ".join("0x%02x" % r for r in reasons)))
    if p.data[:48] != sent[:48]:
        raise Fail("Reject does not carry the rejected header")


def expect_reject_or_close(c, sent, reasons, timeout=5.0, recheck=True):
    """A Reject (one of @reasons, carrying the header @sent) or a close.
    After a Reject the connection must still answer a ping (or close)."""
    kind, p = react(c, timeout)
    if kind == "close":
        return "connection closed (%s)" % p
    if kind == "silence":
        raise Fail("no Reject and no close within %.0f s" % timeout)
    if p.op != OP_REJECT:
        raise Fail("expected a Reject or a close, got %s" % p)
    check_reject(p, sent, reasons)
    msg = "Reject reason 0x%02x" % p.hdr[2]
    if recheck:
        try:
            c.ping()
            msg += ", connection still answers pings"
        except Closed:
            msg += ", then connection closed"
    return msg


def expect_reject(c, sent, reasons, timeout=5.0):
    """A Reject (one of @reasons, carrying the header @sent), after which
    the connection must still answer a ping: closing is wrong here."""
    kind, p = react(c, timeout)
    if kind == "close":
        raise Fail("connection closed (%s), expected a Reject" % p)
    if kind == "silence":
        raise Fail("no Reject within %.0f s" % timeout)
    if p.op != OP_REJECT:
        raise Fail("expected a Reject, got %s" % p)
    check_reject(p, sent, reasons)
    c.ping()
    return "Reject reason 0x%02x, connection still answers pings" % p.hdr[2]


def expect_login_reject(c, timeout=10.0, status=None):
    """A login response of status class 2 (or @status), or a close."""
    try:
        p = c.login_rsp(timeout)
    except LoginRejected as e:
        if status is not None and e.status != status:
            raise Fail("login status 0x%04x, expected 0x%04x" %
                       (e.status, status)) from e
        if status is None and e.status >> 8 != 2:
            raise Fail("login status 0x%04x is not class 2" % e.status) from e
        try:
            expect_close(c, 5.0, "after the login reject")
        except Fail as f:
            raise Fail("login rejected (0x%04x) but %s" % (e.status, f)) from f
        return "login rejected with status 0x%04x, then closed" % e.status
    except Closed as e:
        if status is not None:
            raise Fail("connection closed, expected login status 0x%04x" %
                       status) from e
        return "connection closed (%s)" % e
    except Silence as e:
        raise Fail("no login response and no close within %.0f s" %
                   timeout) from e
    raise Fail("login accepted: %s" % p)


# ---------------------------------------------------------------- cases

def case_registry():
    """(cases, @case(name, doc) decorator that adds a function to them)"""
    cases = {}

    def case(name, doc):
        def reg(fn):
            cases[name] = (fn, doc)
            return fn
        return reg
    return cases, case


CASES, case = case_registry()


def logged_in(args, **kw):
    """A session in full feature phase whose unit attentions are consumed."""
    c = Conn(args, rcvbuf=kw.pop("rcvbuf", None),
             initiator=kw.pop("initiator", None))
    c.login(**kw)
    c.clear_ua()
    return c


def cdb_read10(lba, blocks):
    return struct.pack(">BBIBHB", 0x28, 0, lba, 0, blocks, 0)


def cdb_write10(lba, blocks):
    return struct.pack(">BBIBHB", 0x2a, 0, lba, 0, blocks, 0)


TUR = b"\0" * 6


@case("login", "a correct two-stage login, a READ, a ping and a logout")
def c_login(args):
    c = Conn(args)
    c.login(two_stage=True)
    c.clear_ua()
    rsp, data = c.scsi(cdb_read10(0, 8), 8 * BLOCK, read=True)
    if rsp.hdr[3] != 0 or len(data) != 8 * BLOCK:
        raise Fail("READ(10): %s, %d bytes" % (rsp, len(data)))
    c.ping()
    c.logout()
    return "logged in, read 4 KiB, pinged, logged out"


@case("unknown-opcode", "opcode 0x1c (with a data segment) in full feature phase: Reject, connection kept")
def c_unknown_opcode(args):
    c = logged_in(args)
    data = os.urandom(100)
    h = bhs(0x1c, F_FINAL, dlen=len(data), itt=c.itt(), f24=c.cmdsn,
            f28=c.exp_statsn, immediate=True)
    c.send(h, data)
    return expect_reject(c, h, (REJ_PROTOCOL, REJ_NOT_SUPPORTED))


@case("target-opcode", "a target opcode (SCSI Response, 0x21) sent to the target: Reject, connection kept")
def c_target_opcode(args):
    c = logged_in(args)
    h = bhs(OP_SCSI_RSP, F_FINAL, itt=c.itt(), f24=c.cmdsn,
            f28=c.exp_statsn)
    c.send(h)
    return expect_reject(c, h, (REJ_PROTOCOL, REJ_NOT_SUPPORTED))


@case("dsl-over-max", "a Text request whose data segment exceeds the target's MaxRecvDataSegmentLength")
def c_dsl_over_max(args):
    c = logged_in(args)
    n = c.mrdsl + 4096
    data = (b"X-hostile=" + b"a" * (n - 11) + b"\0")
    h = bhs(OP_TEXT, F_FINAL, dlen=len(data), itt=c.itt(), f20=RSVD,
            f24=c.take_cmdsn(False), f28=c.exp_statsn)
    c.send(h, data)
    return expect_reject_or_close(c, h, (REJ_PROTOCOL,))


@case("nop-dsl-over-max", "a NOP-Out ping with more data than the target's MaxRecvDataSegmentLength: closed like any other PDU")
def c_nop_dsl_over_max(args):
    c = logged_in(args)
    data = os.urandom(c.mrdsl * 2)
    h = c.nop_hdr(dlen=len(data))
    c.send(h, data)
    seen = expect_close(c, 5.0)
    if seen:
        raise Fail("closed, but only after %s" % ", ".join(seen))
    return "connection closed"


@case("dsl-huge", "a SCSI Command header announcing a 16 MiB data segment that never comes")
def c_dsl_huge(args):
    c = logged_in(args)
    h = c.scsi_hdr(cdb_write10(WRITE_LBA, 8), 8 * BLOCK, write=True,
                   dlen=0xffffff)
    c.send(h)
    return expect_reject_or_close(c, h, (REJ_PROTOCOL,), recheck=False)


@case("ahs-huge", "TotalAHSLength 255 (1020 bytes of garbage AHS) on a READ")
def c_ahs_huge(args):
    c = logged_in(args)
    h = c.scsi_hdr(cdb_read10(0, 1), BLOCK, read=True, ahs=255)
    c.send(h, ahs=b"\xff" * 1020)
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_NOT_SUPPORTED))


@case("ahs-overrun", "an AHS whose AHSLength (1024) runs past TotalAHSLength (4 bytes)")
def c_ahs_overrun(args):
    c = logged_in(args)
    h = c.scsi_hdr(cdb_read10(0, 1), BLOCK, read=True, ahs=1)
    c.send(h, ahs=struct.pack(">HBB", 1024, 1, 0))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_NOT_SUPPORTED))


@case("cmdsn-outside", "commands with CmdSN far ahead of and behind the window are dropped silently")
def c_cmdsn_outside(args):
    c = logged_in(args)
    exp = c.cmdsn
    for sn, what in (((exp + 0x40000000) & RSVD, "far ahead"),
                     ((exp - 100) & RSVD, "behind")):
        itt = c.itt()
        c.send(c.scsi_hdr(TUR, 0, itt=itt, cmdsn=sn))
        kind, p = react(c, 2.0)
        if kind == "close":
            raise Fail("connection closed after a CmdSN %s the window" % what)
        if kind == "pdu":
            raise Fail("CmdSN %s the window (%u, ExpCmdSN %u) answered: %s" %
                       (what, sn, exp, p))
    c.ping()
    rsp, _ = c.scsi(TUR, 0)
    if rsp.op != OP_SCSI_RSP:
        raise Fail("TEST UNIT READY in the window: %s" % rsp)
    if rsp.exp_cmdsn != c.cmdsn:
        raise Fail("ExpCmdSN %u after the in-window command, expected %u" %
                   (rsp.exp_cmdsn, c.cmdsn))
    c.logout()
    return "both dropped silently; ping and an in-window command then worked"


@case("login-in-ffp", "a Login request in full feature phase")
def c_login_in_ffp(args):
    c = logged_in(args)
    first, oper = c.base_keys()
    c.send_login(1, 3, True, keys_bytes(first + oper), itt=c.itt())
    seen = expect_close(c, 5.0)
    return "connection closed" + (" after " + ", ".join(seen) if seen else "")


@case("first-not-login", "a NOP-Out as the first PDU of a connection")
def c_first_not_login(args):
    c = Conn(args)
    c.send(c.nop_hdr(itt=0x1))
    seen = expect_close(c, 5.0)
    return "connection closed" + (" after " + ", ".join(seen) if seen else "")


@case("first-scsi", "a SCSI READ with data segment as the first PDU of a connection")
def c_first_scsi(args):
    c = Conn(args)
    c.send(c.scsi_hdr(cdb_read10(0, 1), BLOCK, read=True, dlen=100),
           b"z" * 100)
    seen = expect_close(c, 5.0)
    return "connection closed" + (" after " + ", ".join(seen) if seen else "")


def refused_login(args, text, status=None, **kw):
    """One login request with the keys @text(c, first, oper) makes of
    Conn.base_keys(), sent with send_login()'s @kw: the target must refuse
    it (with @status, when given)."""
    c = Conn(args)
    first, oper = c.base_keys()
    c.send_login(1, 3, True, text(c, first, oper), **kw)
    return expect_login_reject(c, status=status)


@case("login-unterminated", "a login key without its terminating NUL")
def c_login_unterminated(args):
    return refused_login(args, lambda c, first, oper:
                         keys_bytes(first + oper) + b"MaxBurstLength=65536")


@case("login-non-utf8", "a login value that is not UTF-8")
def c_login_non_utf8(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(
        first + oper + [("InitiatorAlias", b"bad\xc3\x28\xff")]))


@case("login-non-utf8-name", "an InitiatorName with an overlong UTF-8 encoding")
def c_login_non_utf8_name(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(
        [("InitiatorName", c.initiator.encode() + b"\xc0\xaf")] +
        first[1:] + oper))


@case("login-no-equals", "a login key without '='")
def c_login_no_equals(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(first) +
                         b"JustAKeyWithoutValue\0" + keys_bytes(oper))


@case("login-duplicate-key", "the same login key twice")
def c_login_duplicate(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(
        first + oper + [("MaxBurstLength", "4096")]))


def send_login_text(c, text, chunk=8192, pads=None, sizes=None):
    """Send @text as a C-bit sequence of login PDUs of @chunk bytes (or of
    the @sizes listed), each answered by an empty login response; @pads:
    (pos, part) -> the padding to send.  Returns None, or the reaction
    that ended it."""
    pos = 0
    sizes = iter(sizes or ())
    while True:
        part = text[pos:pos + next(sizes, chunk)]
        last = pos + len(part) >= len(text)
        pad = pads(pos, part) if pads else None
        c.send_login(1, 3, last, part, cont=not last, pad=pad)
        pos += len(part)
        if last:
            return None
        try:
            p = c.login_rsp(10.0)
        except LoginRejected as e:
            return "login rejected with status 0x%04x after %d bytes" % (
                e.status, pos)
        except Closed as e:
            return "connection closed after %d bytes (%s)" % (pos, e)
        except Silence as e:
            raise Fail("no answer to a C-bit login PDU within 10 s") from e
        if p.flags & 0x80 or p.dlen:
            raise Fail("answer to a C-bit login PDU is not empty: %s" % p)


def refused_long_login(args, grow, **kw):
    """A login whose text, the keys of Conn.base_keys() grown by
    @grow(text), goes as C-bit PDUs (send_login_text() with @kw): the
    target must refuse it, at the end or before."""
    c = Conn(args)
    first, oper = c.base_keys()
    early = send_login_text(c, grow(keys_bytes(first + oper)), **kw)
    return early or expect_login_reject(c)


def pad_keys(text, size):
    """@text grown by keys of 200 bytes to at least @size bytes."""
    i = 0
    while len(text) < size:
        text += keys_bytes([("X-pad-%d" % i, "v" * 200)])
        i += 1
    return text


@case("login-5000-keys", "5000 keys in one login (C-bit PDUs)")
def c_login_5000_keys(args):
    def grow(text):
        text += keys_bytes([("X%d" % i, "1") for i in range(5000)])
        if len(text) >= 65536:
            raise Fail("test bug: 5000 keys take %d bytes" % len(text))
        return text
    return refused_long_login(args, grow)


@case("login-70000", "70000 bytes of login text over many C-bit PDUs")
def c_login_70000(args):
    return refused_long_login(args, lambda text: pad_keys(text, 70000))


@case("login-pad-overflow", "login text of 65535 bytes whose last 5-byte PDU is padded to 8")
def c_login_pad_overflow(args):
    # 65530 bytes, then a 5-byte PDU: its padding lands 2 bytes past a
    # 64 KiB login buffer if padding is read into the buffer.
    def grow(text):
        text = pad_keys(text, 65530 - 300)
        fill = 65530 - len(text) - len("X-f=") - 1
        text += keys_bytes([("X-f", "w" * fill)])
        assert len(text) == 65530
        return text + b"X-z\0\0"[:5]
    return refused_long_login(
        args, grow, sizes=[8192] * 7 + [65530 - 7 * 8192, 5],
        pads=lambda pos, part: b"\xa5" * (pad4(len(part)) - len(part)))


@case("login-unknown-target", "login to a target that does not exist")
def c_login_unknown_target(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(
        first[:1] + [("TargetName", "iqn.2000-01.org.nowhere:nothing")] +
        first[2:] + oper), status=0x0203)


@case("login-no-initiator", "login without InitiatorName")
def c_login_no_initiator(args):
    return refused_login(args, lambda c, first, oper:
                         keys_bytes(first[1:] + oper), status=0x0207)


@case("login-bad-version", "login with Version-min 5")
def c_login_bad_version(args):
    return refused_login(args, lambda c, first, oper:
                         keys_bytes(first + oper), status=0x0205, ver_min=5)


@case("login-bad-stage", "login with CSG 2 (reserved) and NSG 0 (backwards)")
def c_login_bad_stage(args):
    c = Conn(args)
    first, oper = c.base_keys()
    c.send_login(0, 0, True, keys_bytes(first + oper),
                 flags=0x80 | (2 << 2) | 3)
    r1 = expect_login_reject(c)
    c = Conn(args)
    c.send_login(0, 0, True, keys_bytes(first + oper),
                 flags=0x80 | (1 << 2) | 0)
    return r1 + "; " + expect_login_reject(c)


@case("login-unknown-tsih", "login adding a connection to a session that does not exist")
def c_login_unknown_tsih(args):
    return refused_login(args, lambda c, first, oper:
                         keys_bytes(first + oper), tsih=0x7777)


@case("login-stage-skip", "operational keys with AuthMethod in the operational stage")
def c_login_stage_skip(args):
    return refused_login(args, lambda c, first, oper: keys_bytes(
        first + oper + [("AuthMethod", "None")]))


@case("login-byte-by-byte", "a correct login sent one byte at a time (must succeed)")
def c_login_byte_by_byte(args):
    c = Conn(args)
    first, oper = c.base_keys()
    data = keys_bytes(first + oper)
    raw = c.frame(c.login_pdu(1, 3, True, data), data)
    for i in range(len(raw)):
        c.send_raw(raw[i:i + 1])
        if i < 60:
            time.sleep(0.005)
    p = c.login_rsp()
    if not (p.flags & 0x80 and (p.flags & 3) == 3):
        raise Fail("login did not reach full feature phase: %s" % p)
    c.cmdsn = p.exp_cmdsn
    c.ping()
    c.logout()
    return "login assembled from single bytes worked"


@case("login-idle", "connect and send nothing: the login timeout must close it")
def c_login_idle(args):
    c = Conn(args)
    t0 = time.monotonic()
    expect_close(c, 40.0, "while idle in login")
    return "closed after %.1f s of silence" % (time.monotonic() - t0)


@case("login-half-header", "20 bytes of a login header, then silence")
def c_login_half_header(args):
    c = Conn(args)
    first, oper = c.base_keys()
    c.send_raw(c.login_pdu(1, 3, True, keys_bytes(first + oper))[:20])
    t0 = time.monotonic()
    expect_close(c, 40.0, "with half a login header")
    return "closed after %.1f s" % (time.monotonic() - t0)


@case("write-over-edtl", "a WRITE with more immediate data than its Expected Data Transfer Length")
def c_write_over_edtl(args):
    c = logged_in(args)
    data = os.urandom(2 * BLOCK)
    h = c.scsi_hdr(cdb_write10(WRITE_LBA, 1), BLOCK, write=True,
                   dlen=len(data))
    c.send(h, data)
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


@case("write-huge-edtl", "a WRITE of 0xffff blocks with EDTL 0x7fffffff and no data")
def c_write_huge_edtl(args):
    c = logged_in(args)
    itt = c.itt()
    h = c.scsi_hdr(cdb_write10(WRITE_LBA, 0xffff), 0x7fffffff, write=True,
                   itt=itt)
    p, closed = send_and_see(c, h, timeout=10.0)
    if closed:
        return closed
    if p.op == OP_REJECT:
        c.ping()
        return "Reject reason 0x%02x, connection still answers pings" % \
            p.hdr[2]
    if p.op == OP_SCSI_RSP and p.hdr[3] != 0:
        c.ping()
        return "SCSI status 0x%02x" % p.hdr[3]
    if p.op == OP_R2T:
        raise Fail("target asks for 2 GiB of data: %s" % p)
    raise Fail("unexpected %s" % p)


@case("read-with-data", "a READ carrying a data segment")
def c_read_with_data(args):
    c = logged_in(args)
    h = c.scsi_hdr(cdb_read10(0, 1), BLOCK, read=True, dlen=BLOCK)
    c.send(h, os.urandom(BLOCK))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


@case("reserved-attr", "a SCSI Command with task attribute 7 (reserved)")
def c_reserved_attr(args):
    c = logged_in(args)
    h = c.scsi_hdr(TUR, 0, attr=7)
    p, closed = send_and_see(c, h)
    if closed:
        return closed
    if p.op == OP_REJECT and p.hdr[2] in (REJ_PROTOCOL, REJ_INVALID_FIELD):
        c.ping()
        return "Reject reason 0x%02x" % p.hdr[2]
    if p.op == OP_SCSI_RSP and p.hdr[3] == 0x02:
        return "CHECK CONDITION"
    raise Fail("unexpected %s" % p)


@case("bad-lun", "a READ to LUN 1000, which does not exist")
def c_bad_lun(args):
    c = logged_in(args)
    rsp, data = c.scsi(cdb_read10(0, 1), BLOCK, read=True, lun=1000)
    if rsp.op != OP_SCSI_RSP or rsp.hdr[3] != 0x02:
        raise Fail("expected CHECK CONDITION, got %s" % rsp)
    c.ping()
    return "CHECK CONDITION"


@case("dataout-unknown-itt", "a Data-Out for an ITT that is not a command")
def c_dataout_unknown_itt(args):
    c = logged_in(args)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=BLOCK, itt=0x7777, f20=RSVD,
            f28=c.exp_statsn, tail=struct.pack(">III", 0, 0, 0))
    c.send(h, os.urandom(BLOCK))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


def write_r2t(c, blocks=16, lba=WRITE_LBA, lun=0):
    """A WRITE without immediate data; returns (itt, r2t)."""
    itt = c.itt()
    c.send(c.scsi_hdr(cdb_write10(lba, blocks), blocks * BLOCK,
                      write=True, itt=itt, lun=lun))
    r2t, _ = c.wait_for(lambda p: p.op == OP_R2T and p.itt == itt, 5.0,
                        "R2T")
    return itt, r2t


@case("dataout-bad-offset", "a Data-Out at the wrong buffer offset, then the right one")
def c_dataout_bad_offset(args):
    c = logged_in(args)
    data = os.urandom(16 * BLOCK)
    itt, r2t = write_r2t(c)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=BLOCK, itt=itt, f20=r2t.f20,
            f28=c.exp_statsn, tail=struct.pack(">III", 0, 0, 4096))
    c.send(h, data[:BLOCK])
    msg = expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD),
                                 recheck=False)
    if msg.startswith("connection closed"):
        return msg
    c.data_out(itt, r2t.f20, r2t.u32(40), data[:r2t.u32(44)])
    p, _ = c.wait_for(lambda p: p.itt == itt, 10.0, "response to the WRITE")
    if p.op == OP_R2T:
        raise Fail("a second R2T (%s) after the whole buffer was sent" % p)
    if p.op != OP_SCSI_RSP or p.hdr[3] != 0:
        raise Fail("WRITE completed with %s" % p)
    rsp, back = c.scsi(cdb_read10(WRITE_LBA, 16), 16 * BLOCK, read=True)
    if back != data:
        raise Fail("data read back differs from what was written")
    c.logout()
    return msg + "; the right Data-Out then completed the WRITE and it reads back"


@case("dataout-bad-datasn", "a Data-Out with DataSN 5 instead of 0")
def c_dataout_bad_datasn(args):
    c = logged_in(args)
    itt, r2t = write_r2t(c)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=r2t.u32(44), itt=itt, f20=r2t.f20,
            f28=c.exp_statsn, tail=struct.pack(">III", 0, 5, 0))
    c.send(h, os.urandom(r2t.u32(44)))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


@case("dataout-over-edtl", "a Data-Out running past the end of the command's buffer")
def c_dataout_over_edtl(args):
    c = logged_in(args)
    itt, r2t = write_r2t(c, 2)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=4 * BLOCK, itt=itt, f20=r2t.f20,
            f28=c.exp_statsn, tail=struct.pack(">III", 0, 0, 0))
    c.send(h, os.urandom(4 * BLOCK))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


@case("dataout-bad-ttt", "a Data-Out with a Target Transfer Tag the target never gave")
def c_dataout_bad_ttt(args):
    c = logged_in(args)
    itt, r2t = write_r2t(c)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=BLOCK, itt=itt,
            f20=(r2t.f20 + 0x1234) & 0x7fffffff, f28=c.exp_statsn,
            tail=struct.pack(">III", 0, 0, 0))
    c.send(h, os.urandom(BLOCK))
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_INVALID_FIELD))


@case("dup-itt-write", "a second WRITE with the ITT of one still waiting for data")
def c_dup_itt_write(args):
    c = logged_in(args)
    itt, _ = write_r2t(c)
    h = c.scsi_hdr(cdb_write10(WRITE_LBA + 64, 16), 16 * BLOCK, write=True,
                   itt=itt)
    p, closed = send_and_see(c, h)
    if closed:
        return closed
    if p.op == OP_REJECT and p.hdr[2] in (REJ_TASK_IN_PROGRESS,
                                          REJ_PROTOCOL):
        c.logout()
        return "Reject reason 0x%02x, then logged out cleanly" % p.hdr[2]
    raise Fail("unexpected %s" % p)


@case("header-digest-wrong", "a wrong header digest after negotiating HeaderDigest=CRC32C")
def c_header_digest_wrong(args):
    c = logged_in(args, hdr_digest=True)
    c.ping()
    rsp, data = c.scsi(cdb_read10(0, 8), 8 * BLOCK, read=True)
    if rsp.hdr[3] != 0 or len(data) != 8 * BLOCK:
        raise Fail("READ with digests: %s" % rsp)
    c.send(c.nop_hdr(), bad_digest=True)
    seen = expect_close(c, 5.0, "after a bad header digest")
    return "digests work both ways; a wrong one closed the connection" + \
        (" after " + ", ".join(seen) if seen else "")


@case("nop-flood", "1000 NOP-Out pings back to back, all answered with their data")
def c_nop_flood(args):
    c = logged_in(args)
    sent = {}
    out = bytearray()
    for i in range(1000):
        itt = c.itt()
        data = bytes([i & 0xff]) * (i % 64)
        sent[itt] = data
        out += c.frame(c.nop_hdr(itt, len(data)), data)
    err = []

    def sender():
        try:
            c.send_raw(bytes(out))
        except Closed as e:
            err.append(e)
    t = threading.Thread(target=sender)
    t.start()
    last = None
    deadline = time.monotonic() + 60
    while sent:
        p = c.next(max(0.01, deadline - time.monotonic()))
        if p.op != OP_NOP_IN or p.itt not in sent:
            raise Fail("unexpected %s in the flood" % p)
        if p.data != sent.pop(p.itt):
            raise Fail("NOP-In 0x%08x carries the wrong data" % p.itt)
        if last is not None and p.statsn != (last + 1) & RSVD:
            raise Fail("StatSN jumped from %u to %u" % (last, p.statsn))
        last = p.statsn
    t.join(10)
    if err:
        raise Fail(str(err[0]))
    c.logout()
    return "1000 pings answered in order with their data"


@case("nop-nonimmediate-flood", "300 non-immediate NOP-Outs, CmdSN within MaxCmdSN each time")
def c_nop_nonimmediate_flood(args):
    c = logged_in(args)
    pending = set()
    n = 0
    while n < 300 or pending:
        while n < 300 and ((c.max_cmdsn - c.cmdsn) & RSVD) < 0x80000000:
            itt = c.itt()
            c.send(c.nop_hdr(itt, immediate=False))
            pending.add(itt)
            n += 1
        p = c.next(10.0)
        if p.op != OP_NOP_IN or p.itt not in pending:
            raise Fail("unexpected %s" % p)
        pending.discard(p.itt)
    c.logout()
    return "300 answered"


@case("nop-bogus-ttt", "a NOP-Out answering a ping the target never sent")
def c_nop_bogus_ttt(args):
    c = logged_in(args)
    h = c.nop_hdr(itt=RSVD, ttt=0x1234)
    c.send(h)
    kind, p = react(c, 2.0)
    if kind == "close":
        return "connection closed (%s)" % p
    if kind == "pdu" and p.op != OP_REJECT:
        raise Fail("unexpected %s" % p)
    c.ping()
    return "ignored" if kind == "silence" else "Reject reason 0x%02x" % p.hdr[2]


@case("read-edtl-zero", "READ(10) of one block with Expected Data Transfer Length 0")
def c_read_edtl_zero(args):
    c = logged_in(args)
    rsp, data = c.scsi(cdb_read10(0, 1), 0, read=True)
    if rsp.op != OP_SCSI_RSP:
        raise Fail("got %s" % rsp)
    if data:
        raise Fail("%d bytes of Data-In for EDTL 0" % len(data))
    if rsp.hdr[3] == 0 and (not rsp.flags & 0x04 or rsp.u32(44) != BLOCK):
        raise Fail("GOOD without residual overflow of 512: %s" % rsp)
    c.ping()
    return "answered: %s" % rsp


@case("read-edtl-huge", "READ(10) of 8 blocks with Expected Data Transfer Length 0xffffffff")
def c_read_edtl_huge(args):
    c = logged_in(args)
    rsp, data = c.scsi(cdb_read10(0, 8), 0xffffffff, read=True)
    if len(data) > 8 * BLOCK:
        raise Fail("%d bytes of Data-In for 8 blocks" % len(data))
    if rsp.hdr[3] == 0 and (not rsp.flags & 0x02 or
                            rsp.u32(44) != 0xffffffff - 8 * BLOCK):
        raise Fail("GOOD without residual underflow of %d: %s" %
                   (0xffffffff - 8 * BLOCK, rsp))
    c.ping()
    return "answered: %s, %d bytes" % (rsp, len(data))


@case("read-overflow", "READ(10) of 64 blocks with EDTL 512")
def c_read_overflow(args):
    c = logged_in(args)
    rsp, data = c.scsi(cdb_read10(0, 64), BLOCK, read=True)
    if len(data) > BLOCK:
        raise Fail("%d bytes of Data-In for EDTL 512" % len(data))
    if rsp.hdr[3] == 0 and (not rsp.flags & 0x04 or
                            rsp.u32(44) != 63 * BLOCK):
        raise Fail("GOOD without residual overflow of %d: %s" %
                   (63 * BLOCK, rsp))
    c.ping()
    return "answered: %s, %d bytes" % (rsp, len(data))


@case("tmf-abort-unknown", "ABORT TASK for an ITT that was never used")
def c_tmf_abort_unknown(args):
    c = logged_in(args)
    r = c.tmf(TMF_ABORT_TASK, ref_itt=0x5555)
    if r not in (0, 1):
        raise Fail("TMF response %d, expected 0 or 1" % r)
    c.ping()
    return "TMF response %d" % r


@case("tmf-warm-reset", "TARGET WARM RESET and COLD RESET from a demo-mode initiator")
def c_tmf_warm_reset(args):
    c = logged_in(args)
    r = c.tmf(TMF_TARGET_WARM_RESET)
    if r != 6:
        raise Fail("WARM RESET answered %d, expected 6 (authorization failed)"
                   % r)
    r = c.tmf(TMF_TARGET_COLD_RESET)
    if r != 6:
        raise Fail("COLD RESET answered %d, expected 6" % r)
    c.ping()
    return "both answered 6 (authorization failed)"


@case("tmf-reassign-erl0", "TASK REASSIGN at ErrorRecoveryLevel 0")
def c_tmf_reassign(args):
    c = logged_in(args)
    r = c.tmf(TMF_TASK_REASSIGN, ref_itt=0x4444)
    if r not in (4, 5, 1):
        raise Fail("TASK REASSIGN answered %d" % r)
    c.ping()
    return "TMF response %d" % r


@case("tmf-bad-function", "a TMF request with function 0x55 (reserved)")
def c_tmf_bad_function(args):
    c = logged_in(args)
    itt = c.itt()
    h = bhs(OP_TMF, 0x80 | 0x55, itt=itt, f20=RSVD, f24=c.cmdsn,
            f28=c.exp_statsn, immediate=True)
    p, closed = send_and_see(c, h)
    if closed:
        return closed
    if p.op == OP_TMF_RSP and p.hdr[2] in (5, 255):
        c.ping()
        return "TMF response %d" % p.hdr[2]
    if p.op == OP_REJECT:
        c.ping()
        return "Reject reason 0x%02x" % p.hdr[2]
    raise Fail("unexpected %s" % p)


@case("tmf-abort-task-set", "ABORT TASK SET on LUN 0 while another initiator does I/O: answered promptly")
def c_tmf_abort_task_set(args):
    c = logged_in(args)
    t0 = time.monotonic()
    r = c.tmf(TMF_ABORT_TASK_SET, timeout=10.0)
    if r != 0:
        raise Fail("ABORT TASK SET answered %d" % r)
    c.ping()
    return "function complete after %.1f s" % (time.monotonic() - t0)


@case("tmf-lun-reset", "LUN RESET (run without other initiators)")
def c_tmf_lun_reset(args):
    c = logged_in(args)
    r = c.tmf(TMF_LUN_RESET, timeout=10.0)
    if r != 0:
        raise Fail("LUN RESET answered %d" % r)
    c.ping()
    return "function complete"


@case("snack-erl0", "a SNACK at ErrorRecoveryLevel 0")
def c_snack_erl0(args):
    c = logged_in(args)
    h = bhs(OP_SNACK, 0x80 | 0, itt=0x1234, f20=RSVD, f28=c.exp_statsn,
            tail=struct.pack(">IIII", 0, 0, 0, 0))
    c.send(h)
    return expect_reject_or_close(c, h, (REJ_PROTOCOL, REJ_NOT_SUPPORTED,
                                         0x03))


def sendtargets_parse(data):
    """{TargetName: set of TargetAddress} from a SendTargets answer."""
    out = {}
    name = None
    for item in data.split(b"\0"):
        if not item:
            continue
        k, _, v = item.decode().partition("=")
        if k == "TargetName":
            name = v
            out.setdefault(name, set())
        elif k == "TargetAddress" and name is not None:
            out[name].add(v)
        else:
            raise Fail("unexpected key in a SendTargets answer: %r" % item)
    return out


def expected_portals(args):
    """TargetAddress values of every enabled TPG of --target, from
    configfs (np/<ip>:<port> of tpgt_<N> -> <ip>:<port>,<N>)."""
    wwn = os.path.dirname(need_tpg(args).rstrip("/"))
    out = set()
    for d in os.listdir(wwn):
        if not d.startswith("tpgt_"):
            continue
        with open(os.path.join(wwn, d, "enable")) as f:
            if f.read().strip() != "1":
                continue
        for np in os.listdir(os.path.join(wwn, d, "np")):
            out.add("%s,%s" % (np, d[5:]))
    return out


def check_portals(args, answer):
    got = sendtargets_parse(answer).get(args.target)
    want = expected_portals(args)
    if got != want:
        raise Fail("SendTargets: %s has %s, expected %d portals (missing "
                   "%s, extra %s)" % (args.target, "no entry" if got is None
                                      else "%d portals" % len(got),
                                      len(want), sorted(want - (got or set())),
                                      sorted((got or set()) - want)))
    return len(want)


@case("text-sendtargets", "Text SendTargets=All in a normal session: only the session's own target")
def c_text_sendtargets(args):
    c = logged_in(args)
    answer, _ = c.text_exchange(keys_bytes([("SendTargets", "All")]))
    got = sendtargets_parse(answer)
    if list(got) != [args.target] or not got[args.target]:
        raise Fail("SendTargets=All in a normal session answered %s" %
                   {k: sorted(v) for k, v in got.items()})
    c.ping()
    c.logout()
    return "own target only, %d portal(s)" % len(got[args.target])


@case("text-long-sendtargets", "SendTargets=All in a discovery session with MaxRecvDataSegmentLength 512: the answer in C-bit pieces, every portal there (--tpg)")
def c_text_long_sendtargets(args):
    c = Conn(args)
    c.login_discovery(512)
    answer, pieces = c.text_exchange(keys_bytes([("SendTargets", "All")]))
    if pieces < 2:
        raise Fail("a %d-byte answer in one PDU" % len(answer))
    n = check_portals(args, answer)
    c.logout()
    return "%d bytes in %d PDUs, all %d portals of %s" % (
        len(answer), pieces, n, args.target)


@case("text-split-request", "a SendTargets request sent in 4-byte C-bit pieces, each acknowledged; then the long answer (--tpg)")
def c_text_split_request(args):
    c = Conn(args)
    c.login_discovery(512)
    req = keys_bytes([("SendTargets", args.target)])
    answer, pieces = c.text_exchange(req, split=4)
    n = check_portals(args, answer)
    c.logout()
    return "request in %d pieces, answer in %d PDUs with all %d portals" % (
        (len(req) + 3) // 4, pieces, n)


@case("text-bad-continuation", "a long Text answer continued with a wrong TTT, interrupted by another ITT, reset, then finished (--tpg)")
def c_text_bad_continuation(args):
    c = Conn(args)
    c.login_discovery(512)
    req = keys_bytes([("SendTargets", "All")])
    itt = c.itt()
    _, first = c.text_send(req, itt)
    if c.text_piece(first, itt):
        raise Fail("a one-PDU answer: the test needs a long one")
    ttt = first.f20
    h, p = c.text_send(b"", itt, ttt ^ 0x5a5a)
    if p.op != OP_REJECT or p.hdr[2] != REJ_INVALID_FIELD or \
            p.data[:48] != h:
        raise Fail("a continuation with a wrong TTT: %s, expected Reject "
                   "0x09 carrying it" % p)
    h, p = c.text_send(req, c.itt())
    if p.op != OP_REJECT or p.hdr[2] != REJ_PROTOCOL or p.data[:48] != h:
        raise Fail("a new Text Request with another ITT in the middle of "
                   "an answer: %s, expected Reject 0x04" % p)
    # a reset: the same ITT and TTT 0xffffffff starts over
    _, again = c.text_send(req, itt)
    if again.data != first.data or c.text_piece(again, itt):
        raise Fail("after a reset the answer does not start over: %s" %
                   again)
    out = bytearray(again.data)
    p = again
    while not c.text_piece(p, itt):
        _, p = c.text_send(b"", itt, p.f20)
        out += p.data
    sendtargets_parse(bytes(out))
    h, p = c.text_send(b"", itt, p.f20 if p.f20 != RSVD else ttt)
    if p.op != OP_REJECT or p.hdr[2] != REJ_INVALID_FIELD:
        raise Fail("a continuation after the last piece: %s, expected "
                   "Reject 0x09" % p)
    c.logout()
    return "wrong TTT and another ITT rejected (CmdSN not taken), reset " \
        "restarted the answer, which then ended"


@case("text-garbage", "a Text request with 40 keys, a non-UTF-8 value and no final NUL")
def c_text_garbage(args):
    c = logged_in(args)
    itt = c.itt()
    data = keys_bytes([("X-k%d" % i, "v") for i in range(40)]) + \
        b"X-bad=\xff\xfe"
    h = bhs(OP_TEXT, F_FINAL, dlen=len(data), itt=itt, f20=RSVD,
            f24=c.take_cmdsn(False), f28=c.exp_statsn)
    p, closed = send_and_see(c, h, data)
    if closed:
        return closed
    if p.op in (OP_TEXT_RSP, OP_REJECT):
        c.ping()
        return "answered with %s" % p
    raise Fail("unexpected %s" % p)


@case("logout", "Logout: a Logout response, then the target closes")
def c_logout(args):
    c = logged_in(args)
    c.logout()
    return "Logout response 0, then closed"


@case("logout-bad-reason", "Logout with reason code 0x55 (reserved)")
def c_logout_bad_reason(args):
    c = logged_in(args)
    h = bhs(OP_LOGOUT, 0x80 | 0x55, itt=c.itt(), f20=1 << 16, f24=c.cmdsn,
            f28=c.exp_statsn, immediate=True)
    p, closed = send_and_see(c, h)
    if closed:
        return closed
    if p.op == OP_REJECT or (p.op == OP_LOGOUT_RSP and p.hdr[2] != 0):
        return "answered with %s" % p
    raise Fail("unexpected %s" % p)


@case("logout-pending-write", "Logout while a WRITE waits for its Data-Out")
def c_logout_pending_write(args):
    c = logged_in(args)
    write_r2t(c)
    c.logout()
    return "Logout response 0, then closed"


@case("logout-inflight", "Logout right after an 8 MiB READ (all read): Data-In, status, then the Logout response")
def c_logout_inflight(args):
    c = logged_in(args)
    c.send(c.scsi_hdr(cdb_read10(0, 16384), 16384 * BLOCK, read=True))
    c.logout(timeout=15.0)
    return "Logout response after the READ completed, then closed"


@case("close-mid-pdu", "the initiator vanishes in the middle of a Data-Out")
def c_close_mid_pdu(args):
    c = logged_in(args)
    itt, r2t = write_r2t(c)
    h = bhs(OP_DATA_OUT, F_FINAL, dlen=r2t.u32(44), itt=itt, f20=r2t.f20,
            f28=c.exp_statsn, tail=struct.pack(">III", 0, 0, 0))
    c.send_raw(h + os.urandom(r2t.u32(44) // 2))
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.close()
    return "reset the connection mid-PDU"


@case("reinstatement", "a second login with the same initiator name and ISID replaces the first session")
def c_reinstatement(args):
    a = logged_in(args)
    a.ping()
    b = Conn(args, isid=a.isid)
    b.login()
    b.ping()
    expect_close(a, 5.0, "(old session, reinstated)")
    b.logout()
    return "old connection closed, new session works"


@case("many-sessions", "16 sessions each leaving READs in flight, then all reset at once")
def c_many_sessions(args):
    conns = []
    for i in range(16):
        c = logged_in(args, initiator="%s-m%d" % (args.initiator, i))
        for _ in range(8):
            c.send(c.scsi_hdr(cdb_read10(i * 256, 128), 128 * BLOCK,
                              read=True))
        conns.append(c)
    time.sleep(0.5)
    for c in conns:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          struct.pack("ii", 1, 0))
        c.close()
    return "16 sessions reset with commands in flight"


def stall_tx(c, mib=8):
    """A big READ whose Data-In we do not read: the target's transmit
    side blocks on a full socket."""
    blocks = mib * 2048
    c.send(c.scsi_hdr(cdb_read10(0, blocks), blocks * BLOCK, read=True))
    time.sleep(1.5)


@case("abort-queued-r2t", "ABORT TASK for a WRITE whose R2T is still queued behind a stalled Data-In")
def c_abort_queued_r2t(args):
    c = logged_in(args, rcvbuf=4096)
    itts = []
    stall_tx(c)
    for i in range(4):
        itt = c.itt()
        itts.append(itt)
        c.send(c.scsi_hdr(cdb_write10(WRITE_LBA + i * 16, 16), 16 * BLOCK,
                          write=True, itt=itt))
        time.sleep(0.1)
        c.send(bhs(OP_TMF, 0x80 | TMF_ABORT_TASK, itt=c.itt(), f20=itt,
                   f24=c.cmdsn, f28=c.exp_statsn,
                   tail=struct.pack(">II", 0, 0), immediate=True))
    pings = []
    for i in range(8):
        itt = c.itt()
        pings.append(itt)
        c.send(c.nop_hdr(itt))
    bad = []
    got_pings = 0
    deadline = time.monotonic() + 60
    while got_pings < len(pings):
        p = c.next(max(0.01, deadline - time.monotonic()))
        if p.op == OP_R2T and p.itt not in itts:
            bad.append(str(p))
        if p.op == OP_NOP_IN and p.itt in pings:
            got_pings += 1
    if bad:
        raise Fail("R2T for a task that is not ours (the aborted task's "
                   "memory was reused): %s" % "; ".join(bad))
    c.logout()
    return "no R2T with a foreign ITT; all pings answered"


@case("logout-unread", "Logout while the initiator does not read a big Data-In; hold 45 s, then vanish")
def c_logout_unread(args):
    c = logged_in(args, rcvbuf=4096)
    stall_tx(c)
    c.send(bhs(OP_LOGOUT, 0x80, itt=c.itt(), f20=1 << 16, f24=c.cmdsn,
               f28=c.exp_statsn, immediate=True))
    time.sleep(args.hold)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.close()
    return "held %d s without reading, then reset" % args.hold


@case("write-no-data-pile", "8 WRITEs of 16 MiB each that never get their data, then vanish")
def c_write_no_data_pile(args):
    c = logged_in(args)
    for i in range(8):
        c.send(c.scsi_hdr(cdb_write10(WRITE_LBA, 32768), 16 << 20,
                          write=True))
    c.ping(10.0)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.close()
    return "target kept answering pings; connection reset"


def cfs_write(path, value):
    """Write a configfs attribute (the cases that change the target's
    configuration run as root in the guest)."""
    with open(path, "w") as f:
        f.write(value)


def need_tpg(args):
    if not args.tpg or not os.path.isdir(args.tpg):
        raise Fail("needs --tpg <the configfs tpgt_N folder of --target>")
    return args.tpg


def wait_session_gone(args, initiator, timeout=10.0):
    """Until the TPG shows no session of @initiator any more (its ACL's
    info, or dynamic_sessions in demo mode)."""
    info = os.path.join(args.tpg, "acls", initiator, "info")
    dyn = os.path.join(args.tpg, "dynamic_sessions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(info):
            with open(info) as f:
                if f.read().startswith("No active iSCSI Session"):
                    return
        else:
            with open(dyn) as f:
                if initiator not in f.read().split():
                    return
        time.sleep(0.1)
    raise Fail("session of %s still listed after %.0f s" % (initiator,
                                                           timeout))


def expect_async_drop(c, timeout=5.0):
    """The Async Message announcing that the target drops the session's
    connections: AsyncEvent 3, Time2Wait and Time2Retain as negotiated,
    StatSN the next one, LUN 0, ITT 0xffffffff."""
    deadline = time.monotonic() + timeout
    while True:
        statsn, cmdsn = c.exp_statsn, c.cmdsn
        try:
            p = c.recv(max(0.01, deadline - time.monotonic()))
        except Closed as e:
            raise Fail("connection closed without an Async Message") from e
        except Silence as e:
            raise Fail("no Async Message within %.0f s" % timeout) from e
        if p.op == OP_NOP_IN and p.itt == RSVD:
            continue
        if p.op != OP_ASYNC:
            raise Fail("expected an Async Message, got %s" % p)
        break
    t2w = int(c.keys.get("DefaultTime2Wait", "-1"))
    t2r = int(c.keys.get("DefaultTime2Retain", "-1"))
    got = (p.hdr[36], struct.unpack_from(">HH", p.hdr, 40))
    if got != (3, (t2w, t2r)):
        raise Fail("Async Message event %d Time2Wait %d Time2Retain %d, "
                   "expected event 3, %d, %d" % (got[0], got[1][0],
                                                 got[1][1], t2w, t2r))
    if p.itt != RSVD or p.hdr[8:16] != bytes(8) or not p.flags & F_FINAL:
        raise Fail("Async Message with ITT 0x%08x, LUN %s, flags 0x%02x" %
                   (p.itt, p.hdr[8:16].hex(), p.flags))
    if p.statsn != statsn or p.exp_cmdsn != cmdsn:
        raise Fail("Async Message StatSN %u ExpCmdSN %u, expected %u %u" %
                   (p.statsn, p.exp_cmdsn, statsn, cmdsn))
    return p


@case("async-drop", "the TPG is disabled under a session: an Async Message (event 3) comes before the close (--tpg)")
def c_async_drop(args):
    tpg = need_tpg(args)
    c = logged_in(args)
    c.ping()
    cfs_write(os.path.join(tpg, "enable"), "0")
    try:
        p = expect_async_drop(c)
        seen = expect_close(c, 5.0, "after the Async Message")
        if seen:
            raise Fail("%s after the Async Message" % ", ".join(seen))
        wait_session_gone(args, c.initiator)
    finally:
        cfs_write(os.path.join(tpg, "enable"), "1")
    return "Async Message (event 3, Time2Wait %d, Time2Retain %d), then " \
        "closed" % struct.unpack_from(">HH", p.hdr, 40)


def expect_ua(c, who):
    """The next command of @c fails with a unit attention 29/xx (reset)."""
    rsp, _ = c.scsi(TUR, 0)
    sense = rsp.sense()
    if rsp.hdr[3] != 0x02 or not sense or sense[0] != 6 or sense[1] != 0x29:
        raise Fail("%s: TEST UNIT READY after the reset: %s, expected a "
                   "unit attention 29/xx" % (who, rsp))
    return "%x/%02x/%02x" % sense


def other_initiator(args):
    return "%s-other" % args.initiator


def other_tpg_session(args):
    """With --host2, a session through another TPG of the same target."""
    if not args.host2:
        return None
    a2 = argparse.Namespace(**vars(args))
    a2.host = args.host2
    return logged_in(a2, initiator="%s-tpg2" % args.initiator)


def reset_sessions(args, function, name):
    """The asker (-i), a demo-mode initiator and, with --host2, a session
    of the other TPG (else None); the demo-mode initiator's target reset
    @function (@name) must be refused (6, authorization failed)."""
    a = logged_in(args)
    b = logged_in(args, initiator=other_initiator(args))
    t2 = other_tpg_session(args)
    r = b.tmf(function)
    if r != 6:
        raise Fail("%s from a demo-mode initiator answered %d, expected 6" %
                   (name, r))
    return a, b, t2


@case("tmf-warm-reset-authorised", "TARGET WARM RESET from an ACL with attrib/tmr_warm_reset (-i, --tpg): complete, every session (the asker's too) gets a unit attention")
def c_tmf_warm_reset_authorised(args):
    attr = os.path.join(need_tpg(args), "acls", args.initiator, "attrib",
                        "tmr_warm_reset")
    a, b, t2 = reset_sessions(args, TMF_TARGET_WARM_RESET, "WARM RESET")
    cfs_write(attr, "0")
    try:
        r = a.tmf(TMF_TARGET_WARM_RESET)
    finally:
        cfs_write(attr, "1")
    if r != 6:
        raise Fail("WARM RESET with tmr_warm_reset 0 answered %d, expected "
                   "6" % r)
    r = a.tmf(TMF_TARGET_WARM_RESET, timeout=30.0)
    if r != 0:
        raise Fail("authorised WARM RESET answered %d, expected 0" % r)
    ua = expect_ua(b, "other session")
    if t2:
        ua += ", the other TPG's session " + expect_ua(t2, "other TPG")
        t2.logout()
    ua += ", the asker " + expect_ua(a, "asker")
    rsp, _ = a.scsi(TUR, 0)
    if rsp.hdr[3] != 0:
        raise Fail("the asker got %s once told of its reset" % rsp)
    a.logout()
    b.logout()
    return "refused (6) without the attribute; complete with it, the " \
        "other session then got %s" % ua


@case("tmf-cold-reset-authorised", "TARGET COLD RESET from an ACL with attrib/tmr_cold_reset (-i, --tpg): complete, then every session of the target is ended")
def c_tmf_cold_reset_authorised(args):
    need_tpg(args)
    a, b, t2 = reset_sessions(args, TMF_TARGET_COLD_RESET, "COLD RESET")
    b.ping()
    r = a.tmf(TMF_TARGET_COLD_RESET, timeout=30.0)
    if r != 0:
        raise Fail("authorised COLD RESET answered %d, expected 0" % r)
    ended = [(a, "asker"), (b, "other session")]
    if t2:
        ended.append((t2, "other TPG's session"))
    for c, who in ended:
        try:
            expect_async_drop(c)
            seen = expect_close(c, 5.0, "after the Async Message")
        except Fail as e:
            raise Fail("%s: %s" % (who, e)) from e
        if seen:
            raise Fail("%s: %s after the Async Message" %
                       (who, ", ".join(seen)))
    wait_session_gone(args, b.initiator)
    c = Conn(args, initiator=b.initiator)
    c.login()
    ua = expect_ua(c, "new session")
    c.logout()
    return "complete; %d sessions got the Async Message and were " \
        "closed; a new session got %s" % (len(ended), ua)


@case("victim", "well-behaved write/read-verify loop for --seconds or until --stop-file exists")
def c_victim(args):
    c = logged_in(args, initiator=args.initiator)
    t0 = time.monotonic()
    end = t0 + args.seconds
    n = 0
    lba = 50000
    while time.monotonic() < end and not (args.stop_file and
                                          os.path.exists(args.stop_file)):
        data = os.urandom(64 * BLOCK)
        rsp = c.write(lba + (n % 64) * 64, data)
        if rsp.hdr[3] != 0:
            raise Fail("WRITE %d failed after %.0f s: %s" %
                       (n, time.monotonic() - t0, rsp))
        rsp, back = c.scsi(cdb_read10(lba + (n % 64) * 64, 64), 64 * BLOCK,
                           read=True)
        if rsp.hdr[3] != 0 or back != data:
            raise Fail("READ %d after %.0f s: %s, data %s" %
                       (n, time.monotonic() - t0, rsp,
                        "same" if back == data else "differs"))
        n += 1
        time.sleep(args.pause)
    c.logout()
    return "%d write/read-verify rounds of 32 KiB" % n


def case_parser(doc, target):
    """The options every case runner (this file, recovery.py, cmdpath.py,
    teardown.py) shares; each adds its own."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, default=3260)
    ap.add_argument("-t", "--target", default=target)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every PDU")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    return ap


def case_args(ap, cases):
    """Parse the command line: None after --list (printed), else the
    arguments of a known case (VERBOSE set)."""
    global VERBOSE
    args = ap.parse_args()
    if args.list:
        for name, (_, doc) in cases.items():
            print("%-22s %s" % (name, doc))
        return None
    VERBOSE = args.verbose
    if args.case not in cases:
        ap.error("unknown case %r (see --list)" % args.case)
    return args


def main():
    ap = case_parser(__doc__, DEF_TARGET)
    ap.add_argument("-i", "--initiator", default=None)
    ap.add_argument("--seconds", type=float, default=30,
                    help="how long the victim case runs")
    ap.add_argument("--pause", type=float, default=0,
                    help="the victim's pause between rounds (s)")
    ap.add_argument("--stop-file", default=None,
                    help="the victim case stops when this file appears")
    ap.add_argument("--hold", type=int, default=45,
                    help="how long logout-unread holds the connection")
    ap.add_argument("--host2", default=None,
                    help="a portal of another TPG of --target (target "
                    "resets span TPGs)")
    ap.add_argument("--tpg", default=None,
                    help="configfs tpgt_N folder of --target, for the "
                    "cases that change its configuration")
    return case_main(ap, CASES, DEF_INITIATOR)


def case_main(ap, cases, initiator=None):
    """A runner's main(): parse with case_args(), run the case.  Unless
    the command line named one, the initiator is @initiator-<case>."""
    args = case_args(ap, cases)
    if args is None:
        return 0
    if initiator and not getattr(args, "initiator", None):
        args.initiator = "%s-%s" % (initiator, args.case)
    return run_case(cases, args)


def run_case(cases, args):
    """Run cases[args.case]; its verdict is the last line; exit status."""
    fn, doc = cases[args.case]
    log("%s: %s" % (args.case, doc))
    try:
        msg = fn(args)
    except (Fail, LoginRejected) as e:
        log("FAIL: %s: %s" % (args.case, e))
        return 1
    except Closed as e:
        log("FAIL: %s: connection closed unexpectedly (%s)" % (args.case, e))
        return 1
    except Silence:
        if VERBOSE:
            traceback.print_exc(file=sys.stdout)
        log("FAIL: %s: no answer in time" % args.case)
        return 1
    except OSError as e:
        log("FAIL: %s: %s" % (args.case, e))
        return 1
    log("ok: %s: %s" % (args.case, msg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
