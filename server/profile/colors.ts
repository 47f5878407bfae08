/**
 * gprof2dot's "color" theme: a weight between 0 and 1 (a share of the total time) becomes a
 * colour on its temperature map, from dark blue (cold) to saturated red (hot), and the font
 * size, pen width and arrow size of what it draws. The arithmetic follows gprof2dot's operation
 * for operation, so the same weight gives the same `#rrggbb`.
 */

/** A colour as hue, saturation and lightness, each from 0 to 1. */
export type Hsl = readonly [number, number, number]

/** A colour as red, green and blue, each from 0 to 1. */
export type Rgb = readonly [number, number, number]

/** What a gprof2dot theme decides. */
export interface Theme {
  background: Hsl
  /** The colour of weight 0 and of weight 1; the weights between interpolate in HSL. */
  minColor: Hsl
  maxColor: Hsl
  fontName: string
  /** Node label colour, as Graphviz takes it. */
  fontColor: string
  /** `filled` nodes are painted in their colour and written in the background's. */
  nodeStyle: string
  minFontSize: number
  maxFontSize: number
  minPenWidth: number
  maxPenWidth: number
  gamma: number
  /** 1 interpolates linearly; other values bend the curve (gprof2dot's `--skew`). */
  skew: number
}

/** `gprof2dot -c color`, its default. */
export const TEMPERATURE: Theme = {
  background: [0, 0, 1],
  minColor: [2.0 / 3.0, 0.8, 0.25],
  maxColor: [0.0, 1.0, 0.5],
  fontName: 'Arial',
  fontColor: 'white',
  nodeStyle: 'filled',
  minFontSize: 10,
  maxFontSize: 10,
  minPenWidth: 0.5,
  maxPenWidth: 4,
  gamma: 1,
  skew: 1,
}

/** The colour of `weight` (clamped to 0…1) on the theme's map. */
export function weightColor(theme: Theme, weight: number): Rgb {
  const w = Math.min(Math.max(weight, 0), 1)
  const [hMin, sMin, lMin] = theme.minColor
  const [hMax, sMax, lMax] = theme.maxColor
  if (theme.skew < 0) throw new RangeError('skew must be greater than 0')
  if (theme.skew === 1) {
    return hslToRgb(
      theme,
      hMin + w * (hMax - hMin),
      sMin + w * (sMax - sMin),
      lMin + w * (lMax - lMin),
    )
  }
  // In gprof2dot's order: multiply by (base^w - 1), then divide, so the rounding is the same.
  const along = (min: number, max: number) =>
    min + ((max - min) * (-1 + theme.skew ** w)) / (theme.skew - 1)
  return hslToRgb(theme, along(hMin, hMax), along(sMin, sMax), along(lMin, lMax))
}

/** The background colour: what a filled node's label is written in. */
export function backgroundColor(theme: Theme): Rgb {
  return hslToRgb(theme, ...theme.background)
}

/** The CSS 3 HSL → RGB conversion, then gamma correction. */
export function hslToRgb(theme: Theme, hue: number, saturation: number, lightness: number): Rgb {
  const h = pythonModulo(hue, 1)
  const s = Math.min(Math.max(saturation, 0), 1)
  const l = Math.min(Math.max(lightness, 0), 1)
  const m2 = l <= 0.5 ? l * (s + 1) : l + s - l * s
  const m1 = l * 2 - m2
  const r = hueToRgb(m1, m2, h + 1 / 3)
  const g = hueToRgb(m1, m2, h)
  const b = hueToRgb(m1, m2, h - 1 / 3)
  return [r ** theme.gamma, g ** theme.gamma, b ** theme.gamma]
}

function hueToRgb(m1: number, m2: number, hue: number): number {
  let h = hue
  if (h < 0) h += 1
  else if (h > 1) h -= 1
  if (h * 6 < 1) return m1 + (m2 - m1) * h * 6
  if (h * 2 < 1) return m2
  if (h * 3 < 2) return m1 + (m2 - m1) * (2 / 3 - h) * 6
  return m1
}

/** Python's `%` on floats: the result has the divisor's sign. */
function pythonModulo(value: number, divisor: number): number {
  const rest = value % divisor
  return rest !== 0 && rest < 0 !== divisor < 0 ? rest + divisor : rest
}

/** `#rrggbb`, each channel rounded half up from 0…255 as gprof2dot's `float2int` does. */
export function hex(rgb: Rgb): string {
  let text = '#'
  for (const channel of rgb) {
    const byte = channel <= 0 ? 0 : channel >= 1 ? 255 : Math.trunc(255 * channel + 0.5)
    text += byte.toString(16).padStart(2, '0')
  }
  return text
}

/** Font size of a node or edge label: grows with the square of the weight. */
export function fontSize(theme: Theme, weight: number): number {
  return Math.max(weight ** 2 * theme.maxFontSize, theme.minFontSize)
}

/** Width of an edge's line. */
export function penWidth(theme: Theme, weight: number): number {
  return Math.max(weight * theme.maxPenWidth, theme.minPenWidth)
}

/** Size of an edge's arrowhead, from its pen width. */
export function arrowSize(theme: Theme, weight: number): number {
  return 0.5 * Math.sqrt(penWidth(theme, weight))
}
