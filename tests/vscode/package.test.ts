/**
 * The VS Code extension: `npm run package:vscode` builds a .vsix holding the manifest and the
 * compiled extension, and the launch configurations it contributes work with `smiley dap`.
 */

import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { DapClient } from '../support/dap-client.js'
import { writePrograms } from '../support/programs.js'

const run = promisify(execFile)
const VSIX = join(ROOT, 'dist', 'smiley-vscode.vsix')

interface Snippet {
  label: string
  body: Record<string, unknown>
}

let files: Map<string, string>
let dir: { path: string; remove: () => void }

/** The entries of a zip file and their text, read by Python's zipfile. */
async function unzip(path: string): Promise<Map<string, string>> {
  const script =
    'import json, sys, zipfile\n' +
    'z = zipfile.ZipFile(sys.argv[1])\n' +
    'print(json.dumps({n: z.read(n).decode("utf-8") for n in z.namelist()}))'
  const { stdout } = await run('python3', ['-c', script, path])
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, string>))
}

beforeAll(async () => {
  dir = tempDir()
  await run('npm', ['run', 'package:vscode'], { cwd: ROOT, timeout: 120_000 })
  files = await unzip(VSIX)
}, 180_000)
afterAll(() => dir.remove())

/**
 * A snippet's body as launch.json gets it (a value starting with ^ is JSON text, `\$` a
 * plain `$`), then with VS Code's variables substituted as they are at launch.
 */
function filled(
  body: Record<string, unknown>,
  vars: Record<string, string>,
): Record<string, unknown> {
  const value = (raw: unknown): unknown => {
    if (typeof raw !== 'string') return raw
    const text = raw.startsWith('^')
      ? (JSON.parse(raw.slice(1).replace(/\\\$/g, '$')) as string)
      : raw
    return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole)
  }
  return Object.fromEntries(Object.entries(body).map(([key, raw]) => [key, value(raw)]))
}

describe('the VS Code extension', () => {
  it('packages into a .vsix with its manifest, compiled code and readme', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/out/extension.js',
        'extension/package.json',
        'extension/readme.md',
      ].sort(),
    )
    const code = files.get('extension/out/extension.js')!
    expect(code).toContain('registerDebugAdapterDescriptorFactory')
    expect(code).toContain("'dap'")
    expect(files.get('extension.vsixmanifest')).toContain('Id="smiley-replay"')
  })

  it('contributes the smiley debug type, whose launch attributes are those smiley dap takes', () => {
    const manifest = JSON.parse(files.get('extension/package.json')!)
    const [debuggerType] = manifest.contributes.debuggers
    expect(debuggerType.type).toBe('smiley')
    expect(Object.keys(debuggerType.configurationAttributes.launch.properties).sort()).toEqual(
      ['args', 'cwd', 'database', 'program', 'python', 'run', 'smileyPath', 'stopOnEntry'].sort(),
    )
    expect(debuggerType.configurationSnippets.map((s: Snippet) => s.label)).toEqual([
      'Smiley: Replay the latest run',
      'Smiley: Record and replay this file',
    ])
    expect(manifest.main).toBe('./out/extension.js')
    expect(manifest.contributes.breakpoints).toEqual([{ language: 'python' }])
    expect(manifest.contributes.commands).toEqual([
      expect.objectContaining({ command: 'smiley.goToEvent', title: 'Go to Event…' }),
    ])
    expect(files.get('extension/out/extension.js')).toContain("customRequest('goto'")
  })

  it('launches smiley dap with each of its snippets, filled in as the editor fills them', async () => {
    const manifest = JSON.parse(files.get('extension/package.json')!)
    const snippets = manifest.contributes.debuggers[0].configurationSnippets as Snippet[]
    writePrograms(dir.path, { 'hello.py': 'greeting = "hello"\nprint(greeting)\n' })
    const vars = { workspaceFolder: dir.path, file: join(dir.path, 'hello.py') }
    // Record and replay this file, then replay the latest run: the same program.
    for (const snippet of [snippets[1]!, snippets[0]!]) {
      const { type, request, name, ...launch } = filled(snippet.body, vars)
      expect([type, request, typeof name]).toEqual(['smiley', 'launch', 'string'])
      const client = new DapClient()
      try {
        await client.ok('initialize', { adapterID: 'smiley' })
        const initialized = client.nextEvent('initialized')
        await client.ok('launch', launch)
        await initialized
        const stopped = client.nextEvent('stopped')
        await client.ok('configurationDone')
        await stopped
        const { stackFrames } = await client.ok('stackTrace', { threadId: 1 })
        expect(stackFrames[0].source.path).toBe(join(dir.path, 'hello.py'))
      } finally {
        client.close()
      }
    }
    const runs = JSON.parse(
      (await smiley(['list', '--json', '-d', join(dir.path, 'smiley.db')])).stdout,
    )
    expect(runs).toHaveLength(1)
  })
})
