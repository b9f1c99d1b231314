/*
 * opcodes.h -- the one table of IPSF bytecode instructions.
 *
 * This X-macro list is the single source for the VM (runtime/vm.c), the
 * verifier (runtime/verify.c), the disassembler (runtime/disasm.c) and the
 * code generator (compiler/codegen.c).  Nothing else may list opcodes.
 *
 *   OP(NAME, OPERAND, POPS, PUSHES, MEANING)
 *
 * An instruction is one 32-bit little-endian word: the opcode in the low 8
 * bits, an unsigned 24-bit operand in the high 24 bits ("A" below).
 *
 * OPERAND says what A indexes (the verifier checks its range):
 *   NONE  A must be 0            CONST   constant pool index
 *   SLOT  slot index             JUMP    forward offset: target = pc + 1 + A
 *   RULE  rule table index       SCALE   scale table index
 *   REQ   requirement index      CONFIRM confirm table index
 *   NATIVE native table index (an extern, or a built-in on the native path)
 *   TABLE  decision table index (section TABLES, pack.h IpsfTable)
 *
 * POPS / PUSHES are machine type strings, top of stack LAST:
 *   b bool   i int64   n double   s string   e enum value   m set of enum
 *   * the type named by the operand (LOADK: the constant's, LOAD/STORE: the
 *     slot's).
 *   @ the signature of native A (CALLN): its parameters are popped (the
 *     first was pushed first), its result pushed; the verifier and the code
 *     generator read them from the pack's native table.
 * All 'e' and 'm' letters of one instruction must carry the same enum type
 * id (the verifier tracks it), so an enum value can never be used as a value
 * of another enum or escape its range.
 *
 * Jumps only go forward, so every evaluation terminates within the number of
 * instructions in the code.
 *
 * Fused instructions (superinstructions, issue #16) are listed once, in
 * IPSF_FUSED below, each with the sequence of plain instructions it stands
 * for:
 *
 *   F(X, NAME, OPERAND, PUSHES, E1, E2, E3, E4, E5, MEANING)
 *
 * E1..E5 are that sequence (NOP pads it), and IPSF_OPCODES lists each row
 * as an OP row (pops nothing: the values it reads come from a slot and a
 * constant).  A fused instruction behaves exactly as its sequence would
 * run at its pc: the verifier checks it by checking the sequence, one
 * plain instruction after the other, against the same state (types,
 * protocol, cost: a fused instruction costs what its sequence costs, never
 * less, so the cost bound stays a bound); the code generator (codegen.c)
 * fuses a sequence only when no jump and no line-table entry points inside
 * it and its operands fit the packed fields.  Packed operands:
 *
 *   SK    slot bits 0-11, constant bits 12-23
 *   SKJ   slot bits 0-7, constant bits 8-15, forward jump bits 16-23
 *   SJ    slot bits 0-11, forward jump bits 12-23
 *   RC    requirement bits 0-11, confirm line bits 12-23
 *   SKA   slot bits 0-7, constant bits 8-15, action bits 16-23: the rule
 *         (HITW/HITF/HITU) or confirm line (CONFIRM) the sequence ends with
 *   SA    slot bits 0-11, action bits 12-23
 *   SL    slot bits 0-23
 *
 * In the SKA and SA forms (compare-and-act) the sequence's JUMPF skips
 * exactly the action that ends it, so there is no jump field: expanded,
 * that JUMPF's operand is 0 (its target is the instruction after the fused
 * one).  Likewise in AND_.../OR_... the ANDJ or ORJ the sequence starts
 * with skips exactly the rest of it: expanded, its operand is 0.
 * A jump field j means what a JUMP operand means: target = pc + 1 + j,
 * pc the fused instruction's.
 */
#ifndef IPSF_OPCODES_H
#define IPSF_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

/* The fused instructions: "S" is S[slot], "K" is K[constant]; e: enum, i:
 * int.  The J... forms branch when the condition is false, as the JUMPF
 * they end with.  REQC/REQCE: a requirement entered with an unconditional
 * confirm line (and nothing else, for REQCE).  HITW_.../HITF_.../HITU_.../
 * CONFIRM_...: the compare (or bool slot, _S) and the action it guards,
 * a rule's hit or a confirm line.  AND_.../OR_...: `a and b` / `a or b`
 * where b is such a compare (or a bool slot, _S): the bool on top of the
 * stack becomes top and/or b. */
