/**
 * The versions a run record stores, so that a replay can tell whether it runs the same code.
 * Filled in at build time by the bundler; "dev" when run from source.
 *
 * @since 0.1.0
 */

declare const __DESCENT_VERSIONS__: Record<string, string> | undefined

/**
 * @since 0.1.0
 * @category constants
 */
export const versions: Record<string, string> =
  typeof __DESCENT_VERSIONS__ === "undefined" ? { descent: "dev" } : __DESCENT_VERSIONS__
