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

/**
 * The JavaScript engine running descent, as a run record stores it: "node v20.20.2",
 * "bun 1.4.5" or "deno 2.9.6" (Bun and Deno also answer to `process.version`, with the Node
 * version they imitate).
 *
 * @since 0.2.0
 * @category constants
 */
export const engine: string = (() => {
  const deno = (globalThis as { readonly Deno?: { readonly version?: { readonly deno?: string } } }).Deno
  if (deno?.version?.deno !== undefined) return `deno ${deno.version.deno}`
  const bun = (process.versions as Record<string, string | undefined>).bun
  if (bun !== undefined) return `bun ${bun}`
  return `node ${process.version}`
})()
