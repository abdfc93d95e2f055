/**
 * The font every picture's text is drawn in: DejaVu Sans, regular and bold, from the
 * `dejavu-fonts-ttf` npm package that descent depends on — so a picture comes out the same on
 * every machine, with or without fonts of its own (a slim container has none, and a renderer
 * left to find "sans-serif" there draws no text at all).
 *
 * Not for: drawing (see `Svg`); the SVG files name the family too, so a browser that has
 * DejaVu Sans uses it and one that has not falls back to its own sans-serif.
 *
 * @since 0.3.0
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/**
 * The font family the pictures name, and the one their PNGs are rendered in.
 *
 * @since 0.3.0
 * @category constants
 */
export const family = "DejaVu Sans"

/**
 * What an SVG's `font-family` says: DejaVu Sans, then what a browser without it should use.
 *
 * @since 0.3.0
 * @category constants
 */
export const stack = `'${family}', Verdana, Arial, sans-serif`

/**
 * The TrueType files of the family, regular and bold, inside the installed package (found
 * from this module's own location: pnpm lets a package resolve only what it declares).
 *
 * @since 0.3.0
 * @category files
 */
export const files = (): ReadonlyArray<string> => {
  const folder = join(dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf")
  return [join(folder, "DejaVuSans.ttf"), join(folder, "DejaVuSans-Bold.ttf")]
}

/**
 * Width of `text` set in DejaVu Sans at `size` pixels — an upper estimate for laying out a
 * picture (its widest common glyphs, digits and most capitals, advance 0.64–0.77 em; lower
 * case averages about 0.56), so that nothing is cut off at the canvas's edge.
 *
 * @since 0.3.0
 * @category measuring
 */
export const width = (text: string, size: number, bold = false): number => {
  let ems = 0
  for (const ch of text) {
    ems += ch === " " ? 0.32 : /[A-Z%@MW—]/.test(ch) ? 0.78 : /[0-9]/.test(ch) ? 0.64 : /[il.,:;'|!]/.test(ch) ? 0.3 : 0.62
  }
  return Math.ceil(ems * size * (bold ? 1.1 : 1))
}
