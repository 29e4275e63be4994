# SPDX-License-Identifier: GPL-2.0
"""pdus.py - the generators of netfuzz.py: CDBs, login keys, field values.

Every function takes a random.Random and returns bytes or plain values, so
that one seed gives one sequence of decisions.  Valid values are the rule,
wrong ones the exception; the knobs in AVOID (see netfuzz.py) keep known
defects of today's target out of the default runs.
"""

import struct

BLOCK = 512
LUN_BLOCKS = 65536		# 32 MiB LUNs in the guest script

# SCSI opcodes the generator favours (SPC-4, SBC-3), with their weights
OPCODES = [
    (0x00, 3, "TEST UNIT READY"), (0x03, 2, "REQUEST SENSE"),
    (0x08, 3, "READ(6)"), (0x0a, 3, "WRITE(6)"), (0x12, 6, "INQUIRY"),
    (0x15, 2, "MODE SELECT(6)"), (0x1a, 3, "MODE SENSE(6)"),
    (0x1b, 1, "START STOP UNIT"), (0x1d, 1, "SEND DIAGNOSTIC"),
    (0x1e, 1, "PREVENT ALLOW"), (0x25, 3, "READ CAPACITY(10)"),
    (0x28, 8, "READ(10)"), (0x2a, 8, "WRITE(10)"),
    (0x2e, 2, "WRITE AND VERIFY(10)"), (0x2f, 3, "VERIFY(10)"),
    (0x35, 3, "SYNCHRONIZE CACHE(10)"), (0x3b, 1, "WRITE BUFFER"),
    (0x3c, 1, "READ BUFFER"), (0x41, 1, "WRITE SAME(10)"),
    (0x42, 1, "UNMAP"), (0x55, 2, "MODE SELECT(10)"),
    (0x5a, 3, "MODE SENSE(10)"), (0x5e, 1, "PERSISTENT RESERVE IN"),
    (0x5f, 1, "PERSISTENT RESERVE OUT"), (0x88, 4, "READ(16)"),
    (0x89, 1, "COMPARE AND WRITE"), (0x8a, 4, "WRITE(16)"),
    (0x8e, 1, "WRITE AND VERIFY(16)"), (0x8f, 2, "VERIFY(16)"),
    (0x91, 2, "SYNCHRONIZE CACHE(16)"), (0x93, 1, "WRITE SAME(16)"),
    (0x9e, 3, "SERVICE ACTION IN(16)"), (0xa0, 4, "REPORT LUNS"),
    (0xa3, 2, "MAINTENANCE IN"), (0xa8, 2, "READ(12)"),
    (0xaa, 2, "WRITE(12)"), (0xaf, 1, "VERIFY(12)"),
    (0x83, 1, "EXTENDED COPY"), (0x84, 1, "RECEIVE COPY RESULTS"),
    (0x04, 1, "FORMAT UNIT"), (0x56, 1, "RESERVE(10)"),
    (0x57, 1, "RELEASE(10)"),
]
OP_TABLE = [op for op, w, _ in OPCODES for _ in range(w)]
WRITES = {0x0a, 0x2a, 0x2e, 0x8a, 0x8e, 0xaa, 0x15, 0x55, 0x3b, 0x41, 0x42,
          0x5f, 0x89, 0x93, 0x83}
DATA_IN = {0x03, 0x08, 0x12, 0x1a, 0x25, 0x28, 0x3c, 0x5a, 0x5e, 0x88, 0x9e,
           0xa0, 0xa3, 0xa8, 0x84}


def pick_lba(rng, blocks):
    r = rng.random()
    if r < 0.7:
        return rng.randrange(0, max(1, LUN_BLOCKS - blocks))
    if r < 0.85:
        return max(0, LUN_BLOCKS - rng.randrange(0, 3 * max(1, blocks)))
    return rng.choice((LUN_BLOCKS, 0xffffffff, 0xfffffffffffffff,
                       rng.getrandbits(64)))


