/**
 * Python syntax highlighting without a library: splits source text into lines of classified
 * pieces. The view renders pieces as text, so nothing recorded is ever parsed as HTML.
 */

export type TokenKind =
  'keyword' | 'builtin' | 'string' | 'comment' | 'number' | 'decorator' | 'name' | 'plain'

export interface Token {
  text: string
  kind: TokenKind
}

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda match case nonlocal not or pass raise return try while with yield'
  ).split(' '),
)
const BUILTINS = new Set(
  (
    'abs all any bool bytes callable chr dict dir enumerate filter float format getattr hasattr hash id input ' +
    'int isinstance issubclass iter len list map max min next object open ord print property range repr ' +
    'reversed round self set setattr slice sorted staticmethod classmethod str sum super tuple type zip ' +
    'Exception ValueError TypeError KeyError IndexError RuntimeError StopIteration'
  ).split(' '),
)

// One alternative per token kind, tried in order at each position.
const TOKEN = new RegExp(
  [
    String.raw`(?<comment>#[^\n]*)`,
    // A triple-quoted string runs to its closing quotes, or to the end of the text (not of
    // the line: the flag m makes $ match at every line's end).
    String.raw`(?<string>(?:[rRbBuUfF]{1,2})?(?:'''[\s\S]*?(?:'''|(?![\s\S]))|"""[\s\S]*?(?:"""|(?![\s\S]))|'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?))`,
    String.raw`(?<decorator>^[ \t]*@[\w.]+)`,
    String.raw`(?<number>\b(?:0[xXoObB][\da-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?[jJ]?)\b)`,
    String.raw`(?<word>[A-Za-z_]\w*)`,
  ].join('|'),
  'gm',
)

/** The tokens of each line of `source`. */
export function highlight(source: string): Token[][] {
  const lines: Token[][] = [[]]
  const push = (text: string, kind: TokenKind) => {
    const parts = text.split('\n')
    parts.forEach((part, index) => {
      if (index > 0) lines.push([])
      if (part) lines[lines.length - 1]!.push({ text: part, kind })
    })
  }
  let at = 0
  let previousWord = ''
  for (const match of source.matchAll(TOKEN)) {
    if (match.index > at) push(source.slice(at, match.index), 'plain')
    const groups = match.groups!
    const text = match[0]
    let kind: TokenKind = 'plain'
    if (groups['comment'] !== undefined) kind = 'comment'
    else if (groups['string'] !== undefined) kind = 'string'
    else if (groups['decorator'] !== undefined) kind = 'decorator'
    else if (groups['number'] !== undefined) kind = 'number'
    else if (KEYWORDS.has(text)) kind = 'keyword'
    else if (previousWord === 'def' || previousWord === 'class') kind = 'name'
    else if (BUILTINS.has(text)) kind = 'builtin'
    previousWord = groups['word'] !== undefined ? text : ''
    push(text, kind)
    at = match.index + text.length
  }
  if (at < source.length) push(source.slice(at), 'plain')
  return lines
}
