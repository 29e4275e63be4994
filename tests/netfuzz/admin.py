# SPDX-License-Identifier: GPL-2.0
"""admin.py - the admin thread of netfuzz.py: concurrent configfs changes.

Most actions hit a second target of the module (--admin-target), which
the workers also log in to: its two TPGs, their portals, LUNs, ACLs and
mapped LUNs come and go, it is enabled and disabled, attributes and
parameters get valid and invalid values.  A share (--main-admin) of the
actions hit the fuzzed target itself, in ways that keep it usable: TPG
attributes, the CHAP initiator's ACL and mapped LUN, a short disable (the
probe waits for it), the device's write cache and unit serial.

Every action is one line in the history; a refused one (EINVAL, EBUSY,
EEXIST...) is normal, a configfs call that does not return within --hang
seconds is a finding (Monitor).
"""

import errno
import os
import threading
import time

from kcov import Kcov

PORTALS = {1: "127.0.0.1:3260", 2: "127.0.0.2:3260"}


class Admin(threading.Thread):
    def __init__(self, fz, rng):
        super().__init__(daemon=True, name="admin")
        self.fz = fz
        self.cfg = fz.cfg
        self.rng = rng
        self.busy_since = None
        self.busy_what = ""
        root = os.path.join(self.cfg.cfs, "iscsi")
        self.a = os.path.join(root, self.cfg.admin_target)
        self.main = os.path.join(root, self.cfg.target, "tpgt_1")
        self.devs = list(self.cfg.dev)
        self.kcov = Kcov.open() if self.cfg.kcov else None

    # -- one configfs action, timed and written to the history

    def busy_for(self):
        t = self.busy_since
        return time.monotonic() - t if t is not None else 0

    def act(self, what, fn, *args):
        self.fz.hist.add("admin", what)
        self.busy_what = what
        self.busy_since = time.monotonic()
        if self.kcov:
            self.kcov.start()
        try:
            fn(*args)
            ok = True
        except OSError as e:
            self.fz.hist.add("admin", "  -> %s" %
                             errno.errorcode.get(e.errno, str(e.errno)))
            self.fz.stat("admin-err")
            ok = False
        finally:
            self.busy_since = None
            if self.kcov:
                pcs = self.kcov.stop()
                with self.fz.slock:
                    self.fz.kcov_pcs.update(pcs)
        self.fz.stat("admin")
        return ok

    def rel(self, path):
        return os.path.relpath(path, self.cfg.cfs)

    def write(self, path, value):
        def w():
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, value.encode())
            finally:
                os.close(fd)
        return self.act("write %s <- %r" % (self.rel(path), value[:80]), w)

    def mkdir(self, path):
        return self.act("mkdir %s" % self.rel(path), os.mkdir, path)

    def rmdir(self, path):
        return self.act("rmdir %s" % self.rel(path), os.rmdir, path)

    def link(self, src, dst):
        return self.act("ln -s %s %s" % (self.rel(src), self.rel(dst)),
                        os.symlink, src, dst)

    def unlink(self, path):
        return self.act("rm %s" % self.rel(path), os.unlink, path)

    @staticmethod
    def ls(path, prefix=""):
        try:
            return sorted(os.path.join(path, n) for n in os.listdir(path)
                          if n.startswith(prefix))
        except OSError:
            return []

    # -- the admin target

    def tpg(self, n=None):
        return os.path.join(self.a, "tpgt_%d" % (n or self.rng.choice((1, 2))))

    def initiators(self):
        return ["%s-w%d-%d" % (self.cfg.initiator, w, k)
                for w in range(self.cfg.workers) for k in range(4)]

    def tpg_make(self):
        rng = self.rng
        n = rng.choice((1, 2))
        t = self.tpg(n)
        if not os.path.isdir(t) and not self.mkdir(t):
            return
        self.mkdir(os.path.join(t, "np", PORTALS[n]))
        for k in range(rng.randrange(1, 3)):
            self.lun_make(t, k)
        for k, v in (("generate_node_acls", rng.choice("011")),
                     ("authentication", "0"),
                     ("demo_mode_write_protect", rng.choice("01")),
                     ("default_erl", rng.choice("0122"))):
            self.write(os.path.join(t, "attrib", k), v)
        self.write(os.path.join(t, "param", "MaxConnections"),
                   rng.choice(("1", "2", "4")))
        self.write(os.path.join(t, "param", "ErrorRecoveryLevel"),
                   rng.choice("0122"))
        self.write(os.path.join(t, "enable"), "1")

    def lun_make(self, t, k=None):
        if not self.devs:
            return
        k = self.rng.randrange(3) if k is None else k
        lun = os.path.join(t, "lun", "lun_%d" % k)
        if self.mkdir(lun):
            dev = self.rng.choice(self.devs)
            self.link(dev, os.path.join(lun, os.path.basename(dev)))

    def lun_remove(self, lun):
        for l in self.ls(lun):
            if os.path.islink(l):
                self.unlink(l)
        self.rmdir(lun)

    def acl_remove(self, acl):
        for m in self.ls(acl, "lun_"):
            for l in self.ls(m):
                if os.path.islink(l):
                    self.unlink(l)
            self.rmdir(m)
        self.rmdir(acl)

    def tpg_remove(self):
        t = self.tpg()
        if not os.path.isdir(t):
            return
        close = "tpg-close" not in self.fz.avoid
        if self.rng.random() < 0.7 and close:
            self.write(os.path.join(t, "enable"), "0")
        for acl in self.ls(os.path.join(t, "acls")):
            self.acl_remove(acl)
        for lun in self.ls(os.path.join(t, "lun"), "lun_"):
            self.lun_remove(lun)
        if not close:		# the TPG and its portal stay
            return
        for np in self.ls(os.path.join(t, "np")):
            self.rmdir(np)
        self.rmdir(t)

    def acl_make(self):
        t = self.tpg()
        acl = os.path.join(t, "acls", self.rng.choice(self.initiators()))
        if not os.path.isdir(acl) and not self.mkdir(acl):
            return
        self.mapped_lun_make(acl)

    def mapped_lun_make(self, acl):
        t = os.path.dirname(os.path.dirname(acl))
        luns = self.ls(os.path.join(t, "lun"), "lun_")
        if not luns:
            return
        lun = self.rng.choice(luns)
        m = os.path.join(acl, "lun_%d" % self.rng.randrange(3))
        if self.mkdir(m):
            self.link(lun, os.path.join(m, "map"))

    def some(self, pattern_dirs):
        """A random existing entry of the given folders, or None."""
        items = [x for d in pattern_dirs for x in self.ls(d)]
        return self.rng.choice(items) if items else None

    def acl_remove_one(self):
        acl = self.some([os.path.join(self.tpg(), "acls")])
        if acl:
            self.acl_remove(acl)

    def mapped_lun_toggle(self):
        acl = self.some([os.path.join(self.tpg(), "acls")])
        if not acl:
            return
        ms = self.ls(acl, "lun_")
        if ms and self.rng.random() < 0.5:
            m = self.rng.choice(ms)
            for l in self.ls(m):
                if os.path.islink(l):
                    self.unlink(l)
            self.rmdir(m)
        else:
            self.mapped_lun_make(acl)

    def lun_toggle(self):
        t = self.tpg()
        if not os.path.isdir(t):
            return
        luns = self.ls(os.path.join(t, "lun"), "lun_")
        if luns and self.rng.random() < 0.5:
            self.lun_remove(self.rng.choice(luns))
        else:
            self.lun_make(t)

    def enable_toggle(self):
        t = self.tpg()
        v = self.rng.choice("01")
        if "tpg-close" in self.fz.avoid:
            v = "1"
        if os.path.isdir(t):
            self.write(os.path.join(t, "enable"), v)

    ATTRS = {
        "login_timeout": ("2", "5", "15", "30", "0", "1000", "-1", "x"),
        "default_erl": ("0", "1", "2", "3", "-1"),
        "default_cmdsn_depth": ("1", "16", "64", "512", "0", "65536"),
        "netif_timeout": ("2", "5", "15", "1"),
        "generate_node_acls": ("0", "1", "2"),
        "demo_mode_write_protect": ("0", "1"),
        "prod_mode_write_protect": ("0", "1"),
        "cache_dynamic_acls": ("0", "1"),
        "authentication": ("0", "1", "2"),
    }
    PARAMS = {
        "MaxConnections": ("1", "2", "4", "0", "65536"),
        "ErrorRecoveryLevel": ("0", "1", "2", "3"),
        "HeaderDigest": ("CRC32C,None", "None", "CRC32C", "MD5"),
        "DataDigest": ("CRC32C,None", "None", "CRC32C"),
        "MaxRecvDataSegmentLength": ("512", "8192", "262144", "16777215",
                                     "0", "16777216"),
        "InitialR2T": ("Yes", "No", "Maybe"),
        "ImmediateData": ("Yes", "No"),
        "MaxBurstLength": ("512", "262144", "16776192", "0"),
        "FirstBurstLength": ("512", "65536", "16776192"),
        "DefaultTime2Retain": ("0", "2", "20", "3601"),
        "MaxOutstandingR2T": ("1", "4", "65535", "0"),
    }
    ACL_ATTRS = {
        "default_erl": ("0", "1", "2", "5"),
        "dataout_timeout": ("2", "3", "10", "61"),
        "nopin_timeout": ("5", "15", "1"),
        "authentication": ("-1", "0", "1"),
        "random_r2t_offsets": ("0", "1"),
    }

    def attr_write(self, t):
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            k = rng.choice(sorted(self.ATTRS))
            self.write(os.path.join(t, "attrib", k), rng.choice(self.ATTRS[k]))
        elif r < 0.7:
            k = rng.choice(sorted(self.PARAMS))
            self.write(os.path.join(t, "param", k), rng.choice(self.PARAMS[k]))
        else:
            acl = self.some([os.path.join(t, "acls")])
            if not acl:
                return
            if rng.random() < 0.5:
                self.write(os.path.join(acl, "cmdsn_depth"),
                           rng.choice(("1", "2", "16", "128", "0", "99999")))
            else:
                k = rng.choice(sorted(self.ACL_ATTRS))
                self.write(os.path.join(acl, "attrib", k),
                           rng.choice(self.ACL_ATTRS[k]))

    def dev_write(self):
        rng = self.rng
        if not self.devs:
            return
        dev = rng.choice(self.devs)
        r = rng.random()
        if r < 0.5:
            self.write(os.path.join(dev, "attrib", "emulate_write_cache"),
                       rng.choice("01"))
        elif r < 0.8:
            n = rng.choice((1, 8, 16, 40, 64))
            if "long-serial" not in self.fz.avoid:
                n = rng.choice((n, 200, 253, 254, 255, 400))
            self.write(os.path.join(dev, "wwn", "vpd_unit_serial"),
                       "".join(rng.choice("0123456789abcdef")
                               for _ in range(n)))
        else:
            k = rng.choice(("emulate_fua_write", "emulate_tpu",
                            "emulate_3pc", "queue_depth", "is_nonrot"))
            self.write(os.path.join(dev, "attrib", k),
                       rng.choice(("0", "1", "16", "128")))

    # -- the fuzzed target: changes that leave it usable

    def main_action(self):
        rng = self.rng
        t = self.main
        chap = os.path.join(t, "acls", self.cfg.chap_initiator)
        r = rng.random()
        if r < 0.35:
            k = rng.choice(("login_timeout", "default_erl",
                            "default_cmdsn_depth", "netif_timeout"))
            self.write(os.path.join(t, "attrib", k),
                       rng.choice(self.ATTRS[k]))
        elif r < 0.5:
            self.write(os.path.join(chap, "cmdsn_depth"),
                       rng.choice(("1", "2", "16", "64")))
        elif r < 0.6 and "tpg-close" in self.fz.avoid:
            self.write(os.path.join(t, "enable"), "1")
        elif r < 0.6:
            with self.fz.main_quiet:
                self.write(os.path.join(t, "enable"), "0")
                time.sleep(rng.uniform(0, 1))
                self.write(os.path.join(t, "enable"), "1")
        elif r < 0.8:
            m = os.path.join(chap, "lun_0")
            if os.path.isdir(m):
                for l in self.ls(m):
                    if os.path.islink(l):
                        self.unlink(l)
                self.rmdir(m)
            else:
                self.chap_acl()
        else:
            self.dev_write()

    def chap_acl(self):
        """The CHAP initiator's ACL on the fuzzed target, LUN 0 mapped."""
        chap = os.path.join(self.main, "acls", self.cfg.chap_initiator)
        if not os.path.isdir(chap):
            self.mkdir(chap)
            self.write(os.path.join(chap, "auth", "userid"), self.cfg.chap_user)
            self.write(os.path.join(chap, "auth", "password"),
                       self.cfg.chap_secret)
            self.write(os.path.join(chap, "attrib", "authentication"), "1")
        m = os.path.join(chap, "lun_0")
        if not os.path.isdir(m) and self.mkdir(m):
            self.link(os.path.join(self.main, "lun", "lun_0"),
                      os.path.join(m, "map"))

    def restore(self):
        """The fuzzed target as the guest script made it."""
        self.write(os.path.join(self.main, "enable"), "1")
        self.chap_acl()
        for k, v in (("login_timeout", "15"), ("default_erl", "0"),
                     ("default_cmdsn_depth", "64")):
            self.write(os.path.join(self.main, "attrib", k), v)

    # -- the thread

    def run(self):
        rng = self.rng
        table = [(self.tpg_make, 3), (self.tpg_remove, 2),
                 (self.acl_make, 4), (self.acl_remove_one, 2),
                 (self.mapped_lun_toggle, 4), (self.lun_toggle, 3),
                 (self.enable_toggle, 3),
                 (lambda: self.attr_write(self.tpg()), 6),
                 (self.dev_write, 1)]
        funcs = [f for f, w in table for _ in range(w)]
        if not os.path.isdir(self.a):
            self.mkdir(self.a)
        while not self.fz.stop.is_set():
            if rng.random() < self.cfg.main_admin:
                self.main_action()
            else:
                rng.choice(funcs)()
            self.fz.stop.wait(rng.uniform(0.05, 0.6))
