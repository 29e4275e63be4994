#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""netfuzz.py - a seeded, stateful network fuzzer for ktarget's iSCSI target.

Several workers run *sequences* of PDUs against the target: a login of
some kind (normal, discovery, CHAP with the right and the wrong secret,
a connection added to a session with its TSIH, a connection or session
reinstated, bad keys, C-bit login text), then operations in full feature
phase (SCSI commands with random CDBs, flags, direction bits and EDTL,
immediate data, Data-Out with mostly right and sometimes wrong offsets,
DataSN and TTT, SNACKs, task management, Text, NOP-Out, logouts of every
reason, dropped connections, also in the middle of a PDU, added
connections, TASK REASSIGN) with ErrorRecoveryLevel 0, 1 or 2 and digests
negotiated at random.  An admin thread meanwhile changes configfs: a
second target of the module comes and goes (TPGs, portals, LUNs, ACLs,
mapped LUNs, enable, attributes), the fuzzed target gets occasional
attribute changes.  A monitor watches the kernel log and logs a probe
initiator in every few seconds: a kernel report or a probe that does not
finish within --hang seconds is a finding.

Sequences that make the target answer in a new way (or, on a kernel with
/sys/kernel/debug/kcov, that reach new code of our modules from the
fuzzer's own system calls) are kept in a corpus and mutated later.

One --seed gives every worker and the admin thread the same decisions;
the interleaving of the threads and the target's answers are not
reproducible, so a replay re-runs the same streams, not the same bytes.
On a finding: the seeds, the replay command and the last PDUs sent and
received.  Exit status 0 when nothing was found, 1 on a finding.

Python 3 standard library only; imports tests/iscsi/hostile.py and
recovery.py for PDUs and connections.
"""

import argparse
import collections
import hashlib
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "iscsi"))
sys.path.insert(0, HERE)
import hostile as H  # noqa: E402
import recovery as R  # noqa: E402
import pdus as G  # noqa: E402
from kcov import Kcov, RemoteKcov  # noqa: E402
from admin import Admin  # noqa: E402

RSVD = H.RSVD
EXC = (H.Fail, H.Closed, H.Silence, H.LoginRejected, OSError, socket.timeout,
       ValueError, struct.error)

# Behaviours that once led to known defects (Documentation/fuzzing.rst,
# tests/netfuzz/FINDINGS.md); all fixed, so the default avoids none.
KNOWN = {
    "big-edtl": "EDTL/transfer lengths over 1 MiB (issue 7, 5: unbounded write buffers)",
    "big-alloc": "32-bit allocation lengths (issue 7, 5: REPORT LUNS/READ CAPACITY(16))",
    "long-serial": "vpd_unit_serial over 64 bytes (issue 7, 1.1: VPD 0x83 overflow)",
    "read-flag-on-write": "R bit on a WRITE CDB (issue 7, 1.4: unzeroed pages written)",
    "no-read": "connections that stop reading (issue 7, 1.10: pinned LUNs)",
    "stall-login": "logins held open while the admin removes their TPG (issue 7, 1.2)",
    "task-reassign": "TMF TASK REASSIGN (FINDINGS.md F2: NULL dereference in kti_tx)",
    "tpg-close": "enable=0 or rmdir of a TPG with sessions (FINDINGS.md F3: sleeping under a spinlock)",
}
DEFAULT_AVOID = ""

DMESG_BAD = re.compile(
    r"WARNING:|BUG:|kernel BUG|Oops|Call Trace:|hung task|blocked for more "
    r"than|refcount_t:|list_(add|del) corruption|list corruption|Slab cache "
    r"still has objects|general protection fault|Kernel panic|UBSAN:|KASAN:|"
    r"stack-protector|double fault|kmemleak:|possible circular locking|"
    r"inconsistent lock state|sleeping function called")


# ---------------------------------------------------------------- history

class History:
    """The last PDUs of every thread, in time order."""

    def __init__(self, n):
        self.ring = collections.deque(maxlen=n)
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def add(self, who, text):
        with self.lock:
            self.ring.append((time.monotonic() - self.t0, who, text))

    def dump(self):
        with self.lock:
            return ["%8.3f %-8s %s" % e for e in self.ring]


def pdu_text(hdr, dlen):
    """One line for a PDU we send: opcode, flags, tags and sequence fields."""
    op = hdr[0] & 0x3f
    return "-> op=0x%02x%s fl=0x%02x itt=0x%08x f20=0x%08x f24=0x%08x " \
        "f28=0x%08x +%d %s" % (op, " I" if hdr[0] & 0x40 else "", hdr[1],
                               H.be32(hdr, 16), H.be32(hdr, 20),
                               H.be32(hdr, 24), H.be32(hdr, 28), dlen,
                               hdr[32:48].hex() if op in (H.OP_SCSI_CMD,
                                                          H.OP_SNACK,
                                                          H.OP_DATA_OUT,
                                                          H.OP_TMF) else "")


# ---------------------------------------------------------------- state

class Sess:
    """The numbering shared by the connections of one session (what
    recovery.MConn expects from its session)."""

    def __init__(self, cfg, target, initiator, isid=None, portal=None):
        self.args = types.SimpleNamespace(host=portal or cfg.host,
                                          port=cfg.port, target=target,
                                          initiator=initiator)
        self.initiator = initiator
        self.isid = isid or b"\x80" + os.urandom(3) + b"\x00\x01"
        self.tsih = 0
        self.cmdsn = 1
        self.next_itt = 0x100
        self.erl = 0
        self.discovery = False
        self.keys = {}

    def itt(self):
        self.next_itt = (self.next_itt + 1) & 0xfffffffe
        return self.next_itt

    def take_cmdsn(self):
        sn = self.cmdsn
        self.cmdsn = (self.cmdsn + 1) & RSVD
        return sn


class FConn(R.MConn):
    """A connection of the fuzzer: PDUs go into the history, answers are
    pumped into the task table and the feature set."""

    def __init__(self, sess, cid, who, hist):
        self.who = who
        self.hist = hist
        super().__init__(sess, cid)
        self.sock.settimeout(5)
        self.tasks = {}		# itt -> {"r2t": [pdu...], "write": bool}
        self.text_ttt = RSVD
        self.alive = True
        self.ffp = False
        self.feats = set()

    def send(self, hdr, data=b"", ahs=b"", bad_digest=False, pad=None,
             bad_data_digest=False):
        self.hist.add(self.who, "c%d %s" % (self.cid, pdu_text(hdr, len(data))))
        super().send(hdr, data, ahs, bad_digest, pad, bad_data_digest)

    def recv(self, timeout=5.0):
        p = super().recv(timeout)
        if p.op != H.OP_DATA_IN or p.flags & 1:
            self.hist.add(self.who, "c%d <- %s" % (self.cid, p))
        return p

    def vanish(self, rst=True):
        if rst:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.close()
        self.alive = False

    def note(self, p, op):
        """Record what answer @p to operation @op looked like."""
        sig = (op, p.op)
        if p.op == H.OP_SCSI_RSP:
            sig += (p.hdr[2], p.hdr[3], p.sense())
        elif p.op in (H.OP_TMF_RSP, H.OP_LOGOUT_RSP, H.OP_REJECT):
            sig += (p.hdr[2],)
        elif p.op == H.OP_DATA_IN and p.flags & 1:
            sig += (p.hdr[3],)
        elif p.op == H.OP_LOGIN_RSP:
            sig += (p.hdr[36], p.hdr[37], p.flags & 0xbf)
        elif p.op == H.OP_ASYNC:
            sig += (p.hdr[36],)
        self.feats.add(sig)

    def pump(self, op, timeout=0.2, budget=64):
        """Read what the target sends for up to @timeout seconds."""
        end = time.monotonic() + timeout
        while self.alive and budget > 0:
            budget -= 1
            try:
                p = self.recv(max(0.01, end - time.monotonic()))
            except H.Silence:
                return
            except (H.Closed, OSError):
                self.alive = False
                self.feats.add((op, "closed"))
                return
            self.note(p, op)
            self.handle(p)

    def handle(self, p):
        if p.op == H.OP_NOP_IN and p.itt == RSVD and p.f20 != RSVD:
            self.send(H.bhs(H.OP_NOP_OUT, H.F_FINAL, itt=RSVD, f20=p.f20,
                            f24=self.sess.cmdsn, f28=self.exp_statsn,
                            immediate=True))
        elif p.op == H.OP_R2T and p.itt in self.tasks:
            self.tasks[p.itt]["r2t"].append(p)
        elif p.op == H.OP_SCSI_RSP or (p.op == H.OP_DATA_IN and p.flags & 1):
            self.tasks.pop(p.itt, None)
        elif p.op == H.OP_TEXT_RSP:
            self.text_ttt = p.f20
        elif p.op == H.OP_LOGOUT_RSP:
            self.ffp = False
        elif p.op == H.OP_ASYNC and p.hdr[36] in (2, 3):
            self.ffp = False


# ---------------------------------------------------------------- findings

class Stop(Exception):
    """The run is over (duration reached or a finding)."""


class Fuzz:
    def __init__(self, cfg):
        self.cfg = cfg
        self.hist = History(cfg.history)
        self.stop = threading.Event()
        self.finding = None
        self.flock = threading.Lock()
        self.main_quiet = threading.Lock()	# held while the fuzzed TPG is disabled
        self.corpus = []
        self.corpus_lock = threading.Lock()
        self.feats = set()
        self.kcov_pcs = set()
        self.remote = None	# RemoteKcov: what the target's threads ran
        self.stats = collections.Counter()
        self.slock = threading.Lock()
        self.errors = []
        self.avoid = set(a for a in cfg.avoid.split(",") if a)

    def stat(self, key, n=1):
        with self.slock:
            self.stats[key] += n

    def found(self, kind, detail):
        with self.flock:
            if self.finding:
                return
            self.finding = (kind, detail, time.monotonic() - self.hist.t0)
        self.stop.set()

    def report(self):
        cfg = self.cfg
        kind, detail, t = self.finding
        lines = ["FINDING: %s after %.0f s: %s" % (kind, t, detail),
                 "seed: %d (workers %d, admin %s, avoid %s)" %
                 (cfg.seed, cfg.workers, "on" if cfg.admin else "off",
                  cfg.avoid or "-"),
                 "replay: make fuzz-net SEED=%d DURATION=%d%s" %
                 (cfg.seed, max(60, int(t) + 30),
                  "" if cfg.avoid == DEFAULT_AVOID else
                  " FUZZ_AVOID=%s" % (cfg.avoid or "none")),
                 "last PDUs and admin actions (time since start, thread):"]
        lines += ["  " + x for x in self.hist.dump()]
        text = "\n".join(lines)
        print(text, flush=True)
        if cfg.out:
            with open(os.path.join(cfg.out, "finding.txt"), "w") as f:
                f.write(text + "\n")


# ---------------------------------------------------------------- logins

def chap_hash(alg, ident, secret, challenge):
    name = {5: "md5", 6: "sha1", 7: "sha256", 8: "sha3_256"}.get(alg, "md5")
    return hashlib.new(name, bytes([ident]) + secret + challenge).digest()


def hexval(v):
    v = v.strip()
    if v[:2] in ("0x", "0X"):
        return bytes.fromhex(v[2:] if len(v) % 2 == 0 else "0" + v[2:])
    return b""


class Login:
    """One login of a connection: stages, keys, CHAP, C-bit text."""

    def __init__(self, fz, c, rng, kind):
        self.fz = fz
        self.c = c
        self.rng = rng
        self.kind = kind

    def rsp(self):
        p = self.c.login_rsp(10.0)
        self.c.note(p, "login-" + self.kind)
        return p

    def send(self, csg, nsg, transit, pairs, cont=False):
        data = H.keys_bytes(pairs)
        c, rng = self.c, self.rng
        if self.kind == "cbit" and len(data) > 16 and not cont:
            # the same text over several C-bit PDUs
            step = rng.choice((1, 7, 64, 500))
            pos = 0
            while len(data) - pos > step:
                c.send_login(csg, nsg, False, data[pos:pos + step], cont=True)
                pos += step
                p = self.rsp()
                if p.flags & 0x80:
                    return p
            data = data[pos:]
        c.send_login(csg, nsg, transit, data, cont=cont)
        return self.rsp()

    def first(self, sess):
        keys = [("InitiatorName", sess.initiator)]
        if sess.discovery:
            keys.append(("SessionType", "Discovery"))
        else:
            keys += [("TargetName", sess.args.target),
                     ("SessionType", "Normal")]
        return keys

    def run(self):
        """True when the connection reached full feature phase."""
        c, rng, sess = self.c, self.rng, self.c.sess
        leading = not sess.tsih
        keys = self.first(sess)
        oper = G.oper_keys(rng, leading and not sess.discovery)
        if self.kind == "badkeys":
            oper += G.bad_keys(rng)
        secure = self.kind.startswith("chap") or rng.random() < 0.4
        if secure:
            methods = "CHAP,None" if self.kind.startswith("chap") else \
                rng.choice(("None", "CHAP,None", "None,CHAP"))
            p = self.send(0, 1, not self.kind.startswith("chap"),
                          keys + [("AuthMethod", methods)])
            keys = []
            if c.keys.get("AuthMethod") == "CHAP":
                p = self.chap()
            for _ in range(4):
                if p.flags & 0x80 and (p.flags & 3) == 1:
                    break
                p = self.send(0, 1, True, [])
            else:
                return False
        p = self.send(1, 3, True, keys + oper)
        for _ in range(6):
            if p.flags & 0x80 and (p.flags & 3) == 3:
                break
            p = self.send(1, 3, True, [])
        else:
            return False
        self.ffp(p, leading)
        return True

    def chap(self):
        c, rng = self.c, self.rng
        algs = rng.choice(("5", "7,5", "8,7,6,5", "6", "5", "99"))
        self.send(0, 1, False, [("CHAP_A", algs)])
        k = c.keys
        alg = int(k.get("CHAP_A", "5"))
        ident = int(k.get("CHAP_I", "0")) & 0xff
        chal = hexval(k.get("CHAP_C", ""))
        secret = self.fz.cfg.chap_secret.encode()
        if self.kind == "chap-wrong":
            secret = secret[::-1] + b"x"
        resp = chap_hash(alg, ident, secret, chal)
        if self.kind == "chap-wrong" and rng.random() < 0.3:
            resp = resp[:rng.randrange(len(resp))]
        return self.send(0, 1, True, [("CHAP_N", self.fz.cfg.chap_user),
                                      ("CHAP_R", "0x" + resp.hex())])

    def ffp(self, p, leading):
        c, sess = self.c, self.c.sess
        if leading:
            sess.tsih = c.tsih
            sess.cmdsn = p.exp_cmdsn
            sess.keys = dict(c.keys)
            try:
                sess.erl = int(c.keys.get("ErrorRecoveryLevel", "0"))
            except ValueError:
                sess.erl = 0
        c.hdr_digest = c.keys.get("HeaderDigest") == "CRC32C"
        c.data_digest = c.keys.get("DataDigest") == "CRC32C"
        try:
            c.mrdsl = max(512, int(c.keys.get("MaxRecvDataSegmentLength",
                                              "8192")))
        except ValueError:
            c.mrdsl = 8192
        c.ffp = True


# ---------------------------------------------------------------- sequences
#
# A sequence is a list of (operation, parameter) tokens; the parameter
# seeds the random choices of that operation, so a token list replays
# the same decisions and can be mutated token by token.

LOGINS = [("normal", 10), ("discovery", 2), ("chap-right", 2),
          ("chap-wrong", 1), ("badkeys", 2), ("cbit", 1), ("admin-target", 3),
          ("mcs", 3), ("reinstate", 1)]
OPS = [("scsi", 30), ("write", 8), ("dataout", 10), ("dataout-wrong", 3),
       ("snack", 4), ("tmf", 5), ("text", 3), ("nop", 5), ("pump", 6),
       ("logout", 2), ("drop", 2), ("drop-mid", 2), ("add-conn", 3),
       ("reassign", 2), ("garbage", 2), ("cmdsn-skew", 2), ("stall", 1)]


def weighted(rng, table):
    tot = sum(w for _, w in table)
    x = rng.randrange(tot)
    for name, w in table:
        x -= w
        if x < 0:
            return name
    return table[-1][0]


def gen_sequence(rng):
    seq = [("login-" + weighted(rng, LOGINS), rng.getrandbits(32))]
    for _ in range(rng.randrange(2, 30)):
        seq.append((weighted(rng, OPS), rng.getrandbits(32)))
    return seq


def mutate(rng, seq):
    seq = list(seq)
    for _ in range(rng.randrange(1, 4)):
        r = rng.random()
        i = rng.randrange(1, len(seq) + 1)
        if r < 0.3:
            seq.insert(i, (weighted(rng, OPS), rng.getrandbits(32)))
        elif r < 0.5 and len(seq) > 2:
            del seq[min(i, len(seq) - 1)]
        elif r < 0.7 and len(seq) > 1:
            j = min(i, len(seq) - 1)
            seq[j] = (seq[j][0], rng.getrandbits(32))
        elif r < 0.85:
            seq[0] = ("login-" + weighted(rng, LOGINS), rng.getrandbits(32))
        else:
            j = rng.randrange(1, len(seq)) if len(seq) > 1 else 0
            seq[i:i] = seq[j:j + rng.randrange(1, 4)]
    return seq[:60]


# Sequences the corpus starts from: the ordinary life of a session.
SEEDS = [
    [("login-normal", 1), ("write", 2), ("scsi", 3), ("logout", 4)],
    [("login-mcs", 5), ("write", 6), ("add-conn", 7), ("drop", 8),
     ("reassign", 9), ("dataout", 10), ("logout", 11)],
    [("login-discovery", 12), ("text", 13), ("logout", 14)],
    [("login-chap-right", 15), ("scsi", 16), ("tmf", 17), ("snack", 18)],
]


class Worker(threading.Thread):
    def __init__(self, fz, idx):
        super().__init__(daemon=True, name="w%d" % idx)
        self.fz = fz
        self.idx = idx
        self.rng = random.Random("%d-worker-%d" % (fz.cfg.seed, idx))
        self.who = "w%d" % idx
        self.conns = []
        self.kcov = Kcov.open() if fz.cfg.kcov else None

    def run(self):
        fz = self.fz
        while not fz.stop.is_set():
            seq = self.pick()
            try:
                feats = self.execute(seq)
            except Stop:
                break
            except Exception:		# a bug of the fuzzer: counted, shown
                fz.stat("fuzzer-errors")
                fz.errors.append(traceback.format_exc())
                feats = set()
            finally:
                for c in self.conns:
                    c.vanish(rst=self.rng.random() < 0.5)
                self.conns = []
            fz.stat("sequences")
            new = feats - fz.feats
            if new:
                with fz.corpus_lock:
                    fz.feats |= new
                    if len(fz.corpus) < 300:
                        fz.corpus.append(seq)

    def pick(self):
        fz, rng = self.fz, self.rng
        with fz.corpus_lock:
            corpus = list(fz.corpus)
        if not corpus:
            corpus = SEEDS
        if rng.random() < 0.4:
            return mutate(rng, rng.choice(corpus))
        return gen_sequence(rng)

    def execute(self, seq):
        self.feats = set()
        self.sess = None
        for op, param in seq:
            if self.fz.stop.is_set():
                raise Stop()
            rng = random.Random(param ^ (self.idx << 32))
            if self.kcov:
                self.kcov.start()
            try:
                if op.startswith("login-"):
                    self.login(op[6:], rng)
                else:
                    self.op(op, rng)
            except EXC as e:
                self.feats.add((op, type(e).__name__))
            finally:
                if self.kcov:
                    pcs = self.kcov.stop()
                    if self.fz.remote:
                        pcs |= self.fz.remote.collect()
                    if pcs:
                        self.feats.update(("pc", pc) for pc in pcs)
                        with self.fz.slock:
                            self.fz.kcov_pcs.update(pcs)
            self.fz.stat("op-" + op.split("-")[0])
        for c in self.conns:
            self.feats |= c.feats
        return self.feats

    # -- connections

    def connect(self, sess, cid, kind, rng):
        c = FConn(sess, cid, self.who, self.fz.hist)
        self.conns.append(c)
        if kind == "stall-login" and "stall-login" not in self.fz.avoid:
            c.send_raw(c.login_pdu(1, 3, True, b"")[:rng.randrange(1, 48)])
            time.sleep(rng.uniform(0.5, 4))
            return c
        if Login(self.fz, c, rng, kind).run():
            self.fz.stat("logins")
        return c

    def live(self, rng):
        """A connection of the current session in full feature phase, or
        one logged in anew (at most a few times per sequence)."""
        cs = [c for c in self.conns if c.alive and c.ffp and c.sess is self.sess]
        if cs:
            return rng.choice(cs)
        if self.relogins <= 0 or self.sess is None:
            raise H.Closed("no connection")
        self.relogins -= 1
        self.sess = Sess(self.fz.cfg, self.sess.args.target,
                         self.sess.initiator, portal=self.sess.args.host)
        self.sess.discovery = self.discovery
        return self.connect(self.sess, 1, "normal", rng)

    def initiator(self, rng):
        return "%s-w%d-%d" % (self.fz.cfg.initiator, self.idx,
                              rng.randrange(4))

    def login(self, kind, rng):
        cfg = self.fz.cfg
        self.relogins = 3
        target, portal = cfg.target, cfg.host
        ini = self.initiator(rng)
        if kind.startswith("chap"):
            ini = cfg.chap_initiator
        elif kind == "admin-target":
            target = cfg.admin_target
            portal = rng.choice(("127.0.0.1", "127.0.0.2"))
        self.sess = Sess(cfg, target, ini, portal=portal)
        self.discovery = self.sess.discovery = kind == "discovery"
        if kind == "reinstate" and self.rng.random() < 0.7:
            # the same initiator and ISID as a session of an earlier
            # sequence: session reinstatement
            self.sess.isid = b"\x80\x00\x00\x01\x00" + bytes([self.idx])
        mcs = kind == "mcs"
        if kind == "admin-target" and rng.random() < 0.2:
            kind = "stall-login"
        elif kind in ("mcs", "admin-target", "reinstate"):
            kind = "normal"
        c = self.connect(self.sess, 1, kind, rng)
        if c.ffp and rng.random() < 0.5:
            c.pump("login", 0.1)
        for cid in range(2, 2 + (rng.randrange(1, 3) if mcs else 0)):
            self.connect(self.sess, cid, "normal", rng)

    # -- operations

    def op(self, op, rng):
        getattr(self, "op_" + op.replace("-", "_"))(rng)

    def op_pump(self, rng):
        c = self.live(rng)
        c.pump("pump", rng.uniform(0.1, 1.0), 256)

    def op_scsi(self, rng):
        c = self.live(rng)
        if c.sess.discovery:
            raise H.Closed("discovery")
        avoid = self.fz.avoid
        cdb, n, d = G.cdb_gen(rng, avoid)
        edtl = G.edtl_gen(rng, n, avoid)
        rd, wr = G.dir_gen(rng, d, avoid)
        imm = b""
        keys = c.sess.keys
        if wr and keys.get("ImmediateData") == "Yes" and rng.random() < 0.7:
            fb = int(keys.get("FirstBurstLength", "65536"))
            k = min(edtl, fb, c.mrdsl)
            if rng.random() < 0.05:
                k = min(c.mrdsl, edtl + rng.randrange(1, 600))
            imm = G.param_data(rng, cdb, k)
        lun = rng.choice((0, 0, 0, 0, 1, 2, 0x3fff))
        itt = c.itt()
        attr = rng.choice((1, 1, 1, 0, 2, 3, 4, 5, 7))
        c.tasks[itt] = {"r2t": [], "write": wr, "cdb": cdb, "edtl": edtl,
                        "sent": len(imm), "lun": lun}
        c.send(c.scsi_hdr(cdb, edtl, read=rd, write=wr, dlen=len(imm),
                          itt=itt, immediate=rng.random() < 0.05, lun=lun,
                          attr=attr), imm)
        if wr and keys.get("InitialR2T") == "No" and rng.random() < 0.6:
            self.unsolicited(c, rng, itt, len(imm))
        c.pump("scsi:%02x" % cdb[0], rng.choice((0.05, 0.2, 0.5)))

    def unsolicited(self, c, rng, itt, off):
        t = c.tasks[itt]
        fb = int(c.sess.keys.get("FirstBurstLength", "65536"))
        end = min(t["edtl"], fb)
        if off >= end:
            return
        data = G.param_data(rng, t["cdb"], end - off)
        c.data_out(itt, RSVD, off, data)

    def op_write(self, rng):
        """A well-formed WRITE(10) or READ(10) that the corpus builds on."""
        c = self.live(rng)
        blocks = rng.randrange(1, 129)
        lba = rng.randrange(0, G.LUN_BLOCKS - blocks)
        itt = c.itt()
        if rng.random() < 0.5:
            c.tasks[itt] = {"r2t": [], "write": False}
            c.send(c.scsi_hdr(H.cdb_read10(lba, blocks), blocks * G.BLOCK,
                              read=True, itt=itt))
            c.pump("read", 0.3, 512)
            return
        data = G.param_data(rng, b"\x2a", blocks * G.BLOCK)
        c.tasks[itt] = {"r2t": [], "write": True, "cdb": H.cdb_write10(lba, blocks),
                        "edtl": len(data), "sent": 0, "data": data}
        imm = b""
        if c.sess.keys.get("ImmediateData") == "Yes":
            imm = data[:min(len(data), c.mrdsl,
                            int(c.sess.keys.get("FirstBurstLength", "65536")))]
        c.send(c.scsi_hdr(H.cdb_write10(lba, blocks), len(data), write=True,
                          dlen=len(imm), itt=itt), imm)
        if c.sess.keys.get("InitialR2T") == "No":
            self.unsolicited(c, rng, itt, len(imm))
        for _ in range(8):
            c.pump("write", 0.3)
            t = c.tasks.get(itt)
            if not t or not t["r2t"]:
                return
            r2t = t["r2t"].pop(0)
            o, n = r2t.u32(40), r2t.u32(44)
            c.data_out(itt, r2t.f20, o, data[o:o + n])

    def op_dataout(self, rng, wrong=False):
        c = self.live(rng)
        pend = [(i, t) for i, t in c.tasks.items() if t.get("r2t")]
        if not pend:
            c.pump("dataout", 0.1)
            pend = [(i, t) for i, t in c.tasks.items() if t.get("r2t")]
        if not pend:
            return self.op_dataout_stray(c, rng)
        itt, t = rng.choice(pend)
        r2t = t["r2t"].pop(0)
        ttt, off, n = r2t.f20, r2t.u32(40), r2t.u32(44)
        datasn = 0
        if wrong:
            w = rng.randrange(5)
            if w == 0:
                ttt ^= rng.getrandbits(32)
            elif w == 1:
                off = rng.choice((off + 512, off - 1, 1 << 31, t["edtl"]))
            elif w == 2:
                datasn = rng.choice((1, 5, RSVD))
            elif w == 3:
                n += rng.randrange(1, 4096)
            else:
                itt ^= 1
        n = min(n, 4 << 20)
        data = t.get("data", b"")[off:off + n] or \
            G.param_data(rng, t.get("cdb", b"\0"), n)
        c.data_out(itt, ttt & RSVD, off & RSVD, data, datasn=datasn,
                   final=rng.random() < 0.95)
        c.pump("dataout", 0.2)

    def op_dataout_wrong(self, rng):
        self.op_dataout(rng, wrong=True)

    def op_dataout_stray(self, c, rng):
        n = rng.choice((0, 4, 512, 4096))
        c.send(H.bhs(H.OP_DATA_OUT, rng.choice((0, H.F_FINAL)), dlen=n,
                     itt=rng.choice((rng.getrandbits(32), c.sess.next_itt)),
                     f20=rng.choice((RSVD, rng.getrandbits(32))),
                     f28=c.exp_statsn,
                     tail=struct.pack(">III", 0, rng.randrange(3),
                                      rng.randrange(0, 1 << 20))),
               bytes(n))
        c.pump("dataout-stray", 0.2)

    def op_snack(self, rng):
        c = self.live(rng)
        kind = rng.choice((0, 1, 2, 3, 3, rng.randrange(16)))
        itts = list(c.tasks) or [c.sess.next_itt]
        itt = rng.choice(itts + [RSVD, rng.getrandbits(32)])
        beg = rng.choice((0, 0, 1, c.exp_statsn - 1 & RSVD, rng.getrandbits(32)))
        run = rng.choice((0, 0, 1, 2, rng.getrandbits(32)))
        tag = rng.choice((RSVD, 0, rng.getrandbits(32)))
        c.send(H.bhs(H.OP_SNACK, 0x80 | kind, itt=itt, f20=tag,
                     f28=c.exp_statsn if rng.random() < 0.8 else
                     rng.getrandbits(32),
                     tail=struct.pack(">IIII", 0, 0, beg & RSVD, run)))
        c.pump("snack-%d-erl%d" % (kind, c.sess.erl), 0.3)

    def op_tmf(self, rng):
        c = self.live(rng)
        fn = rng.choice((1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                         rng.randrange(1, 128)))
        if fn == H.TMF_TASK_REASSIGN and "task-reassign" in self.fz.avoid:
            fn = H.TMF_ABORT_TASK
        itts = [i for cc in self.conns for i in cc.tasks]
        ref = rng.choice(itts) if itts and rng.random() < 0.8 else \
            rng.choice((RSVD, rng.getrandbits(32)))
        lun = rng.choice((0, 0, 1, 2, 0x3fff))
        refsn = c.sess.cmdsn - rng.randrange(0, 3) & RSVD
        itt = c.itt()
        c.send(H.bhs(H.OP_TMF, 0x80 | fn, lun=lun, itt=itt, f20=ref,
                     f24=c.sess.cmdsn, f28=c.exp_statsn,
                     tail=struct.pack(">II", refsn, 0),
                     immediate=rng.random() < 0.9))
        c.pump("tmf-%d" % fn, 0.5)

    def op_text(self, rng):
        c = self.live(rng)
        r = rng.random()
        if r < 0.5:
            data = H.keys_bytes([("SendTargets", rng.choice(
                ("All", "", c.sess.args.target, "iqn.x")))])
        elif r < 0.8:
            data = H.keys_bytes(G.bad_keys(rng))
        else:
            data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 200)))
        ttt = c.text_ttt if rng.random() < 0.5 else RSVD
        cont = rng.random() < 0.2
        itt = c.itt() if rng.random() < 0.7 else c.sess.next_itt
        c.send(H.bhs(H.OP_TEXT, 0x40 if cont else H.F_FINAL, dlen=len(data),
                     itt=itt, f20=ttt, f24=c.take_cmdsn(False),
                     f28=c.exp_statsn), data)
        c.pump("text", 0.3)

    def op_nop(self, rng):
        c = self.live(rng)
        n = rng.choice((0, 0, 4, 100, c.mrdsl, rng.randrange(0, 9000)))
        n = min(n, c.mrdsl) if rng.random() < 0.9 else n
        imm = rng.random() < 0.7
        itt = RSVD if rng.random() < 0.1 else c.itt()
        ttt = RSVD if rng.random() < 0.9 else rng.getrandbits(32)
        c.send(c.nop_hdr(itt=itt, dlen=n, immediate=imm, ttt=ttt), bytes(n))
        c.pump("nop", 0.2)

    def op_logout(self, rng):
        c = self.live(rng)
        reason = rng.choice((0, 0, 1, 1, 2, rng.randrange(3, 128)))
        cids = [x.cid for x in self.conns if x.sess is c.sess]
        cid = rng.choice(cids + [c.cid, rng.randrange(1, 9)])
        c.send(H.bhs(H.OP_LOGOUT, 0x80 | reason, itt=c.itt(), f20=cid << 16,
                     f24=c.sess.cmdsn, f28=c.exp_statsn,
                     immediate=rng.random() < 0.9))
        c.pump("logout-%d" % reason, 1.0)

    def op_drop(self, rng):
        c = self.live(rng)
        c.vanish(rst=rng.random() < 0.5)

    def op_drop_mid(self, rng):
        """The initiator vanishes in the middle of a PDU."""
        c = self.live(rng)
        n = rng.randrange(8, 4096)
        blocks = (n + 511) // 512
        h = c.scsi_hdr(H.cdb_write10(rng.randrange(1000), blocks),
                       blocks * 512, write=True, dlen=n)
        raw = c.frame(h, bytes(n))
        c.hist.add(self.who, "c%d %s (cut)" % (c.cid, pdu_text(h, n)))
        c.send_raw(raw[:rng.randrange(1, len(raw))])
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0, 0.5))
        c.vanish(rst=rng.random() < 0.5)

    def op_add_conn(self, rng):
        """Another connection of the session (MC/S), or the same CID
        again (connection reinstatement)."""
        if not self.sess or not self.sess.tsih:
            raise H.Closed("no session")
        cids = [c.cid for c in self.conns if c.sess is self.sess]
        cid = rng.choice(cids) if cids and rng.random() < 0.3 else \
            rng.randrange(1, 6)
        kind = rng.choice(("normal", "normal", "badkeys", "cbit"))
        c = self.connect(self.sess, cid, kind, rng)
        if c.ffp:
            c.pump("add-conn", 0.2)

    def op_reassign(self, rng):
        """A connection with tasks fails; another one takes them over
        with TASK REASSIGN (ERL 2), or simply asks (ERL < 2)."""
        cs = [c for c in self.conns if c.alive and c.ffp and c.sess is self.sess]
        if not cs:
            raise H.Closed("no connection")
        old = rng.choice(cs)
        itts = list(old.tasks) or [old.sess.next_itt]
        old.vanish(rst=True)
        time.sleep(rng.uniform(0, 0.3))
        cid = old.cid if rng.random() < 0.5 else rng.randrange(1, 6)
        c = self.connect(self.sess, cid, "normal", rng)
        if not c.ffp:
            return
        if rng.random() < 0.3:
            logout = H.bhs(H.OP_LOGOUT, 0x82, itt=c.itt(), f20=old.cid << 16,
                           f24=c.sess.cmdsn, f28=c.exp_statsn, immediate=True)
            c.send(logout)
            c.pump("logout-2", 0.3)
        if "task-reassign" in self.fz.avoid:
            itts = []
        for itt in itts[:4]:
            c.tasks[itt] = old.tasks.get(itt, {"r2t": [], "write": False})
            c.tasks[itt]["r2t"] = []
            c.send(H.bhs(H.OP_TMF, 0x80 | H.TMF_TASK_REASSIGN, itt=c.itt(),
                         f20=itt, f24=c.sess.cmdsn, f28=c.exp_statsn,
                         tail=struct.pack(">II", 0, rng.choice(
                             (c.exp_statsn, 0, rng.getrandbits(32)))),
                         immediate=True))
            c.pump("reassign-erl%d" % c.sess.erl, 0.3)

    def op_garbage(self, rng):
        c = self.live(rng)
        r = rng.random()
        if r < 0.4:
            h = bytes(rng.getrandbits(8) for _ in range(48))
            h = bytes([h[0] & 0x7f]) + h[1:4] + bytes([h[4] & 3, 0, 0,
                                                       h[7] & 0x3f]) + h[8:]
            c.send(h, bytes(h[7]), ahs=bytes(h[4] * 4))
        elif r < 0.7 and c.hdr_digest:
            c.send(c.nop_hdr(), bad_digest=True)
        elif r < 0.85 and c.data_digest:
            c.send(c.nop_hdr(dlen=8), bytes(8), bad_data_digest=True)
        else:
            op = rng.choice((0x07, 0x08, 0x0d, 0x1c, 0x1e, H.OP_LOGIN, 0x21))
            c.send(H.bhs(op, H.F_FINAL, itt=c.itt(), f24=c.sess.cmdsn,
                         f28=c.exp_statsn, immediate=True))
        c.pump("garbage", 0.3)

    def op_cmdsn_skew(self, rng):
        c = self.live(rng)
        sn = c.sess.cmdsn + rng.choice((1, 2, 100, 1 << 31, -1, -50)) & RSVD
        itt = c.itt()
        c.send(c.scsi_hdr(b"\0" * 6, 0, itt=itt, cmdsn=sn))
        c.pump("cmdsn-skew", 0.3)
        if rng.random() < 0.5:		# fill the hole
            c.send(c.scsi_hdr(b"\0" * 6, 0))
            c.pump("cmdsn-fill", 0.3)

    def op_stall(self, rng):
        """Stop reading for a while, with reads outstanding."""
        c = self.live(rng)
        if "no-read" in self.fz.avoid:
            c.pump("stall", 0.5)
            return
        for _ in range(rng.randrange(1, 4)):
            c.send(c.scsi_hdr(H.cdb_read10(0, 2048), 2048 * 512, read=True))
        time.sleep(rng.uniform(0.5, 3))


# ---------------------------------------------------------------- monitor

class Monitor(threading.Thread):
    """Kernel log watcher and probe logins."""

    def __init__(self, fz):
        super().__init__(daemon=True, name="monitor")
        self.fz = fz
        self.kmsg = None
        try:
            self.kmsg = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.kmsg, 0, os.SEEK_END)
        except OSError:
            self.kmsg = None
        self.probes = 0

    def check_kmsg(self):
        while self.kmsg is not None:
            try:
                rec = os.read(self.kmsg, 8192).decode(errors="replace")
            except BlockingIOError:
                return
            except OSError:		# EPIPE: overwritten records
                continue
            msg = rec.split(";", 1)[-1].strip()
            if DMESG_BAD.search(msg) and not re.search(
                    self.fz.cfg.dmesg_allow or "^$", msg):
                self.fz.found("kernel-log", msg)

    def probe(self):
        cfg = self.fz.cfg
        args = types.SimpleNamespace(host=cfg.host, port=cfg.port,
                                     target=cfg.target,
                                     initiator=cfg.initiator + "-probe")
        c = H.Conn(args)
        try:
            c.login()
            for _ in range(12):
                rsp, data = c.scsi(b"\0" * 6, 0)
                if rsp.hdr[3] == 0:
                    rsp, data = c.scsi(H.cdb_read10(0, 8), 8 * 512,
                                       read=True)
                    if rsp.hdr[3] == 0:
                        break
                # a fuzzing session's ACA condition (NACA 1 and CHECK
                # CONDITION) holds the LU: recover as an initiator would
                if rsp.hdr[3] == 0x30:
                    c.tmf(H.TMF_LUN_RESET, timeout=cfg.hang)
            if rsp.hdr[3] != 0 or len(data) != 4096:
                raise H.Fail("probe READ: %s" % rsp)
            c.logout()
        finally:
            c.close()

    def timed_probe(self):
        """None when a probe login worked within --hang seconds, else why."""
        box = []

        def go():
            for attempt in range(3):
                try:
                    with self.fz.main_quiet:
                        self.probe()
                    box.append(None)
                    return
                except EXC as e:
                    err = "%s: %s" % (type(e).__name__, e)
                    time.sleep(1)
            box.append(err)
        t = threading.Thread(target=go, daemon=True, name="probe")
        t.start()
        t.join(self.fz.cfg.hang)
        if t.is_alive():
            return "no answer within %d s" % self.fz.cfg.hang
        return box[0]

    def run(self):
        fz = self.fz
        nxt = time.monotonic() + fz.cfg.probe_every
        while not fz.stop.is_set():
            self.check_kmsg()
            if fz.admin and fz.admin.busy_for() > fz.cfg.hang:
                fz.found("admin-hang", "configfs %s blocked for more than "
                         "%d s" % (fz.admin.busy_what, fz.cfg.hang))
            if time.monotonic() >= nxt:
                why = self.timed_probe()
                self.probes += 1
                if why:
                    fz.found("hang", "the probe login failed: %s" % why)
                nxt = time.monotonic() + fz.cfg.probe_every
            time.sleep(0.2)


# ---------------------------------------------------------------- main

def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, default=3260)
    ap.add_argument("-t", "--target", default="iqn.2003-01.org.ktarget:fuzz")
    ap.add_argument("--admin-target", default="iqn.2003-01.org.ktarget:fuzz-admin")
    ap.add_argument("-i", "--initiator", default="iqn.2004-10.org.ktarget:fuzz")
    ap.add_argument("--chap-initiator", default="iqn.2004-10.org.ktarget:fuzz-chap")
    ap.add_argument("--chap-user", default="fuzzuser")
    ap.add_argument("--chap-secret", default="fuzzsecret12")
    ap.add_argument("--cfs", default="/sys/kernel/config/target",
                    help="configfs root of ktarget")
    ap.add_argument("--dev", action="append", default=[],
                    help="core device folders the admin thread links as LUNs")
    ap.add_argument("--no-admin", dest="admin", action="store_false")
    ap.add_argument("--main-admin", type=float, default=0.1,
                    help="share of admin actions on the fuzzed target")
    ap.add_argument("--hang", type=int, default=45,
                    help="seconds a probe login or a configfs write may take")
    ap.add_argument("--probe-every", type=float, default=10)
    ap.add_argument("--history", type=int, default=60,
                    help="PDUs and admin actions shown with a finding")
    ap.add_argument("--avoid", default=DEFAULT_AVOID,
                    help="known defects to keep away from (comma list, "
                    "'none' for none): " + ", ".join(KNOWN))
    ap.add_argument("--dmesg-allow", default=None,
                    help="regex of kernel-log lines that are no finding")
    ap.add_argument("--kcov", choices=("auto", "on", "off"), default="auto")
    ap.add_argument("--out", default=None, help="folder for finding.txt")
    cfg = ap.parse_args()
    if cfg.avoid == "none":
        cfg.avoid = ""
    if cfg.seed is None:
        cfg.seed = random.SystemRandom().randrange(1, 1 << 31)
    cfg.kcov = cfg.kcov == "on" or (cfg.kcov == "auto" and Kcov.available())
    return cfg


def main():
    cfg = parse()
    fz = Fuzz(cfg)
    if cfg.kcov and RemoteKcov.available():
        fz.remote = RemoteKcov.open()
    print("netfuzz: seed %d, %d workers, %.0f s, admin %s, kcov %s, avoid %s"
          % (cfg.seed, cfg.workers, cfg.duration, "on" if cfg.admin else
             "off", ("on (target threads too)" if fz.remote else "on")
             if cfg.kcov else "off", cfg.avoid or "-"),
          flush=True)
    fz.admin = Admin(fz, random.Random("%d-admin" % cfg.seed)) \
        if cfg.admin else None
    mon = Monitor(fz)
    threads = [Worker(fz, i) for i in range(cfg.workers)]
    if fz.admin:
        threads.append(fz.admin)
    for t in threads:
        t.start()
    mon.start()
    end = time.monotonic() + cfg.duration
    last = time.monotonic()
    while not fz.stop.wait(1.0):
        if time.monotonic() >= end:
            break
        if time.monotonic() - last >= 30:
            last = time.monotonic()
            print("netfuzz: %.0f s: %s" % (last - fz.hist.t0,
                                           summary(fz, mon)), flush=True)
    fz.stop.set()
    for t in threads:
        t.join(cfg.hang)
        if t.is_alive() and not fz.finding:
            fz.found("hang", "thread %s did not stop within %d s" %
                     (t.name, cfg.hang))
    mon.join(cfg.hang * 2)
    if fz.remote:
        fz.remote.close()
    if fz.admin:
        fz.admin.restore()
    if not fz.finding:
        mon.check_kmsg()
    if not fz.finding:
        why = mon.timed_probe()
        if why:
            fz.found("hang", "the final probe login failed: %s" % why)
    print("netfuzz: done: %s" % summary(fz, mon), flush=True)
    for e in fz.errors[:3]:
        print("netfuzz: fuzzer error:\n" + e, flush=True)
    if fz.finding:
        fz.report()
        return 1
    if fz.errors:
        print("netfuzz: %d fuzzer errors (bugs of netfuzz.py)" %
              len(fz.errors), flush=True)
        return 2
    print("netfuzz: no finding (seed %d)" % cfg.seed, flush=True)
    return 0


def summary(fz, mon):
    s = fz.stats
    ops = " ".join("%s=%d" % (k[3:], v) for k, v in sorted(s.items())
                   if k.startswith("op-"))
    return ("%d sequences, %d logins, %d probes, %d answer kinds, corpus %d, "
            "kcov PCs %d, admin %d (%d refused); ops: %s" %
            (s["sequences"], s["logins"], mon.probes, len(fz.feats),
             len(fz.corpus), len(fz.kcov_pcs), s["admin"], s["admin-err"],
             ops))


if __name__ == "__main__":
    sys.exit(main())