#define IPSF_FUSED(X, F) \
  F(X, EQEK, SK, "b", LOAD, LOADK, EQE, NOP, NOP, "push S == K (enum)") \
  F(X, NEEK, SK, "b", LOAD, LOADK, NEE, NOP, NOP, "push S != K (enum)") \
  F(X, LTEK, SK, "b", LOAD, LOADK, LTE, NOP, NOP, "push S < K (enum)") \
  F(X, LEEK, SK, "b", LOAD, LOADK, LEE, NOP, NOP, "push S <= K (enum)") \
  F(X, GTEK, SK, "b", LOADK, LOAD, LTE, NOP, NOP, "push K < S (enum)") \
  F(X, GEEK, SK, "b", LOADK, LOAD, LEE, NOP, NOP, "push K <= S (enum)") \
  F(X, EQIK, SK, "b", LOAD, LOADK, EQI, NOP, NOP, "push S == K (int)") \
  F(X, NEIK, SK, "b", LOAD, LOADK, NEI, NOP, NOP, "push S != K (int)") \
  F(X, LTIK, SK, "b", LOAD, LOADK, LTI, NOP, NOP, "push S < K (int)") \
  F(X, LEIK, SK, "b", LOAD, LOADK, LEI, NOP, NOP, "push S <= K (int)") \
  F(X, GTIK, SK, "b", LOADK, LOAD, LTI, NOP, NOP, "push K < S (int)") \
  F(X, GEIK, SK, "b", LOADK, LOAD, LEI, NOP, NOP, "push K <= S (int)") \
  F(X, INMK, SK, "b", LOAD, LOADK, INM, NOP, NOP, "push S is a member of set K") \
  F(X, JEQEK, SKJ, "", LOAD, LOADK, EQE, JUMPF, NOP, "if not S == K then pc += j (enum)") \
  F(X, JNEEK, SKJ, "", LOAD, LOADK, NEE, JUMPF, NOP, "if not S != K then pc += j (enum)") \
  F(X, JLTEK, SKJ, "", LOAD, LOADK, LTE, JUMPF, NOP, "if not S < K then pc += j (enum)") \
  F(X, JLEEK, SKJ, "", LOAD, LOADK, LEE, JUMPF, NOP, "if not S <= K then pc += j (enum)") \
  F(X, JGTEK, SKJ, "", LOADK, LOAD, LTE, JUMPF, NOP, "if not K < S then pc += j (enum)") \
  F(X, JGEEK, SKJ, "", LOADK, LOAD, LEE, JUMPF, NOP, "if not K <= S then pc += j (enum)") \
  F(X, JEQIK, SKJ, "", LOAD, LOADK, EQI, JUMPF, NOP, "if not S == K then pc += j (int)") \
  F(X, JNEIK, SKJ, "", LOAD, LOADK, NEI, JUMPF, NOP, "if not S != K then pc += j (int)") \
  F(X, JLTIK, SKJ, "", LOAD, LOADK, LTI, JUMPF, NOP, "if not S < K then pc += j (int)") \
  F(X, JLEIK, SKJ, "", LOAD, LOADK, LEI, JUMPF, NOP, "if not S <= K then pc += j (int)") \
  F(X, JGTIK, SKJ, "", LOADK, LOAD, LTI, JUMPF, NOP, "if not K < S then pc += j (int)") \
  F(X, JGEIK, SKJ, "", LOADK, LOAD, LEI, JUMPF, NOP, "if not K <= S then pc += j (int)") \
  F(X, JINMK, SKJ, "", LOAD, LOADK, INM, JUMPF, NOP, "if S is not a member of set K then pc += j") \
  F(X, JFS, SJ, "", LOAD, JUMPF, NOP, NOP, NOP, "if not S then pc += j (S a bool)") \
  F(X, REQC, RC, "", REQ, CONFIRM, NOP, NOP, NOP, "requirement q applies, confirm line c matched") \
  F(X, REQCE, RC, "", REQ, CONFIRM, REQEND, NOP, NOP, "requirement q applies with confirm line c, and ends") \
  F(X, HITW_EQEK, SKA, "", LOAD, LOADK, EQE, JUMPF, HITW, "if S == K (enum): rule r hits (policy worst)") \
  F(X, HITW_NEEK, SKA, "", LOAD, LOADK, NEE, JUMPF, HITW, "if S != K (enum): rule r hits (policy worst)") \
  F(X, HITW_LTEK, SKA, "", LOAD, LOADK, LTE, JUMPF, HITW, "if S < K (enum): rule r hits (policy worst)") \
  F(X, HITW_LEEK, SKA, "", LOAD, LOADK, LEE, JUMPF, HITW, "if S <= K (enum): rule r hits (policy worst)") \
  F(X, HITW_GTEK, SKA, "", LOADK, LOAD, LTE, JUMPF, HITW, "if K < S (enum): rule r hits (policy worst)") \
  F(X, HITW_GEEK, SKA, "", LOADK, LOAD, LEE, JUMPF, HITW, "if K <= S (enum): rule r hits (policy worst)") \
  F(X, HITW_EQIK, SKA, "", LOAD, LOADK, EQI, JUMPF, HITW, "if S == K (int): rule r hits (policy worst)") \
  F(X, HITW_NEIK, SKA, "", LOAD, LOADK, NEI, JUMPF, HITW, "if S != K (int): rule r hits (policy worst)") \
  F(X, HITW_LTIK, SKA, "", LOAD, LOADK, LTI, JUMPF, HITW, "if S < K (int): rule r hits (policy worst)") \
  F(X, HITW_LEIK, SKA, "", LOAD, LOADK, LEI, JUMPF, HITW, "if S <= K (int): rule r hits (policy worst)") \
  F(X, HITW_GTIK, SKA, "", LOADK, LOAD, LTI, JUMPF, HITW, "if K < S (int): rule r hits (policy worst)") \
  F(X, HITW_GEIK, SKA, "", LOADK, LOAD, LEI, JUMPF, HITW, "if K <= S (int): rule r hits (policy worst)") \
  F(X, HITW_INMK, SKA, "", LOAD, LOADK, INM, JUMPF, HITW, "if S is a member of set K: rule r hits (policy worst)") \
  F(X, HITW_S, SA, "", LOAD, JUMPF, HITW, NOP, NOP, "if S (a bool): rule r hits (policy worst)") \
  F(X, HITF_EQEK, SKA, "", LOAD, LOADK, EQE, JUMPF, HITF, "if S == K (enum): rule r hits (policy first)") \
  F(X, HITF_NEEK, SKA, "", LOAD, LOADK, NEE, JUMPF, HITF, "if S != K (enum): rule r hits (policy first)") \
  F(X, HITF_LTEK, SKA, "", LOAD, LOADK, LTE, JUMPF, HITF, "if S < K (enum): rule r hits (policy first)") \
  F(X, HITF_LEEK, SKA, "", LOAD, LOADK, LEE, JUMPF, HITF, "if S <= K (enum): rule r hits (policy first)") \
  F(X, HITF_GTEK, SKA, "", LOADK, LOAD, LTE, JUMPF, HITF, "if K < S (enum): rule r hits (policy first)") \
  F(X, HITF_GEEK, SKA, "", LOADK, LOAD, LEE, JUMPF, HITF, "if K <= S (enum): rule r hits (policy first)") \
  F(X, HITF_EQIK, SKA, "", LOAD, LOADK, EQI, JUMPF, HITF, "if S == K (int): rule r hits (policy first)") \
  F(X, HITF_NEIK, SKA, "", LOAD, LOADK, NEI, JUMPF, HITF, "if S != K (int): rule r hits (policy first)") \
  F(X, HITF_LTIK, SKA, "", LOAD, LOADK, LTI, JUMPF, HITF, "if S < K (int): rule r hits (policy first)") \
  F(X, HITF_LEIK, SKA, "", LOAD, LOADK, LEI, JUMPF, HITF, "if S <= K (int): rule r hits (policy first)") \
  F(X, HITF_GTIK, SKA, "", LOADK, LOAD, LTI, JUMPF, HITF, "if K < S (int): rule r hits (policy first)") \
  F(X, HITF_GEIK, SKA, "", LOADK, LOAD, LEI, JUMPF, HITF, "if K <= S (int): rule r hits (policy first)") \
  F(X, HITF_INMK, SKA, "", LOAD, LOADK, INM, JUMPF, HITF, "if S is a member of set K: rule r hits (policy first)") \
  F(X, HITF_S, SA, "", LOAD, JUMPF, HITF, NOP, NOP, "if S (a bool): rule r hits (policy first)") \
  F(X, HITU_EQEK, SKA, "", LOAD, LOADK, EQE, JUMPF, HITU, "if S == K (enum): rule r hits (policy unique)") \
  F(X, HITU_NEEK, SKA, "", LOAD, LOADK, NEE, JUMPF, HITU, "if S != K (enum): rule r hits (policy unique)") \
  F(X, HITU_LTEK, SKA, "", LOAD, LOADK, LTE, JUMPF, HITU, "if S < K (enum): rule r hits (policy unique)") \
  F(X, HITU_LEEK, SKA, "", LOAD, LOADK, LEE, JUMPF, HITU, "if S <= K (enum): rule r hits (policy unique)") \
  F(X, HITU_GTEK, SKA, "", LOADK, LOAD, LTE, JUMPF, HITU, "if K < S (enum): rule r hits (policy unique)") \
  F(X, HITU_GEEK, SKA, "", LOADK, LOAD, LEE, JUMPF, HITU, "if K <= S (enum): rule r hits (policy unique)") \
  F(X, HITU_EQIK, SKA, "", LOAD, LOADK, EQI, JUMPF, HITU, "if S == K (int): rule r hits (policy unique)") \
  F(X, HITU_NEIK, SKA, "", LOAD, LOADK, NEI, JUMPF, HITU, "if S != K (int): rule r hits (policy unique)") \
  F(X, HITU_LTIK, SKA, "", LOAD, LOADK, LTI, JUMPF, HITU, "if S < K (int): rule r hits (policy unique)") \
  F(X, HITU_LEIK, SKA, "", LOAD, LOADK, LEI, JUMPF, HITU, "if S <= K (int): rule r hits (policy unique)") \
  F(X, HITU_GTIK, SKA, "", LOADK, LOAD, LTI, JUMPF, HITU, "if K < S (int): rule r hits (policy unique)") \
  F(X, HITU_GEIK, SKA, "", LOADK, LOAD, LEI, JUMPF, HITU, "if K <= S (int): rule r hits (policy unique)") \
  F(X, HITU_INMK, SKA, "", LOAD, LOADK, INM, JUMPF, HITU, "if S is a member of set K: rule r hits (policy unique)") \
  F(X, HITU_S, SA, "", LOAD, JUMPF, HITU, NOP, NOP, "if S (a bool): rule r hits (policy unique)") \
  F(X, CONFIRM_EQEK, SKA, "", LOAD, LOADK, EQE, JUMPF, CONFIRM, "if S == K (enum): confirm line c matched") \
  F(X, CONFIRM_NEEK, SKA, "", LOAD, LOADK, NEE, JUMPF, CONFIRM, "if S != K (enum): confirm line c matched") \
  F(X, CONFIRM_LTEK, SKA, "", LOAD, LOADK, LTE, JUMPF, CONFIRM, "if S < K (enum): confirm line c matched") \
  F(X, CONFIRM_LEEK, SKA, "", LOAD, LOADK, LEE, JUMPF, CONFIRM, "if S <= K (enum): confirm line c matched") \
  F(X, CONFIRM_GTEK, SKA, "", LOADK, LOAD, LTE, JUMPF, CONFIRM, "if K < S (enum): confirm line c matched") \
  F(X, CONFIRM_GEEK, SKA, "", LOADK, LOAD, LEE, JUMPF, CONFIRM, "if K <= S (enum): confirm line c matched") \
  F(X, CONFIRM_EQIK, SKA, "", LOAD, LOADK, EQI, JUMPF, CONFIRM, "if S == K (int): confirm line c matched") \
  F(X, CONFIRM_NEIK, SKA, "", LOAD, LOADK, NEI, JUMPF, CONFIRM, "if S != K (int): confirm line c matched") \
  F(X, CONFIRM_LTIK, SKA, "", LOAD, LOADK, LTI, JUMPF, CONFIRM, "if S < K (int): confirm line c matched") \
  F(X, CONFIRM_LEIK, SKA, "", LOAD, LOADK, LEI, JUMPF, CONFIRM, "if S <= K (int): confirm line c matched") \
  F(X, CONFIRM_GTIK, SKA, "", LOADK, LOAD, LTI, JUMPF, CONFIRM, "if K < S (int): confirm line c matched") \
  F(X, CONFIRM_GEIK, SKA, "", LOADK, LOAD, LEI, JUMPF, CONFIRM, "if K <= S (int): confirm line c matched") \
  F(X, CONFIRM_INMK, SKA, "", LOAD, LOADK, INM, JUMPF, CONFIRM, "if S is a member of set K: confirm line c matched") \
  F(X, CONFIRM_S, SA, "", LOAD, JUMPF, CONFIRM, NOP, NOP, "if S (a bool): confirm line c matched") \
  F(X, AND_EQEK, SK, "", ANDJ, LOAD, LOADK, EQE, NOP, "top := top and (S == K (enum))") \
  F(X, AND_NEEK, SK, "", ANDJ, LOAD, LOADK, NEE, NOP, "top := top and (S != K (enum))") \
  F(X, AND_LTEK, SK, "", ANDJ, LOAD, LOADK, LTE, NOP, "top := top and (S < K (enum))") \
  F(X, AND_LEEK, SK, "", ANDJ, LOAD, LOADK, LEE, NOP, "top := top and (S <= K (enum))") \
  F(X, AND_GTEK, SK, "", ANDJ, LOADK, LOAD, LTE, NOP, "top := top and (K < S (enum))") \
  F(X, AND_GEEK, SK, "", ANDJ, LOADK, LOAD, LEE, NOP, "top := top and (K <= S (enum))") \
  F(X, AND_EQIK, SK, "", ANDJ, LOAD, LOADK, EQI, NOP, "top := top and (S == K (int))") \
  F(X, AND_NEIK, SK, "", ANDJ, LOAD, LOADK, NEI, NOP, "top := top and (S != K (int))") \
  F(X, AND_LTIK, SK, "", ANDJ, LOAD, LOADK, LTI, NOP, "top := top and (S < K (int))") \
  F(X, AND_LEIK, SK, "", ANDJ, LOAD, LOADK, LEI, NOP, "top := top and (S <= K (int))") \
  F(X, AND_GTIK, SK, "", ANDJ, LOADK, LOAD, LTI, NOP, "top := top and (K < S (int))") \
  F(X, AND_GEIK, SK, "", ANDJ, LOADK, LOAD, LEI, NOP, "top := top and (K <= S (int))") \
  F(X, AND_INMK, SK, "", ANDJ, LOAD, LOADK, INM, NOP, "top := top and (S is a member of set K)") \
  F(X, AND_S, SL, "", ANDJ, LOAD, NOP, NOP, NOP, "top := top and S (S a bool)") \
  F(X, OR_EQEK, SK, "", ORJ, LOAD, LOADK, EQE, NOP, "top := top or (S == K (enum))") \
  F(X, OR_NEEK, SK, "", ORJ, LOAD, LOADK, NEE, NOP, "top := top or (S != K (enum))") \
  F(X, OR_LTEK, SK, "", ORJ, LOAD, LOADK, LTE, NOP, "top := top or (S < K (enum))") \
  F(X, OR_LEEK, SK, "", ORJ, LOAD, LOADK, LEE, NOP, "top := top or (S <= K (enum))") \
  F(X, OR_GTEK, SK, "", ORJ, LOADK, LOAD, LTE, NOP, "top := top or (K < S (enum))") \
  F(X, OR_GEEK, SK, "", ORJ, LOADK, LOAD, LEE, NOP, "top := top or (K <= S (enum))") \
  F(X, OR_EQIK, SK, "", ORJ, LOAD, LOADK, EQI, NOP, "top := top or (S == K (int))") \
  F(X, OR_NEIK, SK, "", ORJ, LOAD, LOADK, NEI, NOP, "top := top or (S != K (int))") \
  F(X, OR_LTIK, SK, "", ORJ, LOAD, LOADK, LTI, NOP, "top := top or (S < K (int))") \
  F(X, OR_LEIK, SK, "", ORJ, LOAD, LOADK, LEI, NOP, "top := top or (S <= K (int))") \
  F(X, OR_GTIK, SK, "", ORJ, LOADK, LOAD, LTI, NOP, "top := top or (K < S (int))") \
  F(X, OR_GEIK, SK, "", ORJ, LOADK, LOAD, LEI, NOP, "top := top or (K <= S (int))") \
  F(X, OR_INMK, SK, "", ORJ, LOAD, LOADK, INM, NOP, "top := top or (S is a member of set K)") \
  F(X, OR_S, SL, "", ORJ, LOAD, NOP, NOP, NOP, "top := top or S (S a bool)") \
  F(X, GTCK, SK, "b", LOADK, LOAD, COUNTM, LTI, NOP, "push K < count(S) (S a set)") \
  F(X, GECK, SK, "b", LOADK, LOAD, COUNTM, LEI, NOP, "push K <= count(S) (S a set)")

