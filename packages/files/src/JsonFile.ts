/**
 * Reading a JSON file that descent wrote, decoded with a Schema. Every way it can be wrong —
 * missing, a folder, unreadable, too large, nested too deep, not JSON, a field that does not
 * fit — becomes one `FileFormatError`, `FileError` or `MemoryLimitError` whose one-line message
 * names the file and, where there is one, the field at fault, and never echoes the file's
 * content back (a 200 MB file makes a short message).
 *
 * The bounds come first: the file's size is checked (against `maxBytes`, and against the memory
 * reading would take) before a byte is read, and its nesting depth before it is parsed.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, ParseResult, Schema } from "effect"
import { FileError, FileFormatError, systemProblem } from "./FileError.js"

/**
 * The longest text a JavaScript string holds on every engine descent runs on (V8's limit, the
 * smallest: 2²⁹ − 24 characters). A JSON file is read as one string, so no file descent reads
 * can be longer.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxStringLength = 536_870_888 // 2²⁹ − 24

/**
 * Deeper than this, a JSON file is not one descent wrote (its files nest at most four levels).
 *
 * @since 0.3.0
 * @category constants
 */
export const maxDepth = 64

/**
 * How much reading a JSON file of `bytes` bytes takes: the bytes, the text decoded from them,
 * the parsed value and the decoded one, with room for the garbage collector to lag behind.
 *
 * @since 0.3.0
 * @category memory
 */
export const memoryToRead = (bytes: number): number => 4 * bytes

/**
 * What a file may be: at most `maxBytes` long, and read within `limit`.
 *
 * @since 0.3.0
 * @category models
 */
export interface Bounds {
  readonly maxBytes: number
  readonly limit?: Memory.Limit | undefined
}

/** Bytes for people, in decimal units as file browsers show them: "600 MB". */
const size = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${Math.ceil(bytes / 1e3)} kB`

/**
 * The deepest nesting of arrays and objects in JSON `text`, or `maxDepth + 1` as soon as it is
 * deeper than that (strings are skipped, escapes and all).
 *
 * @since 0.3.0
 * @category checks
 */
export const depth = (text: string): number => {
  let deepest = 0
  let level = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++level > deepest) {
        deepest = level
        if (deepest > maxDepth) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) level--
  }
  return deepest
}

// What a value is, in a few words — never the value itself, which may be huge.
const kindOf = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`
  switch (typeof value) {
    case "string":
      return value.length <= 24 ? JSON.stringify(value) : `a string of ${value.length} characters`
    case "number":
      return `the number ${value}`
    case "boolean":
      return String(value)
    case "object":
      return "an object"
    default:
      return typeof value
  }
}

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

// The first leaf of a parse issue, with the path that leads to it.
const firstLeaf = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey> = []
): { readonly path: ReadonlyArray<PropertyKey>; readonly issue: ParseResult.ParseIssue } => {
  switch (issue._tag) {
    case "Pointer":
      return firstLeaf(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])])
    case "Refinement":
    case "Transformation":
      return firstLeaf(issue.issue, path)
    case "Composite":
      return firstLeaf(Array.isArray(issue.issues) ? issue.issues[0]! : (issue.issues as ParseResult.ParseIssue), path)
    default:
      return { path, issue }
  }
}

/**
 * A parse error in one short line: the field at fault and what is wrong with it, with the
 * expected type clipped and the actual value described, not shown.
 *
 * @since 0.3.0
 * @category errors
 */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const { issue, path } = firstLeaf(error.issue)
  const field = path.length === 0 ? "" : `field "${path.map(String).join(".")}": `
  const problem = (() => {
    switch (issue._tag) {
      case "Missing":
        return "is missing"
      case "Unexpected":
        return issue.message ?? "is not expected here"
      case "Type":
      case "Forbidden":
        return issue.message ?? `expected ${clip(String(issue.ast), 80)}, found ${kindOf(issue.actual)}`
      default:
        return "does not match the expected format"
    }
  })()
  return clip(`${field}${problem}`, 240)
}

/**
 * The file at `path`, parsed as JSON and decoded by `schema`. `what` names the kind of file
 * in messages ("model file", "run record").
 *
 * @since 0.1.0
 * @category reading
 */
export const read = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>,
  what: string,
  bounds: Bounds = { maxBytes: maxStringLength }
): Effect.Effect<A, FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path).pipe(Effect.mapError((error) => new FileError({ path, problem: systemProblem(error, `a ${what}`) })))
    if (info.type === "Directory") {
      return yield* new FileError({ path, problem: `is a folder, not a file; give the path of a ${what}` })
    }
    const bytes = Number(info.size)
    const maxBytes = Math.min(bounds.maxBytes, maxStringLength)
    if (bytes > maxBytes) {
      return yield* new FileFormatError({ path, what, problem: `is ${size(bytes)}, more than the ${size(maxBytes)} a ${what} can be` })
    }
    if (bounds.limit !== undefined) {
      const over = Memory.check(bounds.limit, memoryToRead(bytes), path, `reading this ${size(bytes)} ${what}`)
      if (over !== undefined) return yield* over
    }
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) => new FileError({ path, problem: systemProblem(error, `a ${what}`) }))
    )
    if (depth(text) > maxDepth) {
      return yield* new FileFormatError({ path, what, problem: `its JSON nests more than ${maxDepth} levels deep` })
    }
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) =>
        new FileFormatError({
          path,
          what,
          // Engines quote the text around the error, newlines and all: keep it to one short line.
          problem: `not valid JSON (${clip(String(error instanceof Error ? error.message : error).replace(/\s+/g, " "), 160)})`
        })
    })
    return yield* Schema.decodeUnknown(schema)(json, { onExcessProperty: "ignore" }).pipe(
      Effect.mapError((error) => new FileFormatError({ path, what, problem: describeIssue(error) }))
    )
  })
