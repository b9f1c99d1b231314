// extension.js -- the VS Code client of `ipsfc lsp` (docs/editors.md).
// Starts the server over stdio for .ipsf files; code lenses run the pack's
// tests through the server's `ipsfc.runTests` command.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('ipsf');
  const args = ['lsp'];
  for (const dir of config.get('server.importDirs', [])) args.push('-I', dir);
  const run = { command: config.get('server.path', 'ipsfc'), args, transport: TransportKind.stdio };
  client = new LanguageClient('ipsf', 'ipsfc language server', { run, debug: run }, {
    documentSelector: [{ scheme: 'file', language: 'ipsf' }],
    initializationOptions: { analysisDelayMs: config.get('analysisDelayMs', 300) },
  });
  context.subscriptions.push(vscode.commands.registerCommand('ipsf.runTests', () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    return client.sendRequest('workspace/executeCommand', {
      command: 'ipsfc.runTests', arguments: [editor.document.uri.toString()],
    }).then((r) => vscode.window.showInformationMessage(`ipsfc: ${r.passed} passed, ${r.failed} failed`),
            (e) => vscode.window.showErrorMessage(`ipsfc: ${e.message}`));
  }));
  client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
