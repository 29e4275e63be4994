# SPDX-License-Identifier: GPL-2.0
#
# ktarget: out-of-tree Linux SCSI target.
#   make            build every module against KDIR
#   make run        boot a test VM with a LUN exported (tests/vm)
#   make check      the whole test suite; ends with "N passed, N failed"
#   make check-debug  the guest suites on a debug kernel (KASAN, lockdep,
#                   kmemleak, UBSAN, ...; tests/debug); TESTS= selects
#   make bench      ktarget against LIO and tgt in one VM boot (tests/bench)
#   make lint       checkpatch --strict over our sources
#   make fuzz-net   the iSCSI network fuzzer, DURATION=<s> [SEED=<n>] (tests/netfuzz)
#   make sparse     build with sparse (C=2)

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

SRCS := $(shell find core backstores fabrics include -name '*.[ch]' 2>/dev/null)
CHECKPATCH ?= $(firstword $(wildcard scripts/checkpatch.pl \
	/opt/linux-source-6.1/scripts/checkpatch.pl))

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean

lint:
	@tests/lint.sh $(SRCS)

unit:
	$(MAKE) -C tests/unit check

fuzz:
	$(MAKE) -C tests/fuzz check

run:
	tests/vm/run.sh

check:
	tests/check.sh

check-debug:
	KT_DEBUG=1 tests/check.sh

bench:
	tests/bench/bench.sh

fuzz-net:
	tests/netfuzz/fuzz-net.sh

.PHONY: all modules sparse clean lint unit fuzz run check check-debug bench
.PHONY: fuzz-net
