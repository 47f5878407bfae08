/**
 * The bits of Python's string handling gprof2dot's output depends on, reproduced so that our
 * dot text is the one it writes, character for character.
 */

/**
 * `'%.2f' % value`: like `toFixed(2)`, except that Python rounds an exact tie to even where
 * `toFixed` rounds it up. A double is exactly halfway between two hundredths only when it is
 * an odd multiple of 1/8 (0.125, 0.375…), so that is the one case to correct.
 */
export function fixed2(value: number): string {
  const text = value.toFixed(2)
  const eighths = value * 8
  if (!Number.isInteger(eighths) || eighths % 2 === 0) return text
  const hundredths = Math.round(Math.abs(value) * 100)
  if (hundredths % 2 === 0) return text
  return (Math.sign(value) * ((hundredths - 1) / 100)).toFixed(2)
}

/** gprof2dot's `percentage`: `'%.02f%%' % (ratio * 100.0)`. */
export function percentage(ratio: number): string {
  return `${fixed2(ratio * 100)}%`
}

/** gprof2dot's `times`: `'%u×' % count`. */
export function times(count: number): string {
  return `${Math.trunc(count)}\u00d7`
}

/**
 * The name gprof2dot gives a pstats entry: `module:line:function`, the module being the
 * file's base name without its extension (`os.path.splitext`, then `os.path.basename`), so
 * `/app/shop/cart.py` → `cart`, `~` → `~`, `<frozen importlib._bootstrap>` → `<frozen importlib`.
 */
export function pstatsName(file: string, line: number, name: string): string {
  const withoutExtension = splitExtension(file)
  const module = withoutExtension.slice(withoutExtension.lastIndexOf('/') + 1)
  return `${module}:${Math.trunc(line)}:${name}`
}

/** `posixpath.splitext(path)[0]`: leading dots of the base name start no extension. */
function splitExtension(path: string): string {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  if (dot <= slash) return path
  for (let i = slash + 1; i < dot; i += 1) if (path[i] !== '.') return path.slice(0, dot)
  return path
}

/**
 * Python's `str.isalnum()`: at least one character, every one a letter or a number (Unicode
 * categories L and N; Python also counts a few CJK ideographs with numeric values, which are
 * letters anyway).
 */
export function isAlnum(text: string): boolean {
  return ALNUM.test(text)
}

const ALNUM = /^[\p{L}\p{N}]+$/u

/**
 * gprof2dot cuts a function name of 4096 characters or more (dot cannot read longer quoted
 * strings) to 4095 and an ellipsis. Characters are code points, as Python counts them.
 */
export function truncateName(name: string): string {
  const MAX = 4096
  if (name.length < MAX) return name
  const points = Array.from(name)
  return points.length < MAX ? name : points.slice(0, MAX - 1).join('') + '\u2026'
}
