/**
 * Smiley's VS Code extension: the `smiley` debug type, whose adapter is `smiley dap` (the
 * Debug Adapter Protocol over a recording, on stdin and stdout). Nothing else runs here.
 */

import * as vscode from 'vscode'

/** The command and arguments that start the adapter: `smiley dap`, or node on a smiley.js path. */
export function adapterCommand(smiley: string): { command: string; args: string[] } {
  return smiley.endsWith('.js')
    ? { command: 'node', args: [smiley, 'dap'] }
    : { command: smiley, args: ['dap'] }
}

class SmileyAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const configured = session.configuration['smileyPath'] as string | undefined
    const smiley =
      configured ?? vscode.workspace.getConfiguration('smiley').get<string>('path', 'smiley')
    const { command, args } = adapterCommand(smiley)
    const cwd = session.workspaceFolder?.uri.fsPath
    return new vscode.DebugAdapterExecutable(command, args, cwd === undefined ? {} : { cwd })
  }
}

/** F5 without a launch.json: record and replay the Python file in the editor. */
class SmileyConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    if (config.type !== undefined || config.request !== undefined || config.name !== undefined)
      return config
    const editor = vscode.window.activeTextEditor
    if (editor === undefined || editor.document.languageId !== 'python') {
      void vscode.window.showInformationMessage('Open a Python file to record and replay it.')
      return undefined
    }
    return {
      type: 'smiley',
      request: 'launch',
      name: 'Record and replay this file',
      program: editor.document.uri.fsPath,
      ...(folder === undefined ? {} : { cwd: folder.uri.fsPath }),
    }
  }
}

/** Goes to any event of the recording, by its number (as `smiley search` and the dashboard show it). */
async function goToEvent(): Promise<void> {
  const session = vscode.debug.activeDebugSession
  if (session?.type !== 'smiley') return
  const answer = await vscode.window.showInputBox({
    prompt: 'The event to go to (its number, as smiley search and the dashboard show it)',
    validateInput: (text) => (/^\d+$/.test(text.trim()) ? undefined : 'an event number'),
  })
  if (answer === undefined) return
  const thread = vscode.debug.activeStackItem?.threadId ?? 1
  try {
    await session.customRequest('goto', { threadId: thread, targetId: Number(answer.trim()) })
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error))
  }
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('smiley.goToEvent', goToEvent),
    vscode.debug.registerDebugAdapterDescriptorFactory('smiley', new SmileyAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider('smiley', new SmileyConfigurationProvider()),
  )
}

export function deactivate(): void {}
