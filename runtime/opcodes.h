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
 *   F(X, NAME, OPERAND, PUSHES, E1, E2, E3, E4, MEANING)
 *
 * E1..E4 are that sequence (NOP pads it), and IPSF_OPCODES lists each row
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
 *
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
 * confirm line (and nothing else, for REQCE). */
#define IPSF_FUSED(X, F)                                                      \
  F(X, EQEK,  SK,  "b", LOAD, LOADK, EQE, NOP, "push S == K (enum)")          \
  F(X, NEEK,  SK,  "b", LOAD, LOADK, NEE, NOP, "push S != K (enum)")          \
  F(X, LTEK,  SK,  "b", LOAD, LOADK, LTE, NOP, "push S < K (enum)")           \
  F(X, LEEK,  SK,  "b", LOAD, LOADK, LEE, NOP, "push S <= K (enum)")          \
  F(X, GTEK,  SK,  "b", LOADK, LOAD, LTE, NOP, "push K < S (enum)")           \
  F(X, GEEK,  SK,  "b", LOADK, LOAD, LEE, NOP, "push K <= S (enum)")          \
  F(X, EQIK,  SK,  "b", LOAD, LOADK, EQI, NOP, "push S == K (int)")           \
  F(X, NEIK,  SK,  "b", LOAD, LOADK, NEI, NOP, "push S != K (int)")           \
  F(X, LTIK,  SK,  "b", LOAD, LOADK, LTI, NOP, "push S < K (int)")            \
  F(X, LEIK,  SK,  "b", LOAD, LOADK, LEI, NOP, "push S <= K (int)")           \
  F(X, GTIK,  SK,  "b", LOADK, LOAD, LTI, NOP, "push K < S (int)")            \
  F(X, GEIK,  SK,  "b", LOADK, LOAD, LEI, NOP, "push K <= S (int)")           \
  F(X, INMK,  SK,  "b", LOAD, LOADK, INM, NOP, "push S is a member of set K") \
  F(X, JEQEK, SKJ, "",  LOAD, LOADK, EQE, JUMPF, "if not S == K then pc += j (enum)") \
  F(X, JNEEK, SKJ, "",  LOAD, LOADK, NEE, JUMPF, "if not S != K then pc += j (enum)") \
  F(X, JLTEK, SKJ, "",  LOAD, LOADK, LTE, JUMPF, "if not S < K then pc += j (enum)")  \
  F(X, JLEEK, SKJ, "",  LOAD, LOADK, LEE, JUMPF, "if not S <= K then pc += j (enum)") \
  F(X, JGTEK, SKJ, "",  LOADK, LOAD, LTE, JUMPF, "if not K < S then pc += j (enum)")  \
  F(X, JGEEK, SKJ, "",  LOADK, LOAD, LEE, JUMPF, "if not K <= S then pc += j (enum)") \
  F(X, JEQIK, SKJ, "",  LOAD, LOADK, EQI, JUMPF, "if not S == K then pc += j (int)")  \
  F(X, JNEIK, SKJ, "",  LOAD, LOADK, NEI, JUMPF, "if not S != K then pc += j (int)")  \
  F(X, JLTIK, SKJ, "",  LOAD, LOADK, LTI, JUMPF, "if not S < K then pc += j (int)")   \
  F(X, JLEIK, SKJ, "",  LOAD, LOADK, LEI, JUMPF, "if not S <= K then pc += j (int)")  \
  F(X, JGTIK, SKJ, "",  LOADK, LOAD, LTI, JUMPF, "if not K < S then pc += j (int)")   \
  F(X, JGEIK, SKJ, "",  LOADK, LOAD, LEI, JUMPF, "if not K <= S then pc += j (int)")  \
  F(X, JINMK, SKJ, "",  LOAD, LOADK, INM, JUMPF, "if S is not a member of set K then pc += j") \
  F(X, JFS,   SJ,  "",  LOAD, JUMPF, NOP, NOP, "if not S then pc += j (S a bool)") \
  F(X, REQC,  RC,  "",  REQ, CONFIRM, NOP, NOP, "requirement q applies, confirm line c matched") \
  F(X, REQCE, RC,  "",  REQ, CONFIRM, REQEND, NOP, "requirement q applies with confirm line c, and ends")

/* A fused row as an OP row of the one table. */
#define IPSF_FUSED_AS_OP(X, name, operand, pushes, e1, e2, e3, e4, meaning) \
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
  IPSF_FUSED(OP, IPSF_FUSED_AS_OP)

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
  IPSF_OPND_RC   /* fused: requirement, confirm line */
} IpsfOperandKind;

/* The padding of a fused row's sequence. */
#define IPSF_OP_NOP IPSF_OP__COUNT

/* A fused instruction's sequence of plain instructions (n == 0: a plain
 * instruction), from the IPSF_FUSED rows. */
typedef struct {
  uint8_t n;
  uint8_t ops[4];
} IpsfFusedInfo;

extern const IpsfFusedInfo ipsf_fused_info[IPSF_OP__COUNT];

/* The fields of a fused instruction's packed operand a (IPSF_NONE for a
 * field its kind has not). */
typedef struct {
  uint32_t slot, konst, jump, req, confirm;
} IpsfFusedFields;

IpsfFusedFields ipsf_fused_fields(unsigned op, uint32_t a);

/* Pack the fields for op's operand kind into *a; false if one does not
 * fit its field. */
bool ipsf_fused_pack(unsigned op, IpsfFusedFields f, uint32_t *a);

/* The plain instructions fused instruction `op` with operand a stands for,
 * into out[0..n-1] (n returned); the JUMPF's operand is the fused jump
 * field, so its target is computed from the fused instruction's pc. */
unsigned ipsf_fused_expand(unsigned op, uint32_t a, uint32_t out[4]);

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