/* A fused row as an OP row of the one table. */
#define IPSF_FUSED_AS_OP(X, name, operand, pushes, e1, e2, e3, e4, e5, meaning) \
  X(name, operand, "", pushes, meaning)

#define IPSF_OPCODES(OP)                                                     \
  /* stack and slots */                                                      \
  OP(LOADK,   CONST,  "",   "*", "push K[A]")                                \
  OP(LOAD,    SLOT,   "",   "*", "push S[A]")                                \
  OP(STORE,   SLOT,   "*",  "",  "S[A] := pop")                              \
  OP(POP,     NONE,   "b",  "",  "drop a bool (unused condition value)")     \
  /* control: all jumps are forward */                                       \
  OP(JUMP,    JUMP,   "",   "",  "pc += A")                                  \
  OP(JUMPF,   JUMP,   "b",  "",  "if not pop then pc += A")                  \
  OP(ANDJ,    JUMP,   "b",  "",  "if top is false: pc += A, keep it; else pop") \
  OP(ORJ,     JUMP,   "b",  "",  "if top is true: pc += A, keep it; else pop")  \
  OP(RET,     NONE,   "",   "",  "end of evaluation (stack must be empty)")  \
  /* logic */                                                                \
  OP(NOT,     NONE,   "b",  "b", "push not pop")                             \
  OP(EQB,     NONE,   "bb", "b", "push a == b")                              \
  OP(NEB,     NONE,   "bb", "b", "push a != b")                              \
  /* int: overflow and division by zero are evaluation errors */             \
  OP(ADDI,    NONE,   "ii", "i", "push a + b")                               \
  OP(SUBI,    NONE,   "ii", "i", "push a - b")                               \
  OP(MULI,    NONE,   "ii", "i", "push a * b")                               \
  OP(DIVI,    NONE,   "ii", "i", "push a / b (truncated)")                   \
  OP(MODI,    NONE,   "ii", "i", "push a % b (sign of a)")                   \
  OP(NEGI,    NONE,   "i",  "i", "push -a")                                  \
  OP(ABSI,    NONE,   "i",  "i", "push |a|")                                 \
  OP(MINI,    NONE,   "ii", "i", "push min(a, b)")                           \
  OP(MAXI,    NONE,   "ii", "i", "push max(a, b)")                           \
  OP(EQI,     NONE,   "ii", "b", "push a == b")                              \
  OP(NEI,     NONE,   "ii", "b", "push a != b")                              \
  OP(LTI,     NONE,   "ii", "b", "push a < b")                               \
  OP(LEI,     NONE,   "ii", "b", "push a <= b")                              \
  OP(I2N,     NONE,   "i",  "n", "push (double)a")                           \
  /* number: a non-finite result is an evaluation error */                   \
  OP(ADDN,    NONE,   "nn", "n", "push a + b")                               \
  OP(SUBN,    NONE,   "nn", "n", "push a - b")                               \
  OP(MULN,    NONE,   "nn", "n", "push a * b")                               \
  OP(DIVN,    NONE,   "nn", "n", "push a / b")                               \
  OP(MODN,    NONE,   "nn", "n", "push fmod(a, b)")                          \
  OP(NEGN,    NONE,   "n",  "n", "push -a")                                  \
  OP(ABSN,    NONE,   "n",  "n", "push |a|")                                 \
  OP(MINN,    NONE,   "nn", "n", "push min(a, b)")                           \
  OP(MAXN,    NONE,   "nn", "n", "push max(a, b)")                           \
  OP(EQN,     NONE,   "nn", "b", "push a == b")                              \
  OP(NEN,     NONE,   "nn", "b", "push a != b")                              \
  OP(LTN,     NONE,   "nn", "b", "push a < b")                               \
  OP(LEN,     NONE,   "nn", "b", "push a <= b")                              \
  /* enum values and scale levels, compared by their order */                \
  OP(EQE,     NONE,   "ee", "b", "push a == b")                              \
  OP(NEE,     NONE,   "ee", "b", "push a != b")                              \
  OP(LTE,     NONE,   "ee", "b", "push a < b")                               \
  OP(LEE,     NONE,   "ee", "b", "push a <= b")                              \
  OP(MINE,    NONE,   "ee", "e", "push min(a, b)")                           \
  OP(MAXE,    NONE,   "ee", "e", "push max(a, b)")                           \
  /* sets of enum values (bit masks) */                                      \
  OP(INM,     NONE,   "em", "b", "push a is a member of set b")              \
  OP(EQM,     NONE,   "mm", "b", "push a == b")                              \
  OP(NEM,     NONE,   "mm", "b", "push a != b")                              \
  OP(COUNTM,  NONE,   "m",  "i", "push number of members of a")              \
  /* strings (UTF-8) */                                                      \
  OP(EQS,     NONE,   "ss", "b", "push a == b (bytewise)")                   \
  OP(NES,     NONE,   "ss", "b", "push a != b")                              \
  OP(STARTS,  NONE,   "ss", "b", "push a starts with b")                     \
  OP(ENDS,    NONE,   "ss", "b", "push a ends with b")                       \
  OP(CONTAINS,NONE,   "ss", "b", "push b occurs in a")                       \
  OP(LOWER,   NONE,   "s",  "s", "push a with ASCII letters lowered")        \
  /* rules: record that rule A matched, by its scale's hit policy */         \
  OP(HITW,    RULE,   "",   "",  "policy worst: level := max(level, R[A].level)") \
  OP(HITF,    RULE,   "",   "",  "policy first: level := R[A].level if none yet") \
  OP(HITU,    RULE,   "",   "",  "policy unique: a second match with another level is an error") \
  OP(SCALE,   SCALE,  "",   "",  "settle scale A (otherwise / no rule matched) into its slot") \
  /* requirements */                                                         \
  OP(REQ,     REQ,    "",   "",  "requirement A applies")                    \
  OP(CONFIRM, CONFIRM,"",   "",  "confirm line A matched: keep the strongest") \
  OP(REQEND,  REQ,    "",   "",  "requirement A applies but no confirm matched: error") \
  /* natives: last, so the opcodes above keep their numbers */              \
  OP(CALLN,   NATIVE, "@",  "@", "call native A with its parameters, push its checked result") \
  /* fused instructions (superinstructions): after CALLN, so every opcode   \
   * above keeps its number */                                               \
  IPSF_FUSED(OP, IPSF_FUSED_AS_OP)                                           \
  /* decision tables (issue #16): after the fused instructions, so every    \
   * opcode above keeps its number */                                       \
  OP(RTABLE,  TABLE,  "",   "",  "rules block by decision table A: the hits of the rules its cell lists, then SCALE of its scale") \
  OP(QTABLE,  TABLE,  "",   "",  "requirement by decision table A: applies or not, the confirm lines its cell lists") \
  OP(LTABLE,  TABLE,  "",   "",  "bool let by decision table A: its slot := the cell's value")

