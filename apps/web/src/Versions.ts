/**
 * The versions the page was built from (descent, effect), as the CLI records them in a run's
 * `environment.packages`; set by build.mjs.
 *
 * @since 0.3.0
 */
declare const __DESCENT_VERSIONS__: Record<string, string> | undefined

/**
 * @since 0.3.0
 * @category constants
 */
export const versions: Record<string, string> =
  typeof __DESCENT_VERSIONS__ === "undefined" ? { descent: "dev" } : __DESCENT_VERSIONS__
