/** The variable names a line of Python source mentions, for "the values this line saw". */

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break case class continue def del elif else ' +
    'except finally for from global if import in is lambda match nonlocal not or pass raise ' +
    'return try while with yield'
  ).split(' '),
)

/**
 * Names in `source`, in order of first mention: identifiers outside strings and comments
 * that are not keywords and not attributes (`b` in `a.b`) or keyword arguments (`k` in `f(k=1)`).
 */
export function namesInLine(source: string): string[] {
  const code = source
    .replace(/[rRbBuUfF]{0,2}("""|'''|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/g, '""')
    .replace(/#.*$/, '')
  const names: string[] = []
  for (const match of code.matchAll(/(\.\s*)?\b([A-Za-z_]\w*)\b(\s*=(?!=))?/g)) {
    const [, attribute, name, assignment] = match
    if (attribute !== undefined || name === undefined || KEYWORDS.has(name)) continue
    const before = code.slice(0, match.index)
    if (assignment !== undefined && insideCall(before)) continue
    if (!names.includes(name)) names.push(name)
  }
  return names
}

/** True when the text so far has an unclosed bracket: a `name=` there is a keyword argument. */
function insideCall(text: string): boolean {
  let depth = 0
  for (const char of text) {
    if (char === '(') depth += 1
    else if (char === ')') depth -= 1
  }
  return depth > 0
}
