/*
 * ipsfc_func.h -- how libipsfc declares what is not its API.
 *
 * A function one compiler file defines and another calls must be extern,
 * but it is nobody else's business: IPSFC_FUNC marks it hidden, as Lua's
 * LUAI_FUNC does, so a shared build exports only the API and a static
 * link cannot resolve a caller's symbol to ours.  Every extern symbol of
 * the compiler is also prefixed `ipsfc_` (check with
 * `nm -g build/libipsfc.a | grep ' T '`), so libipsfc links beside
 * anything.
 */
#ifndef IPSFC_FUNC_H
#define IPSFC_FUNC_H

#if defined(__GNUC__)
#define IPSFC_FUNC __attribute__((visibility("hidden"))) extern
#else
#define IPSFC_FUNC extern
#endif

#endif