typedef enum {
#define IPSF_OP_ENUM(name, operand, pops, pushes, meaning) IPSF_OP_##name,
  IPSF_OPCODES(IPSF_OP_ENUM)
#undef IPSF_OP_ENUM
  IPSF_OP__COUNT
} IpsfOpcode;

/* What the 24-bit operand of an instruction indexes. */
typedef enum {
  IPSF_OPND_NONE,
  IPSF_OPND_CONST,
  IPSF_OPND_SLOT,
  IPSF_OPND_JUMP,
  IPSF_OPND_RULE,
  IPSF_OPND_SCALE,
  IPSF_OPND_REQ,
  IPSF_OPND_CONFIRM,
  IPSF_OPND_NATIVE,
  IPSF_OPND_SK,  /* fused: slot, constant */
  IPSF_OPND_SKJ, /* fused: slot, constant, jump */
  IPSF_OPND_SJ,  /* fused: slot, jump */
  IPSF_OPND_RC,  /* fused: requirement, confirm line */
  IPSF_OPND_SKA, /* fused: slot, constant, rule or confirm line */
  IPSF_OPND_SA,  /* fused: slot, rule or confirm line */
  IPSF_OPND_SL,  /* fused: slot */
  IPSF_OPND_TABLE /* decision table index (RTABLE) */
} IpsfOperandKind;

