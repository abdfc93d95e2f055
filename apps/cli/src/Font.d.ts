/**
 * The font family the pictures name, and the one their PNGs are rendered in.
 *
 * @since 0.3.0
 * @category constants
 */
export declare const family = "DejaVu Sans";
/**
 * What an SVG's `font-family` says: DejaVu Sans, then what a browser without it should use.
 *
 * @since 0.3.0
 * @category constants
 */
export declare const stack = "'DejaVu Sans', Verdana, Arial, sans-serif";
/**
 * The TrueType files of the family, regular and bold, inside the installed package (found
 * from this module's own location: pnpm lets a package resolve only what it declares).
 *
 * @since 0.3.0
 * @category files
 */
export declare const files: () => ReadonlyArray<string>;
/**
 * Width of `text` set in DejaVu Sans at `size` pixels — an upper estimate for laying out a
 * picture (its widest common glyphs, digits and most capitals, advance 0.64–0.77 em; lower
 * case averages about 0.56), so that nothing is cut off at the canvas's edge.
 *
 * @since 0.3.0
 * @category measuring
 */
export declare const width: (text: string, size: number, bold?: boolean) => number;
//# sourceMappingURL=Font.d.ts.map