# SPDX-License-Identifier: GPL-2.0
"""kcov.py - per-thread KCOV coverage of ktarget's modules, when the kernel
has /sys/kernel/debug/kcov (CONFIG_KCOV, the debug kernel of make
check-debug); Documentation/dev-tools/kcov.rst describes the interface.

KCOV records the code a task runs in its own system calls: here configfs
writes and the socket calls of the fuzzer (class Kcov).  What the
target's own threads run (PDU receive, transmit, login work) is recorded
through a KCOV common handle (class RemoteKcov): ktarget_iscsi.kcov_id
names its instance and the iSCSI threads report to it.  Only program
counters inside our modules (their ranges from /proc/modules) count.
"""

import ctypes
import fcntl
import os
import struct
import threading

PATH = "/sys/kernel/debug/kcov"
KCOV_INIT_TRACE = 0x80086301	# _IOR('c', 1, unsigned long)
KCOV_ENABLE = 0x6364		# _IO('c', 100)
KCOV_DISABLE = 0x6365		# _IO('c', 101)
KCOV_REMOTE_ENABLE = 0x40186366	# _IOW('c', 102, struct kcov_remote_arg)
KCOV_TRACE_PC = 0
WORDS = 1 << 17
REMOTE_WORDS = 1 << 16		# per remote section (one PDU, one login)
KCOV_ID_PARAM = "/sys/module/ktarget_iscsi/parameters/kcov_id"
KCOV_ID = 0x6b74		# "kt": our instance of the common subsystem


def module_ranges(prefix="ktarget_"):
    """[(start, end)] of the loaded modules named @prefix*."""
    out = []
    try:
        with open("/proc/modules") as f:
            for line in f:
                v = line.split()
                if v[0].startswith(prefix) and len(v) >= 6:
                    start = int(v[5], 16)
                    if start:
                        out.append((start, start + int(v[1])))
    except (OSError, ValueError):
        pass
    return out


def ours(pcs, ranges):
    return set(pc for pc in pcs if any(a <= pc < b for a, b in ranges))


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                       ctypes.c_int, ctypes.c_int, ctypes.c_long]
PROT_RW = 3			# PROT_READ | PROT_WRITE
MAP_SHARED = 1


class _Buffer:
    """A KCOV file with its trace buffer mapped (words[0]: the count).

    The kcov file has size 0, which Python's mmap module refuses to map
    beyond, so libc's mmap() maps it.
    """

    @classmethod
    def open(cls):
        try:
            return cls()
        except OSError:
            return None

    def __init__(self):
        self.fd = os.open(PATH, os.O_RDWR)
        fcntl.ioctl(self.fd, KCOV_INIT_TRACE, WORDS)
        addr = _libc.mmap(None, WORDS * 8, PROT_RW, MAP_SHARED, self.fd, 0)
        if addr is None or addr == ctypes.c_void_p(-1).value:
            raise OSError(ctypes.get_errno(), "mmap of " + PATH)
        self.words = (ctypes.c_uint64 * WORDS).from_address(addr)
        self.ranges = module_ranges()

    def take(self):
        """The distinct PCs of our modules in the buffer; empties it."""
        n = min(self.words[0], WORDS - 1)
        pcs = self.words[1:n + 1]
        self.words[0] = 0
        if not self.ranges:
            self.ranges = module_ranges()
        return ours(pcs, self.ranges)


class Kcov(_Buffer):
    """One KCOV buffer, enabled around the operations of one thread."""

    @staticmethod
    def available():
        return os.path.exists(PATH)

    def __init__(self):
        super().__init__()
        self.on = False

    def start(self):
        try:
            fcntl.ioctl(self.fd, KCOV_ENABLE, KCOV_TRACE_PC)
        except OSError:
            return
        self.words[0] = 0
        self.on = True

    def stop(self):
        """The distinct PCs of our modules since start()."""
        if not self.on:
            return set()
        fcntl.ioctl(self.fd, KCOV_DISABLE, 0)
        self.on = False
        return self.take()


class RemoteKcov(_Buffer):
    """The coverage of the target's threads (one buffer for all of them).

    KCOV_REMOTE_ENABLE binds the buffer to the calling thread, which must
    live as long as the run (the main thread); any thread may collect().
    """

    @staticmethod
    def available():
        return os.path.exists(PATH) and os.path.exists(KCOV_ID_PARAM)

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        # struct kcov_remote_arg: trace_mode, area_size, num_handles,
        # (pad), common_handle; no other handle
        arg = struct.pack("IIIIQ", KCOV_TRACE_PC, REMOTE_WORDS, 0, 0,
                          KCOV_ID)
        fcntl.ioctl(self.fd, KCOV_REMOTE_ENABLE, arg)
        with open(KCOV_ID_PARAM, "w") as f:
            f.write("%d\n" % KCOV_ID)

    def collect(self):
        """The distinct PCs of our modules recorded since the last call."""
        with self.lock:
            return self.take()

    def close(self):
        try:
            with open(KCOV_ID_PARAM, "w") as f:
                f.write("0\n")
        except OSError:
            pass
