/**
 * Memory, checked before the work: what a network, a batch, a data set, an image or a file
 * would need is estimated first — from layer sizes, flags and headers, never by allocating —
 * and compared with a `Limit` the caller chose. Going over it is a value (`MemoryLimitError`)
 * with a one-line message that says how much was needed, what the limit is and how to raise
 * it; running out of memory is never how a problem is found.
 *
 * Not for: measuring memory (see `pnpm bench`), or deciding what a limit should be (the
 * program at the edge does: `descent` takes `--max-memory`).
 *
 * @since 0.3.0
 */
import { Data } from "effect"

/**
 * How much memory the work may take, and what to tell a user who needs more ("raise it with
 * --max-memory 8G").
 *
 * @since 0.3.0
 * @category models
 */
export interface Limit {
  readonly bytes: number
  /** How to raise the limit, in words that fit after a semicolon. */
  readonly raise: string
}

/**
 * 2 GiB: what descent allows when nobody says otherwise — ten times what the chapter's run
 * takes (about 180 MB), and within what a laptop can give.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultBytes = 2 * 1024 * 1024 * 1024

/**
 * A limit of `bytes`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const limit = (bytes: number = defaultBytes, raise = "allow more memory"): Limit => ({ bytes, raise })

/**
 * The default limit (`defaultBytes`).
 *
 * @since 0.3.0
 * @category constructors
 */
export const standard: Limit = limit()

/**
 * Work that would need more memory than its limit allows.
 *
 * @since 0.3.0
 * @category errors
 */
export class MemoryLimitError extends Data.TaggedError("MemoryLimitError")<{
  /** The file, folder, flag or URL the need comes from ("--layers 784,100000,10"). */
  readonly source: string
  /** What would need the memory ("training 784-100000-10 at batch 10"). */
  readonly what: string
  /** Bytes needed, estimated. */
  readonly needed: number
  readonly limit: Limit
}> {
  override get message(): string {
    // Close to the limit, one decimal could show the same figure twice.
    const [needed, limit] = format(this.needed) === format(this.limit.bytes)
      ? [format(this.needed, 3), format(this.limit.bytes, 3)]
      : [format(this.needed), format(this.limit.bytes)]
    return `${this.source}: ${this.what} would need about ${needed} of memory, more than the limit of ${limit}; ${this.limit.raise}`
  }
}

/**
 * A `MemoryLimitError` when `needed` bytes exceed the limit, else `undefined`.
 *
 * @since 0.3.0
 * @category checks
 */
export const check = (
  limit: Limit,
  needed: number,
  source: string,
  what: string
): MemoryLimitError | undefined =>
  Number.isFinite(needed) && needed <= limit.bytes ? undefined : new MemoryLimitError({ source, what, needed, limit })

/**
 * Bytes for people, in binary units, with `decimals` places: 512 → "512 B", 2147483648 → "2.0 GiB".
 *
 * @since 0.3.0
 * @category formatting
 */
export const format = (bytes: number, decimals = 1): string => {
  if (!Number.isFinite(bytes)) return "more than can be counted"
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(decimals)} ${units[unit]}`
}

/**
 * "4G", "512M", "1.5G", "2048" (MiB when no unit is given) as bytes, or `undefined` when the
 * text is not a size.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parse = (text: string): number | undefined => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text)
  if (match === null) return undefined
  const mib = 1024 * 1024
  const scale = { "": mib, k: 1024, m: mib, g: 1024 * mib, t: 1024 * 1024 * mib }[match[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"]
  const bytes = Math.round(Number(match[1]) * scale)
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined
}
