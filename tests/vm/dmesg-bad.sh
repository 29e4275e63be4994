# SPDX-License-Identifier: GPL-2.0
#
# Kernel-log lines that fail a test, on both kernels: sourced by
# run-guest.sh (the host's check after each guest script) and by
# tests/guest/lib.sh (kt_dmesg_clean, checks inside a script).  The debug
# kernel's checkers (tests/debug/): KASAN, UBSAN, lockdep (circular,
# recursive, inconsistent, irq inversion, RCU; "sleeping function called
# from invalid context" is a BUG:), DEBUG_OBJECTS (ODEBUG), slub_debug
# ("BUG <cache> (Not tainted): Redzone overwritten", "Poison
# overwritten", ...) and a kmemleak that stopped working (its start-up
# line is no finding).
# shellcheck shell=bash disable=SC2034
KT_DMESG_BAD='WARNING:|BUG:|kernel BUG|Oops|Call Trace:|hung task|blocked for more than|refcount_t:|list_(add|del) corruption|list corruption|Slab cache still has objects|general protection fault|Kernel panic|UBSAN:|KASAN:|stack-protector|double fault'
KT_DMESG_BAD+='|possible circular locking|possible recursive locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|lock held when returning to user space|DEBUG_LOCKS_WARN_ON|INFO: trying to register non-static key|ODEBUG:'
KT_DMESG_BAD+='|BUG [^ ]+ \((Not tainted|Tainted)|Redzone overwritten|Poison overwritten|Padding overwritten|Object already free|Freepointer corrupt'
KT_DMESG_BAD+='|kmemleak: (Cannot|Kernel memory leak detector disabled)'
