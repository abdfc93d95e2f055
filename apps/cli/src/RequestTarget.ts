/**
 * The target of an HTTP request (`/mnist/t10k-labels-idx1-ubyte?x=1`), checked and decoded
 * once into the path's segments (`["mnist", "t10k-labels-idx1-ubyte"]`) before anything looks
 * for a file: a target too long is refused, and so is every way a path could name something
 * outside the folder it is looked up in — `..` and `.` segments, written out or percent-encoded,
 * encoded slashes and backslashes, NUL, empty segments — and every hidden name (a leading dot).
 * What is left can only name a file by going down from the folder.
 *
 * Not for: finding the file (see `StaticRoot` for the page's folder, `Site` for the routes), or
 * symbolic links, which only the file system can resolve (`StaticRoot` does).
 *
 * @since 0.3.0
 */

/**
 * The longest request target answered: 2,048 bytes (browsers' and proxies' usual limit).
 *
 * @since 0.3.0
 * @category constants
 */
export const maxLength = 2048

/**
 * A target whose path is usable (its segments, decoded, each a plain name), or refused with the
 * status to answer: 414 (too long), 400 (not a path, or broken percent-encoding), 404 (a path
 * that could only lead outside, or to a hidden file).
 *
 * @since 0.3.0
 * @category models
 */
export type RequestTarget =
  | { readonly _tag: "Path"; readonly segments: ReadonlyArray<string> }
  | { readonly _tag: "Refused"; readonly status: 400 | 404 | 414; readonly reason: string }

const refused = (status: 400 | 404 | 414, reason: string): RequestTarget => ({ _tag: "Refused", status, reason })

// Encoded "/", "\" and NUL: decoded, they would change where the path leads, or end it.
const encodedSeparator = /%(2f|5c|00)/i

/**
 * The path of `target` (as the request line has it), decoded once, or why it is refused.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parse = (target: string): RequestTarget => {
  // Node keeps the request line's bytes one character each.
  if (target.length > maxLength) return refused(414, `the request target is longer than ${maxLength} bytes`)
  if (!target.startsWith("/")) return refused(400, "the request target is not a path")
  const raw = target.split(/[?#]/, 1)[0]!
  if (encodedSeparator.test(raw)) return refused(404, "an encoded slash, backslash or NUL")
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return refused(400, "broken percent-encoding")
  }
  if (decoded.includes("\\") || decoded.includes("\u0000")) return refused(404, "a backslash or NUL")
  if (decoded === "/") return { _tag: "Path", segments: [] }
  const segments = decoded.slice(1).split("/")
  // Empty, "." and ".." segments, and hidden names, all start with a dot or are empty.
  if (segments.some((segment) => segment === "" || segment.startsWith("."))) return refused(404, "an empty, dot or hidden segment")
  return { _tag: "Path", segments }
}
