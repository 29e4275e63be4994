#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""wake.py - waits that end on their event, and tasks found by their tag.

Cases on top of recovery.py's sessions (hostile.py's PDUs underneath):

  itt-reuse-data-snack    ERL 1: an ITT used again while the older task's
                          answer is not acknowledged yet (a stale ExpStatSN):
                          a Data SNACK and an R-Data SNACK for that ITT
                          resend the newer task's Data-In, not the older's.
  reassign-nothing-fast   ERL 2: TASK REASSIGN of a task that is nowhere and
                          with no connection failing is answered "no such
                          task" at once (it used to poll for 2 s).

    wake.py [-H host] [-p port] [-t target-iqn] CASE
    wake.py --list

Exit status 0 when the target behaved, 1 otherwise.  Python 3 standard
library only.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402
import recovery as R  # noqa: E402
from hostile import Fail, BLOCK, OP_DATA_IN, cdb_read10  # noqa: E402

DEF_TARGET = "iqn.2003-01.org.ktarget:wake"
LBA = 300000

CASES, case = H.case_registry()


def read_again(c, itt, lba, blocks):
    """A READ with ITT @itt whose answer is not acknowledged (ExpStatSN
    held where it was); returns its PDUs."""
    held = c.exp_statsn
    c.send(c.scsi_hdr(cdb_read10(lba, blocks), blocks * BLOCK, read=True,
                      itt=itt))
    pdus = R.collect(c, itt, R.is_status)
    c.exp_statsn = held
    return pdus


def data_of(pdus):
    return b"".join(p.data for p in pdus if p.op == OP_DATA_IN)


@case("itt-reuse-data-snack", "ERL 1: SNACKs for an ITT used again resend the newer task's data")
def c_itt_reuse(args):
    s, c = R.erl1(args)
    old, new = os.urandom(32 * BLOCK), os.urandom(32 * BLOCK)
    for lba, data in ((LBA, old), (LBA + 64, new)):
        if c.write(lba, data).hdr[3]:
            raise Fail("WRITE at %d failed" % lba)
    held = c.exp_statsn		# no answer from here on is acknowledged
    itt, first = R.read_pdus(c, LBA, 32)
    if data_of(first) != old:
        raise Fail("first READ: data differs")
    # the same ITT again; ExpStatSN still does not acknowledge the first
    second = read_again(c, itt, LBA + 64, 32)
    if data_of(second) != new:
        raise Fail("second READ: data differs")
    R.snack(c, R.SNACK_DATA, itt, begrun=0, exp_statsn=held)	# all again
    again = R.collect(c, itt, R.is_status)
    c.exp_statsn = held
    got = data_of(again)
    if got != new:
        raise Fail("Data SNACK for ITT 0x%x resent %s" %
                   (itt, "the older task's data" if got == old else
                    "%d bytes of other data" % len(got)))
    R.snack(c, R.SNACK_RDATA, itt, tag=0x5a5a0002, exp_statsn=held)
    again = R.collect(c, itt, lambda p: p.op == H.OP_SCSI_RSP)
    got = data_of(again)
    if got != new or again[-1].f20 != 0x5a5a0002:
        raise Fail("R-Data SNACK for ITT 0x%x resent %s, last %s" %
                   (itt, "the older task's data" if got == old else
                    "%d bytes" % len(got), again[-1]))
    c.exp_statsn = (again[-1].statsn + 1) & H.RSVD
    R.logout(c)
    return "Data and R-Data SNACK resent the newer task's %d bytes" % len(new)


@case("reassign-nothing-fast", "ERL 2: TASK REASSIGN of a task that is nowhere is answered at once")
def c_reassign_nothing(args):
    s, (c1, c2) = R.erl2(args)
    t = time.monotonic()
    R.reassign(c1, 0x4343, expect=1)
    took = time.monotonic() - t
    if took > 1.5:
        raise Fail("TASK REASSIGN of an unknown task answered after %.1f s" %
                   took)
    R.logout(c1)
    return "answered 'no such task' in %.2f s" % took


def main():
    return H.case_main(H.case_parser(__doc__, DEF_TARGET), CASES)


if __name__ == "__main__":
    sys.exit(main())
