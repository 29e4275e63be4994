#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""faults.py - iSCSI I/O against a LUN whose backing device fails.

Used by tests/guest/96-backstore-faults.sh with iblock over dm-error and
dm-flakey, and under failslab.  Every command must be answered within
--timeout seconds, with GOOD or with one of the sense codes allowed
(--allow, key/asc/ascq in hex; default MEDIUM ERROR 3/11/00 for reads
and 3/0c/00 for writes); a login may fail only when --allow-login-fail
is given.

    faults.py [-t target] sense --lba N         errors at N (READ and WRITE)
    faults.py [-t target] good --lba N          data written reads back
    faults.py [-t target] mixed --seconds S     random I/O, GOOD or allowed
    faults.py [-t target] logins --seconds S    login, READ, logout loops

Exit status 0 when the target answered as expected; the last line says
what happened.  Python 3 standard library only; uses tests/iscsi/hostile.py.
"""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "iscsi"))
import hostile as H  # noqa: E402

BLOCK = 512
MEDIUM_READ = (3, 0x11, 0)
MEDIUM_WRITE = (3, 0x0c, 0)


class Bad(Exception):
    pass


def session(args):
    c = H.Conn(args)
    c.sock.settimeout(args.timeout)
    c.login()
    for _ in range(8):
        rsp, _ = c.scsi(b"\0" * 6, 0, timeout=args.timeout)
        if rsp.hdr[3] == 0:
            return c
        if not rsp.sense() or rsp.sense()[0] not in (6, 2):
            raise Bad("TEST UNIT READY: %s" % rsp)
    raise Bad("unit attentions do not stop")


def outcome(rsp):
    """'good', or the sense (key, asc, ascq), or 'status 0xNN'."""
    if rsp.op == H.OP_SCSI_RSP and rsp.hdr[2] != 0:
        return "iSCSI response %d" % rsp.hdr[2]
    if rsp.hdr[3] == 0:
        return "good"
    s = rsp.sense()
    return s if s else "status 0x%02x" % rsp.hdr[3]


def read(c, args, lba, blocks):
    rsp, data = c.scsi(H.cdb_read10(lba, blocks), blocks * BLOCK, read=True,
                       timeout=args.timeout)
    return outcome(rsp), data


def write(c, args, lba, data):
    return outcome(c.write(lba, data, timeout=args.timeout))


def fmt(o):
    return "%x/%02x/%02x" % o if isinstance(o, tuple) else o


def c_sense(args):
    c = session(args)
    o, _ = read(c, args, args.lba, 8)
    if o != MEDIUM_READ:
        raise Bad("READ at LBA %d: %s, expected MEDIUM ERROR 3/11/00" %
                  (args.lba, fmt(o)))
    o = write(c, args, args.lba, os.urandom(8 * BLOCK))
    if o != MEDIUM_WRITE:
        raise Bad("WRITE at LBA %d: %s, expected MEDIUM ERROR 3/0c/00" %
                  (args.lba, fmt(o)))
    c.ping()
    c.logout()
    return "READ 3/11/00 and WRITE 3/0c/00 at LBA %d; session still works" % \
        args.lba


def c_good(args):
    c = session(args)
    data = os.urandom(64 * BLOCK)
    o = write(c, args, args.lba, data)
    if o != "good":
        raise Bad("WRITE at LBA %d: %s" % (args.lba, fmt(o)))
    o, back = read(c, args, args.lba, 64)
    if o != "good" or back != data:
        raise Bad("READ at LBA %d: %s, data %s" %
                  (args.lba, fmt(o), "same" if back == data else "differs"))
    c.logout()
    return "32 KiB written and read back at LBA %d" % args.lba


def allowed(args):
    out = {MEDIUM_READ, MEDIUM_WRITE}
    for a in args.allow:
        k, asc, q = (int(x, 16) for x in a.split("/"))
        out.add((k, asc, q))
    return out


def c_mixed(args):
    rng = random.Random(args.seed)
    ok = set(allowed(args))
    end = time.monotonic() + args.seconds
    counts = {}
    c = None
    relogins = 0
    while time.monotonic() < end:
        if c is None:
            try:
                c = session(args)
            except (H.LoginRejected, H.Closed, Bad) as e:
                if not args.allow_login_fail:
                    raise Bad("login: %s" % e) from e
                relogins += 1
                time.sleep(0.2)
                continue
        # at most 64 KiB: more can be over the device's maximum transfer
        # length (VPD B0), refused with INVALID FIELD IN CDB
        blocks = rng.choice((1, 8, 64, 128))
        lba = rng.randrange(0, args.blocks - blocks)
        try:
            if rng.random() < 0.5:
                o, _ = read(c, args, lba, blocks)
            else:
                o = write(c, args, lba, bytes([rng.getrandbits(8)]) *
                          (blocks * BLOCK))
        except H.Closed as e:
            if not args.allow_login_fail:
                raise Bad("connection closed: %s" % e) from e
            c.close()
            c = None
            relogins += 1
            continue
        key = fmt(o)
        counts[key] = counts.get(key, 0) + 1
        if o != "good" and o not in ok:
            raise Bad("LBA %d: %s, allowed: good, %s" %
                      (lba, key, ", ".join(map(fmt, sorted(ok)))))
    if c:
        c.logout()
    if args.need_errors and len(counts) < 2:
        raise Bad("no mix of outcomes: %s" % counts)
    return "answers: %s%s" % (", ".join("%s %d" % kv for kv in
                                        sorted(counts.items())),
                              ", %d new logins" % relogins if relogins else "")


def c_logins(args):
    end = time.monotonic() + args.seconds
    good = failed = 0
    while time.monotonic() < end:
        try:
            c = session(args)
            o, _ = read(c, args, 0, 8)
            if o != "good" and o not in allowed(args):
                raise Bad("READ: %s" % fmt(o))
            c.logout()
            good += 1
        except (H.LoginRejected, H.Closed) as e:
            if not args.allow_login_fail:
                raise Bad("login: %s" % e) from e
            failed += 1
        except H.Fail as e:
            if not args.allow_login_fail or "no " in str(e)[:3]:
                raise
            failed += 1
    return "%d logins with a READ, %d refused or closed" % (good, failed)


CASES = {"sense": c_sense, "good": c_good, "mixed": c_mixed,
         "logins": c_logins}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, default=3260)
    ap.add_argument("-t", "--target", default="iqn.2003-01.org.ktarget:faults")
    ap.add_argument("-i", "--initiator", default="iqn.2004-10.org.ktarget:faults")
    ap.add_argument("--lba", type=int, default=0)
    ap.add_argument("--blocks", type=int, default=65536,
                    help="LUN size in blocks (mixed)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30,
                    help="seconds any answer may take")
    ap.add_argument("--allow", action="append", default=[],
                    help="another sense key/asc/ascq allowed (hex)")
    ap.add_argument("--allow-login-fail", action="store_true")
    ap.add_argument("--need-errors", action="store_true",
                    help="mixed: fail unless some answers were errors")
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    args.initiator += "-" + args.case
    try:
        msg = CASES[args.case](args)
    except Bad as e:
        print("FAIL: %s: %s" % (args.case, e), flush=True)
        return 1
    except H.Silence:
        print("FAIL: %s: no answer within %.0f s" % (args.case, args.timeout),
              flush=True)
        return 1
    except (H.Fail, H.Closed, H.LoginRejected, OSError) as e:
        print("FAIL: %s: %s: %s" % (args.case, type(e).__name__, e),
              flush=True)
        return 1
    print("ok: %s: %s" % (args.case, msg), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