def pick_blocks(rng, limit):
    r = rng.random()
    if r < 0.1:
        return 0
    if r < 0.85:
        return rng.randrange(1, 65)
    if r < 0.97:
        return rng.randrange(1, max(2, limit // BLOCK))
    return rng.randrange(1, 0x10000)


def pick_alloc(rng, big):
    r = rng.random()
    if r < 0.6:
        return rng.choice((0, 4, 8, 36, 96, 252, 255, 256, 512, 4096))
    if r < 0.95:
        return rng.randrange(0, 0x10000)
    return rng.getrandbits(32) if big else rng.randrange(0, 0x20000)


def cdb_gen(rng, avoid):
    """(cdb bytes, natural data length, direction 'r'/'w'/'')."""
    limit = 1 << 20 if "big-edtl" in avoid else 16 << 20
    big = "big-alloc" not in avoid
    op = rng.choice(OP_TABLE) if rng.random() < 0.92 else rng.randrange(256)
    fl = rng.getrandbits(8) if rng.random() < 0.15 else 0
    ctl = rng.choice((0, 0, 0, 0, 4, 0x80, rng.getrandbits(8)))
    blocks = pick_blocks(rng, limit)
    lba = pick_lba(rng, blocks)
    d = "w" if op in WRITES else "r" if op in DATA_IN else ""
    n = 0
    if op in (0x08, 0x0a):
        blocks &= 0xff
        c = struct.pack(">BBHBB", op, (lba >> 16) & 0x1f, lba & 0xffff,
                        blocks, ctl)
        n = (blocks or 256) * BLOCK
    elif op in (0x28, 0x2a, 0x2e, 0x2f, 0x35, 0x41):
        blocks &= 0xffff
        c = struct.pack(">BBIBHB", op, fl, lba & 0xffffffff,
                        rng.choice((0, 0, rng.getrandbits(6))), blocks, ctl)
        n = blocks * BLOCK
        if op == 0x2f and not fl & 2:
            d, n = "", 0
        elif op == 0x2f:
            d = "w"
        elif op == 0x35:
            d, n = "", 0
        elif op == 0x41:
            n = BLOCK
    elif op in (0xa8, 0xaa, 0xaf):
        c = struct.pack(">BBIIBB", op, fl, lba & 0xffffffff, blocks, 0, ctl)
        n = blocks * BLOCK
        if op == 0xaf:
            d, n = ("w", n) if fl & 2 else ("", 0)
    elif op in (0x88, 0x8a, 0x8e, 0x8f, 0x91, 0x93, 0x89):
        if op == 0x89:
            blocks = rng.choice((1, 1, 2, 0, 255))
        c = struct.pack(">BBQIBB", op, fl, lba & 0xffffffffffffffff,
                        blocks, 0, ctl)
        if op == 0x89:
            c = c[:13] + bytes([blocks & 0xff]) + c[14:]
            n = 2 * blocks * BLOCK
        else:
            n = blocks * BLOCK
        if op == 0x8f:
            d, n = ("w", n) if fl & 2 else ("", 0)
        elif op == 0x91:
            d, n = "", 0
        elif op == 0x93:
            n = BLOCK
    elif op == 0x12:
        evpd = rng.random() < 0.6
        page = rng.choice((0, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2, 0xb3,
                           0x89, rng.getrandbits(8))) if evpd else 0
        a = pick_alloc(rng, False) & 0xffff
        c = struct.pack(">BBBHB", op, int(evpd) | (fl & 2), page, a, ctl)
        n = a
    elif op in (0x1a, 0x5a):
        pc = rng.getrandbits(2) << 6
        page = rng.choice((0x3f, 0x08, 0x0a, 0x1c, 0x01, 0x02, 0x19,
                           rng.getrandbits(6)))
        sub = rng.choice((0, 0, 0xff, rng.getrandbits(8)))
        a = pick_alloc(rng, False)
        if op == 0x1a:
            a &= 0xff
            c = struct.pack(">BBBBBB", op, rng.choice((0, 8)), pc | page,
                            sub, a, ctl)
        else:
            a &= 0xffff
            c = struct.pack(">BBBBxxxHB", op, rng.choice((0, 8, 0x10)),
                            pc | page, sub, a, ctl)
        n = a
    elif op in (0x15, 0x55):
        plen = rng.choice((0, 4, 8, 12, 20, 24, 28, rng.randrange(0, 300)))
        pf_sp = rng.choice((0x10, 0x10, 0x11, 0x00, 0x01))
        if op == 0x15:
            plen &= 0xff
            c = struct.pack(">BBxxBB", op, pf_sp, plen, ctl)
        else:
            c = struct.pack(">BBxxxxxHB", op, pf_sp, plen, ctl)
        n = plen
    elif op == 0x25:
        c = struct.pack(">BBIxxBB", op, fl & 1, lba & 0xffffffff,
                        fl & 1, ctl)
        n = 8
    elif op == 0x9e:
        sa = rng.choice((0x10, 0x10, 0x12, 0x13, rng.getrandbits(5)))
        a = pick_alloc(rng, big)
        c = struct.pack(">BBQIBB", op, sa, lba & 0xffffffffffffffff,
                        a & 0xffffffff, 0, ctl)
        n = a
    elif op == 0xa0:
        a = pick_alloc(rng, big)
        c = struct.pack(">BxBxxxIxB", op, rng.choice((0, 0, 1, 2, 0x10,
                                                      0x11, 0x12, 0xff)),
                        a & 0xffffffff, ctl)
        n = a
    elif op == 0xa3:
        sa = rng.choice((0x0a, 0x0c, 0x0d, 0x0f, rng.getrandbits(5)))
        a = pick_alloc(rng, big)
        c = struct.pack(">BBBBHIxB", op, sa, rng.getrandbits(3),
                        rng.getrandbits(8), rng.getrandbits(16),
                        a & 0xffffffff, ctl)
        n = a
    elif op == 0x03:
        a = pick_alloc(rng, False) & 0xff
        c = struct.pack(">BBxxBB", op, fl & 1, a, ctl)
        n = a
    elif op in (0x3b, 0x3c):
        a = rng.randrange(0, 4096)
        c = struct.pack(">BBBBHBHB", op, rng.getrandbits(5), 0, 0, 0,
                        a >> 16, a & 0xffff, ctl)
        n = a
    elif op == 0x42:
        plen = rng.choice((0, 8, 24, 40, rng.randrange(0, 1024)))
        c = struct.pack(">BBxxxxxHB", op, fl & 1, plen, ctl)
        n = plen
    elif op in (0x5e, 0x5f):
        a = rng.choice((0, 8, 24, 256, rng.randrange(0, 4096)))
        c = struct.pack(">BBBxxxxHB", op, rng.getrandbits(5),
                        rng.getrandbits(8), a, ctl)
        n = a
    elif op in (0x83, 0x84):
        a = rng.randrange(0, 4096)
        c = struct.pack(">BBxxxxxxxxIxB", op, rng.getrandbits(5), a, ctl)
        n = a
    else:
        c = bytes([op]) + bytes(rng.getrandbits(8) for _ in range(15))
        c = c[:rng.choice((6, 10, 12, 16))]
        n = rng.choice((0, 512, rng.randrange(0, 65536)))
        d = rng.choice(("", "r", "w"))
    if rng.random() < 0.05:		# a few random bits anywhere
        b = bytearray(c)
        i = rng.randrange(1, len(b))
        b[i] ^= 1 << rng.randrange(8)
        c = bytes(b)
    return c, min(n, limit if "big-edtl" in avoid else 0xffffffff), d


def param_data(rng, cdb, n):
    """Data-Out contents: plausible parameter lists for the commands
    that take one, else a cheap repeated random pattern."""
    op = cdb[0]
    if op in (0x15, 0x55) and n >= 4 and rng.random() < 0.7:
        page = rng.choice((0x08, 0x0a, 0x1c, rng.getrandbits(6)))
        body = bytes([page, rng.choice((0x12, 0x0a, 0x0a, rng.getrandbits(8)))])
        body += bytes(rng.getrandbits(8) for _ in range(20))
        hdr = bytes(4 if op == 0x15 else 8)
        return (hdr + body).ljust(n, b"\0")[:n]
    if op == 0x42 and n >= 8:
        lba = pick_lba(rng, 8)
        d = struct.pack(">HHxxxx", 22, 16) + \
            struct.pack(">QIxxxx", lba & 0xffffffffffffffff,
                        rng.randrange(0, 4096))
        return d.ljust(n, b"\0")[:n]
    pat = bytes(rng.getrandbits(8) for _ in range(16))
    return (pat * (n // 16 + 1))[:n]


def edtl_gen(rng, natural, avoid):
    """Expected Data Transfer Length: mostly the CDB's own."""
    r = rng.random()
    if r < 0.75:
        return natural
    if r < 0.85:
        return 0
    if r < 0.95:
        return max(0, natural + rng.randrange(-1024, 1025))
    cap = 1 << 20 if "big-edtl" in avoid else 0xffffffff
    return rng.randrange(0, cap + 1)


def dir_gen(rng, d, avoid):
    """(read, write) flags of the command: mostly the CDB's direction."""
    if rng.random() < 0.85:
        return d == "r", d == "w"
    if "read-flag-on-write" in avoid and d == "w":
        return False, rng.random() < 0.5
    return rng.random() < 0.5, rng.random() < 0.5


# ---------------------------------------------------------------- login keys

DIGESTS = ("None", "CRC32C", "CRC32C,None", "None,CRC32C")


def oper_keys(rng, leading, erl_max=2):
    """Operational keys with valid, random values."""
    keys = [("HeaderDigest", rng.choice(DIGESTS)),
            ("DataDigest", rng.choice(DIGESTS)),
            ("MaxRecvDataSegmentLength",
             str(rng.choice((512, 4096, 8192, 65536, 262144,
                             rng.randrange(512, 1 << 24)))))]
    if not leading:
        return keys
    mbl = rng.choice((512, 8192, 65536, 262144, rng.randrange(512, 1 << 24)))
    keys += [("ErrorRecoveryLevel", str(rng.randrange(0, erl_max + 1))),
             ("MaxConnections", str(rng.choice((1, 2, 4, 8)))),
             ("InitialR2T", rng.choice(("Yes", "No"))),
             ("ImmediateData", rng.choice(("Yes", "No"))),
             ("MaxBurstLength", str(mbl)),
             ("FirstBurstLength", str(rng.randrange(512, mbl + 1))),
             ("MaxOutstandingR2T", str(rng.choice((1, 1, 2, 4)))),
             ("DataPDUInOrder", rng.choice(("Yes", "Yes", "No"))),
             ("DataSequenceInOrder", rng.choice(("Yes", "Yes", "No"))),
             ("DefaultTime2Wait", str(rng.choice((0, 0, 1, 2)))),
             ("DefaultTime2Retain", str(rng.choice((0, 1, 2, 5))))]
    rng.shuffle(keys)
    return keys


BAD_KEYS = [
    ("ErrorRecoveryLevel", "7"), ("MaxRecvDataSegmentLength", "0"),
    ("MaxRecvDataSegmentLength", "99999999999"), ("HeaderDigest", "MD5"),
    ("MaxBurstLength", "-1"), ("FirstBurstLength", "0x"),
    ("MaxConnections", "0"), ("InitialR2T", "Maybe"),
    ("X-com.example.fuzz", "1"), ("DefaultTime2Retain", "99999"),
    ("TargetPortalGroupTag", "1"), ("SessionType", "Weird"),
    ("AuthMethod", "None"), ("CHAP_A", "5"), ("IFMarker", "Yes"),
    ("OFMarkInt", "1~65535"), ("TargetAddress", "1.2.3.4"),
    ("MaxRecvDataSegmentLength", ""), ("", "empty-name"),
    ("TaskReporting", "FastAbort"), ("iSCSIProtocolLevel", "99"),
]


def bad_keys(rng):
    return [rng.choice(BAD_KEYS) for _ in range(rng.randrange(1, 4))]
