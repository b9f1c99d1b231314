/*
 * disasm.h -- a readable listing of a compiled pack (private header).
 */
#ifndef IPSF_DISASM_H
#define IPSF_DISASM_H

#include <stdio.h>

#include "pack.h"

/* Metadata, every table, and every instruction with its operand decoded
 * (constant values, slot names, rule locations, jump targets).  The pack
 * must have been verified (every index is trusted). */
void ipsf_disasm(const IpsfPack *p, FILE *out);

#endif
