# SPDX-License-Identifier: GPL-2.0
#
# What tests/unit/Makefile and tests/fuzz/Makefile share: the pure protocol
# code (core/wire/*.c; fabrics/iscsi/wire/chap.c, pdu.c and keys.c), built
# in user space as objects under build/, and the list of programs to run.
# Before including it, a Makefile sets
#   WIRE_CC   the compiler, with CFLAGS
#   HDRS      the headers every object depends on
#   PROGS     its programs over core/wire/<p>.c (cdb, sense, page), each
#             run only once that file exists
# and gets RUN (the programs to run: those of PROGS whose file exists,
# iscsi_chap, iscsi_pdu, iscsi_keys), SKIP (the others), WIRE_OBJS, the
# iSCSI objects' rules and their headers (CHAP_HDRS, ISCSI_HDRS), clean.

.DEFAULT_GOAL := check

WIRE := ../../core/wire
B := build

WIRE_SRCS := $(wildcard $(WIRE)/*.c)
WIRE_OBJS := $(patsubst $(WIRE)/%.c,$(B)/wire/%.o,$(WIRE_SRCS))

RUN := $(foreach p,$(PROGS),$(if $(wildcard $(WIRE)/$(p).c),$(p)))
SKIP := $(filter-out $(RUN),$(PROGS))

# fabrics/iscsi/wire/<p>.c (CHAP; PDUs, keys) each on its own
ISCSI_DIR := ../../fabrics/iscsi/wire
CHAP_HDRS := $(ISCSI_DIR)/chap.h $(ISCSI_DIR)/kv.h $(HDRS)
ISCSI_HDRS := $(ISCSI_DIR)/pdu.h $(ISCSI_DIR)/keys.h $(ISCSI_DIR)/kv.h $(HDRS)
RUN += $(foreach p,chap pdu keys,$(if $(wildcard $(ISCSI_DIR)/$(p).c),iscsi_$(p)))

$(B)/wire/%.o: $(WIRE)/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(WIRE_CC) $(CFLAGS) -c -o $@ $<

$(B)/chap/chap.o: $(ISCSI_DIR)/chap.c $(CHAP_HDRS)
	@mkdir -p $(dir $@)
	$(WIRE_CC) $(CFLAGS) -c -o $@ $<

$(B)/iscsi/%.o: $(ISCSI_DIR)/%.c $(ISCSI_HDRS)
	@mkdir -p $(dir $@)
	$(WIRE_CC) $(CFLAGS) -c -o $@ $<

clean:
	rm -rf $(B)

.PHONY: check clean
.SECONDARY:
