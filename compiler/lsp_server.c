/*
 * lsp_server.c -- the language server's lifecycle and method dispatch.
 *
 * States: new (only `initialize` and `exit` are served; other requests get
 * ServerNotInitialized, notifications are dropped), initialized, shut down
 * (after `shutdown`: requests get InvalidRequest), exited (after `exit`:
 * status 0 if shutdown came first, else 1).  Every request gets exactly one
 * response; an unknown method is MethodNotFound; a request about a document
 * that is not open is RequestFailed; an unknown notification is ignored
 * ($/ ones as the protocol says, others likewise).
 *
 * Diagnostics (docs/editors.md): didOpen and didChange check the text at
 * once up to the type check and publish; the analysis (check's IPSF-W
 * findings) runs when no message has arrived for `analysisDelayMs`
 * (initializationOptions, default LSP_DEFAULT_DELAY_MS) and publishes
 * again; didSave runs it at once.  A change of a document also checks
 * again the open documents that import it.  The analysis is bounded by
 * `analysisWork` (initializationOptions, default LSP_DEFAULT_ANALYSIS_WORK
 * expression evaluations; 0 means check's own bound): a search past it is
 * reported as IPSF-W100 "not analysed", never guessed.
 */
#include <stdio.h>
#include <string.h>

#include "lsp.h"

static const char *str_at(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static json_t *capabilities(void) {
  return json_pack(
      "{s:{s:b,s:i,s:{s:b}},s:b,s:b,s:b,s:b,s:b,s:{s:[s,s,s,s,s,s]},s:b,s:{s:b},"
      "s:{s:b},s:{s:[s]},s:s}",
      "textDocumentSync", "openClose", 1, "change", 2, "save", "includeText", 0,
      "hoverProvider", 1, "definitionProvider", 1, "referencesProvider", 1,
      "documentSymbolProvider", 1, "workspaceSymbolProvider", 1,
      "completionProvider", "triggerCharacters", " ", "=", "<", ">", "{", ".",
      "documentFormattingProvider", 1, "renameProvider", "prepareProvider", 0,
      "codeLensProvider", "resolveProvider", 0,
      "executeCommandProvider", "commands", "ipsfc.runTests", "positionEncoding", "utf-16");
}

static void initialize(LspServer *s, json_t *id, json_t *params) {
  json_t *opts = json_object_get(params, "initializationOptions");
  json_t *delay = json_object_get(opts, "analysisDelayMs");
  if (json_is_integer(delay) && json_integer_value(delay) >= 0 && json_integer_value(delay) < 600000)
    s->delay_ms = (int)json_integer_value(delay);
  json_t *work = json_object_get(opts, "analysisWork");
  if (json_is_integer(work) && json_integer_value(work) >= 0)
    s->limits.total_work = (uint64_t)json_integer_value(work); /* 0: check's bound */
  json_t *caps = json_object_get(params, "capabilities");
  json_t *we = json_object_get(json_object_get(caps, "workspace"), "workspaceEdit");
  s->annotations = json_is_true(json_object_get(we, "changeAnnotationSupport")) ||
                   json_is_object(json_object_get(we, "changeAnnotationSupport"));
  s->state = 1;
  lsp_reply(s, id,
            json_pack("{s:o,s:{s:s,s:s}}", "capabilities", capabilities(), "serverInfo", "name",
                      "ipsfc", "version", IPSF_VERSION));
}

static void did_open(LspServer *s, json_t *params) {
  json_t *td = json_object_get(params, "textDocument");
  const char *uri = str_at(td, "uri");
  json_t *text = json_object_get(td, "text");
  if (!uri || !json_is_string(text)) return;
  LspDoc *d = lsp_doc_open(s, uri, json_string_value(text), json_string_length(text),
                           json_integer_value(json_object_get(td, "version")));
  json_decref(d->test_diags);
  d->test_diags = NULL;
  lsp_doc_check(s, d, false);
}

static void did_change(LspServer *s, json_t *params) {
  json_t *td = json_object_get(params, "textDocument");
  LspDoc *d = lsp_doc_find(s, str_at(td, "uri"));
  if (!d) return;
  json_t *changes = json_object_get(params, "contentChanges");
  size_t i;
  json_t *ch;
  json_array_foreach(changes, i, ch) {
    json_t *text = json_object_get(ch, "text");
    if (!json_is_string(text)) continue;
    json_t *range = json_object_get(ch, "range");
    size_t start = 0, end = d->len;
    if (range) {
      json_t *a = json_object_get(range, "start"), *b = json_object_get(range, "end");
      start = lsp_offset(d->text, d->len, json_integer_value(json_object_get(a, "line")),
                         json_integer_value(json_object_get(a, "character")));
      end = lsp_offset(d->text, d->len, json_integer_value(json_object_get(b, "line")),
                       json_integer_value(json_object_get(b, "character")));
    }
    lsp_doc_edit(d, start, end, json_string_value(text), json_string_length(text));
  }
  d->version = json_integer_value(json_object_get(td, "version"));
  json_decref(d->test_diags);
  d->test_diags = NULL;
  lsp_doc_check(s, d, false);
  lsp_doc_check_importers(s, d);
}

static void notification(LspServer *s, const char *method, json_t *params) {
  if (strcmp(method, "exit") == 0) {
    s->exit_code = s->state == 2 ? 0 : 1;
    s->state = 3;
    return;
  }
  if (s->state != 1) return;
  if (strcmp(method, "textDocument/didOpen") == 0) {
    did_open(s, params);
  } else if (strcmp(method, "textDocument/didChange") == 0) {
    did_change(s, params);
  } else if (strcmp(method, "textDocument/didSave") == 0) {
    LspDoc *d = lsp_doc_find(s, str_at(json_object_get(params, "textDocument"), "uri"));
    if (d) lsp_doc_check(s, d, true);
  } else if (strcmp(method, "textDocument/didClose") == 0) {
    const char *uri = str_at(json_object_get(params, "textDocument"), "uri");
    if (uri && lsp_doc_find(s, uri)) {
      lsp_notify(s, "textDocument/publishDiagnostics",
                 json_pack("{s:s,s:[]}", "uri", uri, "diagnostics"));
      lsp_doc_close(s, uri);
    }
  }
  /* initialized, $/cancelRequest (applied while queued), $/setTrace...: nothing */
}

/* Requests that need an open document. */
static bool doc_request(LspServer *s, const char *method, json_t *id, json_t *params) {
  static const char *const names[] = {
      "textDocument/hover",      "textDocument/definition",     "textDocument/references",
      "textDocument/documentSymbol", "textDocument/completion", "textDocument/formatting",
      "textDocument/rename",     "textDocument/codeLens",       NULL};
  size_t k = 0;
  while (names[k] && strcmp(names[k], method) != 0) k++;
  if (!names[k]) return false;
  const char *uri = str_at(json_object_get(params, "textDocument"), "uri");
  LspDoc *d = lsp_doc_find(s, uri);
  if (!d) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "document not open: %s", uri ? uri : "(no uri)");
    return true;
  }
  if (!d->c || !d->ix) {
    if (k == 5) lsp_formatting(s, d, id);
    else lsp_reply(s, id, k == 3 || k == 7 || k == 2 ? json_array() : json_null());
    return true;
  }
  switch (k) {
  case 0: lsp_hover(s, d, id, params); break;
  case 1: lsp_definition(s, d, id, params); break;
  case 2: lsp_references(s, d, id, params); break;
  case 3: lsp_document_symbols(s, d, id); break;
  case 4: lsp_completion(s, d, id, params); break;
  case 5: lsp_formatting(s, d, id); break;
  case 6: lsp_rename(s, d, id, params); break;
  default: lsp_code_lens(s, d, id); break;
  }
  return true;
}

static void execute_command(LspServer *s, json_t *id, json_t *params) {
  const char *cmd = str_at(params, "command");
  json_t *args = json_object_get(params, "arguments");
  if (!cmd || strcmp(cmd, "ipsfc.runTests") != 0) {
    lsp_reply_error(s, id, RPC_INVALID_PARAMS, "unknown command %s", cmd ? cmd : "(none)");
    return;
  }
  json_t *a0 = json_array_get(args, 0);
  const char *uri = json_is_string(a0) ? json_string_value(a0) : str_at(a0, "uri");
  LspDoc *d = lsp_doc_find(s, uri);
  if (!d) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "document not open: %s", uri ? uri : "(no uri)");
    return;
  }
  lsp_run_tests(s, d, id);
}

static void request(LspServer *s, const char *method, json_t *id, json_t *params) {
  if (strcmp(method, "initialize") == 0) {
    if (s->state != 0) lsp_reply_error(s, id, RPC_INVALID_REQUEST, "initialize was already received");
    else initialize(s, id, params);
    return;
  }
  if (s->state == 0) {
    lsp_reply_error(s, id, LSP_SERVER_NOT_INITIALIZED, "the server is not initialized");
    return;
  }
  if (s->state == 2) {
    lsp_reply_error(s, id, RPC_INVALID_REQUEST, "the server is shut down");
    return;
  }
  if (strcmp(method, "shutdown") == 0) {
    s->state = 2;
    lsp_reply(s, id, json_null());
  } else if (doc_request(s, method, id, params)) {
  } else if (strcmp(method, "workspace/symbol") == 0) {
    lsp_workspace_symbols(s, id, params);
  } else if (strcmp(method, "workspace/executeCommand") == 0) {
    execute_command(s, id, params);
  } else if (strcmp(method, "ipsf/stdlibSource") == 0) {
    lsp_stdlib_source(s, id, params);
  } else {
    lsp_reply_error(s, id, RPC_METHOD_NOT_FOUND, "unknown method %s", method);
  }
}

void lsp_handle(LspServer *s, json_t *msg) {
  json_t *id = json_object_get(msg, "id");
  json_t *m = json_object_get(msg, "method");
  json_t *params = json_object_get(msg, "params");
  bool valid_id = id && (json_is_string(id) || json_is_integer(id));
  if (!json_is_string(m)) {
    if (!json_object_get(msg, "result") && !json_object_get(msg, "error"))
      lsp_reply_error(s, valid_id ? id : NULL, RPC_INVALID_REQUEST, "a message needs a method");
    return; /* a response to a request of ours: none are sent */
  }
  if (params && !json_is_object(params) && !json_is_array(params)) {
    if (id) lsp_reply_error(s, valid_id ? id : NULL, RPC_INVALID_PARAMS, "params must be an object");
    return;
  }
  if (!id) {
    notification(s, json_string_value(m), params);
    return;
  }
  if (!valid_id) {
    lsp_reply_error(s, NULL, RPC_INVALID_REQUEST, "id must be a string or an integer");
    return;
  }
  request(s, json_string_value(m), id, params);
}
