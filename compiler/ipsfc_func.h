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

/* The prefix.  Sources keep the short names; every compiler header includes
 * this one, so declarations, definitions and callers (cli/, tests/, the
 * generated parser and scanner) all say ipsfc_NAME to the linker, as
 * zlib's Z_PREFIX does.  A new extern function of compiler/ gets a line
 * here (or in its private header: fmt_internal.h), or its own ipsfc_
 * name.  Not covered: the yy* functions of the generated scanner and
 * parser (grammar/ would need %option prefix / api.prefix) and
 * ipsf_stdlib (tools/embed's table). */
#define analyze_pack         ipsfc_analyze_pack
#define arena_alloc          ipsfc_arena_alloc
#define arena_array          ipsfc_arena_array
#define arena_free           ipsfc_arena_free
#define arena_init           ipsfc_arena_init
#define arena_printf         ipsfc_arena_printf
#define arena_strdup         ipsfc_arena_strdup
#define arena_strndup        ipsfc_arena_strndup
#define ast_decl             ipsfc_ast_decl
#define ast_equal            ipsfc_ast_equal
#define ast_expr             ipsfc_ast_expr
#define ast_grow             ipsfc_ast_grow
#define ast_type             ipsfc_ast_type
#define check_source         ipsfc_check_source
#define check_types          ipsfc_check_types
#define codegen_table        ipsfc_codegen_table
#define profile_named        ipsfc_profile_named
#define check_framework      ipsfc_check_framework
#define codegen_pack         ipsfc_codegen_pack
#define compilation_diags    ipsfc_compilation_diags
#define compilation_free     ipsfc_compilation_free
#define compilation_new      ipsfc_compilation_new
#define compile_pack         ipsfc_compile_pack
#define cover_kind_name      ipsfc_cover_kind_name
#define diag_add             ipsfc_diag_add
#define diag_is_poisoned     ipsfc_diag_is_poisoned
#define diag_poison          ipsfc_diag_poison
#define diag_set_finding     ipsfc_diag_set_finding
#define diag_unpoison        ipsfc_diag_unpoison
#define diags_free           ipsfc_diags_free
#define diags_init           ipsfc_diags_init
#define diags_print          ipsfc_diags_print
#define diags_sort           ipsfc_diags_sort
#define enum_value_index     ipsfc_enum_value_index
#define enum_value_list      ipsfc_enum_value_list
#define fmt_count_comments   ipsfc_fmt_count_comments
#define fmt_output_free      ipsfc_fmt_output_free
#define fmt_source           ipsfc_fmt_source
#define fmt_text             ipsfc_fmt_text
#define fold_expr            ipsfc_fold_expr
#define fold_value           ipsfc_fold_value
#define grow_array           ipsfc_grow_array
#define is_builtin_name      ipsfc_is_builtin_name
#define lexer_close          ipsfc_lexer_close
#define lexer_next           ipsfc_lexer_next
#define lexer_open           ipsfc_lexer_open
#define load_root            ipsfc_load_root
#define lookup_name          ipsfc_lookup_name
#define lookup_type          ipsfc_lookup_type
#define lookup_value         ipsfc_lookup_value
#define parse_ctx_init       ipsfc_parse_ctx_init
#define parse_ctx_release    ipsfc_parse_ctx_release
#define parse_module         ipsfc_parse_module
#define ptrvec_push          ipsfc_ptrvec_push
#define qualify              ipsfc_qualify
#define resolve_declarations ipsfc_resolve_declarations
#define sources_add          ipsfc_sources_add
#define sources_free         ipsfc_sources_free
#define sources_init         ipsfc_sources_init
#define sources_line_col     ipsfc_sources_line_col
#define sources_span_text    ipsfc_sources_span_text
#define span_join            ipsfc_span_join
#define suggest_add          ipsfc_suggest_add
#define suggest_hint         ipsfc_suggest_hint
#define suggest_init         ipsfc_suggest_init
#define suggest_map          ipsfc_suggest_map
#define symmap_get           ipsfc_symmap_get
#define symmap_put           ipsfc_symmap_put
#define testrun              ipsfc_testrun
#define testrun_pack         ipsfc_testrun_pack
#define ty_name              ipsfc_ty_name
#define xcalloc              ipsfc_xcalloc
#define xmalloc              ipsfc_xmalloc
#define xmalloc_array        ipsfc_xmalloc_array
#define xout_of_memory       ipsfc_xout_of_memory
#define xbuf_take            ipsfc_xbuf_take
#define xrealloc_array       ipsfc_xrealloc_array
#define xstrdup              ipsfc_xstrdup

#if defined(__GNUC__)
#define IPSFC_FUNC __attribute__((visibility("hidden"))) extern
#else
#define IPSFC_FUNC extern
#endif

#endif
