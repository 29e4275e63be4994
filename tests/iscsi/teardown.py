#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""teardown.py - logins and admin teardown racing, and connection bounds.

Uses hostile.py's PDU builder, connection class and case registry.  Each
case drives logins (held open, finished after the TPG was disabled, in a
flood, looping in threads) against configfs changes it makes itself
(rmdir of the TPG or an ACL, enable=0, attributes), or fills a
connection's transmit queue without reading it, and checks what the
target does: closes, refuses, keeps serving the other sessions, frees the
TPG without waiting for the initiator.  Runs as root in the guest: --tpg
names the configfs tpgt_N folder of --target, --dev the storage object
linked as its lun_0, --np its portal folder name.

    teardown.py [-H host] [-p port] [-t target-iqn] --tpg DIR --dev DIR CASE
    teardown.py --list

Exit status 0 when the target behaved, 1 otherwise; the last line printed
says what happened.  Python 3 standard library only.
"""

import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
from hostile import (Fail, Closed, Silence, LoginRejected, Conn,  # noqa: E402
                     logged_in, keys_bytes, cdb_read10, expect_close,
                     cfs_write, BLOCK, OP_NOP_IN, log)

DEF_TARGET = "iqn.2003-01.org.ktarget:teardown"
DEF_INITIATOR = "iqn.2004-10.org.ktarget:teardown"
LBA = 300000

CASES, case = H.case_registry()


# ---------------------------------------------------------------- configfs

def acl_dir(args, ini):
    return os.path.join(args.tpg, "acls", ini)


def make_acl(args, ini):
    """A static ACL for @ini mapping lun_0 as its LUN 0."""
    a = acl_dir(args, ini)
    os.mkdir(a)
    os.mkdir(os.path.join(a, "lun_0"))
    os.symlink(os.path.join(args.tpg, "lun", "lun_0"),
               os.path.join(a, "lun_0", "map"))


def drop_acl(args, ini):
    a = acl_dir(args, ini)
    if not os.path.isdir(a):
        return
    for d in os.listdir(a):
        if d.startswith("lun_"):
            m = os.path.join(a, d)
            for f in os.listdir(m):
                if os.path.islink(os.path.join(m, f)):
                    os.unlink(os.path.join(m, f))
            os.rmdir(m)
    os.rmdir(a)


def tpg_remove(args):
    """rmdir of the whole TPG, children first (as targetcli does)."""
    t = args.tpg
    for ini in os.listdir(os.path.join(t, "acls")):
        drop_acl(args, ini)
    for d in os.listdir(os.path.join(t, "lun")):
        m = os.path.join(t, "lun", d)
        for f in os.listdir(m):
            if os.path.islink(os.path.join(m, f)):
                os.unlink(os.path.join(m, f))
        os.rmdir(m)
    for d in os.listdir(os.path.join(t, "np")):
        os.rmdir(os.path.join(t, "np", d))
    os.rmdir(t)


def tpg_create(args, acls=()):
    """The TPG as the guest script made it: lun_0, the portal, no demo
    mode, no authentication, enabled."""
    t = args.tpg
    os.mkdir(t)
    os.mkdir(os.path.join(t, "lun", "lun_0"))
    os.symlink(args.dev, os.path.join(t, "lun", "lun_0",
                                      os.path.basename(args.dev)))
    os.mkdir(os.path.join(t, "np", args.np))
    cfs_write(os.path.join(t, "attrib", "authentication"), "0")
    cfs_write(os.path.join(t, "attrib", "generate_node_acls"), "0")
    for ini in acls:
        make_acl(args, ini)
    cfs_write(os.path.join(t, "enable"), "1")


def session_of(args, ini):
    """Whether the TPG lists a session of @ini (acls/<ini>/info)."""
    try:
        with open(os.path.join(acl_dir(args, ini), "info")) as f:
            return not f.read().startswith("No active iSCSI Session")
    except FileNotFoundError:
        return False


def timed(fn, *a):
    t = time.monotonic()
    fn(*a)
    return time.monotonic() - t


def in_thread(fn, *a):
    """Run fn(*a) in a thread; returns (thread, result dict)."""
    res = {}

    def run():
        t = time.monotonic()
        try:
            fn(*a)
        except OSError as e:
            res["error"] = e
        res["time"] = time.monotonic() - t
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th, res


# ---------------------------------------------------------------- login

def first_keys(c, extra=()):
    first, _ = c.base_keys()
    return keys_bytes(first + [("AuthMethod", "None")] + list(extra))


def held_login(args, initiator):
    """A login whose security stage got its answer; the target now holds
    the TPG for it and waits for the next request."""
    c = Conn(args, initiator=initiator)
    c.send_login(0, 1, False, first_keys(c))
    c.login_rsp()
    return c


def keep_alive(c, piece=b"X"):
    """A Continue-bit login request: the login goes on (text to come)."""
    c.send_login(0, 1, False, piece, cont=True)
    c.login_rsp()


def keep_going(c, until):
    """keep_alive() every second while @until() holds, until the target
    ends the login (a missing answer does not end it)."""
    while until():
        try:
            keep_alive(c)
        except (Closed, LoginRejected, OSError):
            break
        except Silence:
            pass
        time.sleep(1)


def finish_login(c, last=b""):
    """Security stage to operational (with @last ending the text of
    Continue-bit requests), then to full feature phase."""
    _, oper = c.base_keys()
    c.send_login(0, 1, True, last)
    c.login_rsp()
    p = c.login_stage(1, 3, keys_bytes(oper), "operational stage")
    c.cmdsn = p.exp_cmdsn
    return p


def expect_no_login(c, what, last=b""):
    """The rest of the login must fail: reject or close."""
    try:
        finish_login(c, last)
    except (Closed, LoginRejected) as e:
        return str(e)
    except Silence as e:
        raise Fail("%s: login neither finished nor ended" % what) from e
    try:
        c.clear_ua()
        rsp, _ = c.scsi(H.TUR, 0)
        works = "and the session works (%s)" % rsp
    except (Closed, Silence):
        works = "(the connection ended later)"
    raise Fail("%s: the login completed %s" % (what, works))


# ---------------------------------------------------------------- cases

@case("tpg-rmdir-login", "rmdir of the TPG while a login holds it (Continue-bit requests keep it going): rmdir returns at once and the login ends")
def c_tpg_rmdir_login(args):
    ini = "%s-held" % DEF_INITIATOR
    make_acl(args, ini)
    c = held_login(args, ini)
    keep_alive(c)
    th, res = in_thread(tpg_remove, args)
    deadline = time.monotonic() + 10
    keep_going(c, lambda: th.is_alive() and time.monotonic() < deadline)
    th.join(10)
    if th.is_alive():
        th.join()
        tpg_create(args)
        raise Fail("rmdir of the TPG took %.0f s: it waited for a login "
                   "instead of ending it" % res.get("time", 0))
    if "error" in res:
        raise Fail("rmdir of the TPG: %s" % res["error"])
    try:
        expect_close(c, 5.0, "after the TPG was removed")
    except OSError:
        pass
    tpg_create(args)
    c2 = Conn(args, initiator=ini)
    try:
        c2.login()
        raise Fail("login accepted after the ACL went with the TPG")
    except LoginRejected as e:
        msg = "recreated TPG refuses the old initiator (0x%04x)" % e.status
    return "rmdir took %.2f s, the held login was closed; %s" % \
        (res["time"], msg)


@case("login-deadline", "Continue-bit login requests every second never finish the login: closed at attrib/login_timeout (5 s)")
def c_login_deadline(args):
    lt = os.path.join(args.tpg, "attrib", "login_timeout")
    cfs_write(lt, "5")
    try:
        ini = "%s-slow" % DEF_INITIATOR
        make_acl(args, ini)
        t0 = time.monotonic()
        c = held_login(args, ini)
        keep_going(c, lambda: time.monotonic() - t0 < 20)
        took = time.monotonic() - t0
        if took > 9:
            raise Fail("login still going after %.0f s (login_timeout 5)" %
                       took)
    finally:
        cfs_write(lt, "15")
        drop_acl(args, "%s-slow" % DEF_INITIATOR)
    return "login closed after %.1f s" % took


@case("disable-mid-login", "enable=0 between the security and operational stages, the login kept going for 50 s: it must not give a session")
def c_disable_mid_login(args):
    ini = "%s-late" % DEF_INITIATOR
    make_acl(args, ini)
    en = os.path.join(args.tpg, "enable")
    try:
        c = held_login(args, ini)
        cfs_write(en, "0")
        # the login goes on (Continue-bit requests) past any grace time
        # the target may give the sessions of a disabled TPG to end
        # (the text of the Continue-bit requests: one private key)
        t0 = time.monotonic()
        piece = b"X-ktarget-pad="
        while time.monotonic() - t0 < 50:
            try:
                keep_alive(c, piece)
            except (Closed, LoginRejected, Silence, OSError):
                break
            piece = b"a"
            time.sleep(1)
        how = expect_no_login(c, "after enable=0 and %.0f s" %
                              (time.monotonic() - t0), b"a\0")
        time.sleep(0.5)
        if session_of(args, ini):
            raise Fail("the TPG lists a session of %s after enable=0" % ini)
        # a brand new login is refused as well
        c2 = Conn(args, initiator=ini)
        try:
            c2.send_login(0, 1, False, first_keys(c2))
            c2.login_rsp()
            how2 = expect_no_login(c2, "new login after enable=0")
        except (Closed, LoginRejected) as e:
            how2 = str(e)
    finally:
        cfs_write(en, "1")
    c3 = logged_in(args, initiator=ini)
    c3.logout()
    drop_acl(args, ini)
    return "login in progress: %s; new login: %s; after enable=1 logins " \
        "work" % (how, how2)


@case("acl-rmdir", "rmdir acls/<initiator> ends its session, refuses its logins, and mkdir of the same ACL works")
def c_acl_rmdir(args):
    ini = "%s-acl" % DEF_INITIATOR
    make_acl(args, ini)
    c = logged_in(args, initiator=ini)
    drop_acl(args, ini)
    try:
        rsp, _ = c.scsi(H.TUR, 0, timeout=5)
        expect_close(c, 5.0, "after its ACL was removed")
    except (Closed, OSError):
        pass
    except Fail as e:
        raise Fail("the session of a removed ACL goes on: %s" % e) from e
    c2 = Conn(args, initiator=ini)
    try:
        c2.login()
        raise Fail("login with the removed ACL's name accepted")
    except LoginRejected as e:
        if e.status != 0x0202:
            raise Fail("login status 0x%04x, expected 0x0202" % e.status) \
                from e
    try:
        make_acl(args, ini)
    except OSError as e:
        raise Fail("mkdir of the ACL again: %s" % e) from e
    c3 = logged_in(args, initiator=ini)
    c3.logout()
    drop_acl(args, ini)
    return "session closed, login refused (0x0202), ACL made again and " \
        "logged in"


@case("prod-write-protect", "attrib/prod_mode_write_protect=1: a static ACL's LUN is read-only (WRITE: DATA PROTECT; READ works)")
def c_prod_write_protect(args):
    ini = "%s-prod" % DEF_INITIATOR
    wp = os.path.join(args.tpg, "attrib", "prod_mode_write_protect")
    cfs_write(wp, "1")
    try:
        make_acl(args, ini)
        c = logged_in(args, initiator=ini)
        rsp = c.write(LBA, os.urandom(BLOCK))
        sense = rsp.sense()
        if rsp.hdr[3] != 0x02 or not sense or sense[0] != 7:
            raise Fail("WRITE with prod_mode_write_protect=1: %s, expected "
                       "DATA PROTECT" % rsp)
        rsp, data = c.scsi(cdb_read10(LBA, 1), BLOCK, read=True)
        if rsp.hdr[3] != 0 or len(data) != BLOCK:
            raise Fail("READ: %s" % rsp)
        c.logout()
    finally:
        cfs_write(wp, "0")
        drop_acl(args, ini)
    return "WRITE refused with DATA PROTECT %x/%02x/%02x, READ works" % \
        sense[:3]


def flood_conns(src, n, args):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.settimeout(5)
        try:
            s.connect((args.host, args.port))
        except OSError:
            s.close()
            continue
        socks.append(s)
    return socks


def closed_by_target(s):
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@case("login-flood", "300 connections from 127.0.0.50 that never log in: a login, a logout and a ping of another initiator are not held up")
def c_login_flood(args):
    ini = "%s-victim" % DEF_INITIATOR
    make_acl(args, ini)
    v = logged_in(args, initiator=ini)
    t0 = time.monotonic()
    socks = flood_conns("127.0.0.50", 300, args)
    log("  %d flood connections in %.1f s" %
        (len(socks), time.monotonic() - t0))
    try:
        time.sleep(1)
        t = time.monotonic()
        v.ping()
        v.logout()
        gone = time.monotonic()
        while session_of(args, ini) and time.monotonic() - gone < 10:
            time.sleep(0.1)
        if session_of(args, ini):
            raise Fail("the logged out session is still listed after 10 s")
        released = time.monotonic() - t
        t = time.monotonic()
        v2 = Conn(args, initiator=ini)
        v2.login()
        took = time.monotonic() - t
        v2.clear_ua()
        v2.logout()
        if took > 5 or released > 5:
            raise Fail("during the flood a login took %.1f s, a logout "
                       "and release %.1f s" % (took, released))
        closed = sum(closed_by_target(s) for s in socks)
    finally:
        for s in socks:
            s.close()
        drop_acl(args, ini)
    return "logout+release %.2f s, login %.2f s; %d of %d flood " \
        "connections closed at once" % (released, took, closed, len(socks))


PING_LIMIT = 64 << 20		# more than any transmit queue may hold


def flood_pings(c):
    """NOP-Out pings with up to 8 KiB of data, never reading the answers,
    until the target stops reading them (at most PING_LIMIT bytes or 60 s):
    (bytes sent, bytes a ping, when it began)."""
    size = min(8192, c.mrdsl)
    data = os.urandom(size)
    sent = 0
    c.sock.settimeout(3)
    t0 = time.monotonic()
    while sent < PING_LIMIT and time.monotonic() - t0 < 60:
        try:
            c.send(c.nop_hdr(dlen=size), data)
        except (socket.timeout, Closed, OSError):
            break
        sent += size
    return sent, size, t0


@case("txq-bound", "NOP-Out pings with 8 KiB of data, responses never read: the target stops reading, a victim does I/O, after 30 s the connection is dropped")
def c_txq_bound(args):
    ini = "%s-noread" % DEF_INITIATOR
    vini = "%s-victim2" % DEF_INITIATOR
    make_acl(args, ini)
    make_acl(args, vini)
    try:
        c = logged_in(args, rcvbuf=4096, initiator=ini)
        v = logged_in(args, initiator=vini)
        sent, size, t0 = flood_pings(c)
        pings = sent // size
        log("  %d pings (%d KiB) sent before the target stopped reading "
            "(%.1f s)" % (pings, sent >> 10, time.monotonic() - t0))
        if sent >= PING_LIMIT:
            raise Fail("the target read 64 MiB of pings whose answers "
                       "nobody reads: its transmit queue is unbounded")
        for i in range(3):
            d = os.urandom(16 * BLOCK)
            rsp = v.write(LBA + i * 16, d)
            rsp2, back = v.scsi(cdb_read10(LBA + i * 16, 16), len(d),
                                read=True)
            if rsp.hdr[3] or rsp2.hdr[3] or back != d:
                raise Fail("victim I/O failed: %s %s" % (rsp, rsp2))
        log("  victim wrote and read back 3 x 8 KiB meanwhile")
        time.sleep(36 - (time.monotonic() - t0))
        got = 0
        try:
            while True:
                p = c.recv(5)
                if p.op == OP_NOP_IN:
                    got += 1
        except Closed:
            pass
        except Silence as e:
            raise Fail("connection still open after 36 s (%d of %d pings "
                       "answered)" % (got, pings)) from e
        if got >= pings:
            raise Fail("every ping answered: the connection was not dropped")
        v.logout()
    finally:
        drop_acl(args, ini)
        drop_acl(args, vini)
    return "%d KiB accepted, then the target stopped reading; dropped " \
        "after answering %d of %d pings; victim unaffected" % \
        (sent >> 10, got, pings)


def discovery_login(args, ini):
    """An unauthenticated discovery session (no ACL needed)."""
    c = Conn(args, rcvbuf=4096, initiator=ini)
    c.login_discovery(mrdsl=8192)
    c.mrdsl = int(c.keys.get("MaxRecvDataSegmentLength", "8192"))
    return c


@case("txq-discovery", "a discovery session (no authentication) sends NOP-Out pings with 8 KiB of data and reads nothing: the target stops reading")
def c_txq_discovery(args):
    c = discovery_login(args, "%s-disc" % DEF_INITIATOR)
    sent, _, t0 = flood_pings(c)
    c.close()
    log("  %d KiB sent before the target stopped reading (%.1f s)" %
        (sent >> 10, time.monotonic() - t0))
    if sent >= PING_LIMIT:
        raise Fail("the target read 64 MiB of pings on a discovery session "
                   "whose answers nobody reads")
    return "%d KiB accepted, then the target stopped reading" % (sent >> 10)


def login_then_bad_pdu(args, ini):
    """One login whose final request is followed, in the same segment, by
    a NOP-Out with a wrong header digest: the connection starts and fails
    at once.  True when the target answered the login first."""
    c = Conn(args, initiator=ini)
    try:
        first, oper = c.base_keys(hdr_digest=True)
        data = keys_bytes(first + oper)
        login = c.frame(c.login_pdu(1, 3, True, data), data)
        c.hdr_digest = True
        bad = c.frame(c.nop_hdr(), bad_digest=True)
        c.hdr_digest = False	# not on the login response
        c.send_raw(login + bad)
        try:
            p = c.login_rsp()
        except Closed:
            return False
        c.hdr_digest = True
        if not (p.flags & 0x80 and (p.flags & 3) == 3):
            raise Fail("the login did not go to full feature phase: %s" % p)
        expect_close(c, 10, "after a PDU with a wrong header digest")
        return True
    finally:
        c.close()


@case("login-drop-at-once", "100 logins each followed in the same segment by a PDU with a wrong header digest (a connection that fails as it starts): each is closed, then a new session does I/O")
def c_login_drop_at_once(args):
    ini = "%s-drop" % DEF_INITIATOR
    make_acl(args, ini)
    try:
        answered = sum(login_then_bad_pdu(args, ini) for _ in range(100))
        c = logged_in(args, initiator=ini)
        rsp, _ = c.scsi(cdb_read10(LBA, 8), 8 * BLOCK, read=True)
        c.logout()
    finally:
        drop_acl(args, ini)
    return "%d of 100 logins answered before the close; a new session " \
        "read %s" % (answered, rsp)


def race_worker(args, idx, stop, stats):
    ini = "%s-race%d" % (DEF_INITIATOR, idx % 2)
    while not stop.is_set():
        c = None
        try:
            c = Conn(args, initiator=ini)
            c.sock.settimeout(5)
            c.login()
            c.clear_ua()
            rsp, _ = c.scsi(cdb_read10(LBA, 8), 8 * BLOCK, read=True,
                            timeout=5)
            stats["io"] += 1
            if random.random() < 0.5:
                c.logout()
            stats["ok"] += 1
        except (Closed, Silence, LoginRejected, Fail, OSError):
            stats["ended"] += 1
        finally:
            if c:
                c.close()


@case("race", "4 threads loop logins and I/O while the admin disables/enables the TPG, removes/recreates ACLs and removes/recreates the TPG (--seconds)")
def c_race(args):
    stop = threading.Event()
    stats = {"ok": 0, "io": 0, "ended": 0}
    inis = ["%s-race%d" % (DEF_INITIATOR, i) for i in range(2)]
    for ini in inis:
        make_acl(args, ini)
    ths = [threading.Thread(target=race_worker, args=(args, i, stop, stats),
                            daemon=True) for i in range(4)]
    for th in ths:
        th.start()
    en = os.path.join(args.tpg, "enable")
    t0 = time.monotonic()
    rounds = {"disable": 0, "acl": 0, "tpg": 0}
    try:
        while time.monotonic() - t0 < args.seconds:
            time.sleep(random.uniform(0, 0.4))
            what = random.choice(["disable", "acl", "acl", "tpg"])
            if what == "disable":
                cfs_write(en, "0")
                time.sleep(random.uniform(0, 0.2))
                cfs_write(en, "1")
            elif what == "acl":
                ini = random.choice(inis)
                drop_acl(args, ini)
                time.sleep(random.uniform(0, 0.2))
                make_acl(args, ini)
            else:
                took = timed(tpg_remove, args)
                if took > 10:
                    raise Fail("rmdir of the TPG took %.0f s" % took)
                tpg_create(args, inis)
            rounds[what] += 1
    finally:
        stop.set()
        for th in ths:
            th.join(30)
    if any(th.is_alive() for th in ths):
        raise Fail("a login thread is stuck")
    if not stats["io"]:
        raise Fail("no login ever worked")
    return "%d disable, %d ACL, %d TPG rounds; %d sessions did I/O, %d " \
        "logins ended by the admin" % (rounds["disable"], rounds["acl"],
                                       rounds["tpg"], stats["io"],
                                       stats["ended"])


def main():
    ap = H.case_parser(__doc__, DEF_TARGET)
    ap.add_argument("-i", "--initiator", default=DEF_INITIATOR)
    ap.add_argument("--tpg", required=False, default=None)
    ap.add_argument("--dev", default=None)
    ap.add_argument("--np", default="127.0.0.1:3260")
    ap.add_argument("--seconds", type=float, default=60)
    args = H.case_args(ap, CASES)
    if args is None:
        return 0
    if not args.tpg or not args.dev:
        ap.error("--tpg and --dev are needed")
    return H.run_case(CASES, args)


if __name__ == "__main__":
    sys.exit(main())