/* The padding of a fused row's sequence. */
#define IPSF_OP_NOP IPSF_OP__COUNT

/* A fused instruction's sequence of plain instructions (n == 0: a plain
 * instruction), from the IPSF_FUSED rows. */
typedef struct {
  uint8_t n;
  uint8_t ops[5];
} IpsfFusedInfo;

extern const IpsfFusedInfo ipsf_fused_info[IPSF_OP__COUNT];

/* The fields of a fused instruction's packed operand a (IPSF_NONE for a
 * field its kind has not). */
typedef struct {
  uint32_t slot, konst, jump, req, confirm, rule;
} IpsfFusedFields;

IpsfFusedFields ipsf_fused_fields(unsigned op, uint32_t a);

/* Pack the fields for op's operand kind into *a; false if one does not
 * fit its field. */
bool ipsf_fused_pack(unsigned op, IpsfFusedFields f, uint32_t *a);

/* The plain instructions fused instruction `op` with operand a stands for,
 * into out[0..n-1] (n returned); the JUMPF's operand is the fused jump
 * field, so its target is computed from the fused instruction's pc. */
unsigned ipsf_fused_expand(unsigned op, uint32_t a, uint32_t out[5]);

/* Replace each sequence of plain instructions of pack's code that a fused
 * instruction stands for by it (longest first), where no jump and no
 * line-table entry points inside the sequence and the fields fit; then
 * retarget every jump and line entry.  The code generator runs it on
 * finished code, the fuzz target on generated code.  false (the code left
 * as it was) when out of memory. */
struct ipsf_pack;
bool ipsf_fuse_code(struct ipsf_pack *pack);

/* One row of the table, for the verifier and the disassembler. */
typedef struct {
  const char *name;        /* "LOADK" */
  IpsfOperandKind operand; /* what A indexes */
  const char *pops;        /* machine types popped, top last */
  const char *pushes;      /* machine types pushed */
  const char *meaning;     /* one-line semantics, also in docs/bytecode.md */
} IpsfOpInfo;

extern const IpsfOpInfo ipsf_op_info[IPSF_OP__COUNT];

#define IPSF_INSN(op, a) ((uint32_t)(op) | ((uint32_t)(a) << 8))
#define IPSF_INSN_OP(w) ((unsigned)((w) & 0xFFu))
#define IPSF_INSN_A(w) ((uint32_t)((w) >> 8))
#define IPSF_OPERAND_MAX 0xFFFFFFu

#endif
