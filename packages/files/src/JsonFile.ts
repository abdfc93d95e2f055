/**
 * Reading a JSON file that descent wrote, decoded with a Schema. Every way it can be wrong —
 * missing, a folder, a device or a pipe, unreadable, too large, nested too deep, not JSON,
 * another of descent's files, a field that does not fit — becomes one `FileFormatError`,
 * `FileError` or `MemoryLimitError` whose one-line message names the file and, where there is
 * one, the field at fault, and never echoes the file's content back (a 200 MB file makes a
 * short message).
 *
 * The bounds come first: the file is checked to be a regular file, and its size (against
 * `maxBytes`, and against the memory reading would take), before a byte is read, and its nesting
 * depth before it is parsed.
 *
 * @since 0.1.0
 */
import type { Memory } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, ParseResult, Schema, SchemaAST } from "effect"
import * as BoundedFile from "./BoundedFile.js"
import { type FileError, FileFormatError } from "./FileError.js"
import * as Describe from "./internal/describe.js"

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

// descent's own files, to say which was given when another was expected.
const formats: Readonly<Record<string, { readonly what: string; readonly name: string; readonly the: string }>> = {
  "descent-model": { what: "model file", name: "model.json", the: "the model" },
  "descent-run": { what: "run record", name: "run.json", the: "the run record" },
  "descent-checkpoint": { what: "checkpoint", name: "checkpoint.json", the: "the checkpoint" }
}

// One of descent's files where another was expected (its `format` is the other's), in words
// that say which file to give instead.
const wrongFile = (
  leaf: { readonly path: ReadonlyArray<PropertyKey>; readonly issue: ParseResult.ParseIssue }
): { readonly found: string; readonly problem: string } | undefined => {
  const { issue, path } = leaf
  if (path.length !== 1 || path[0] !== "format" || issue._tag !== "Type" || !SchemaAST.isLiteral(issue.ast)) return undefined
  const found = typeof issue.actual === "string" && Object.hasOwn(formats, issue.actual) ? formats[issue.actual] : undefined
  const wanted = typeof issue.ast.literal === "string" && Object.hasOwn(formats, issue.ast.literal) ? formats[issue.ast.literal] : undefined
  if (found === undefined || wanted === undefined) return undefined
  return {
    found: found.what,
    problem: `this is a ${found.what} (${found.name}), not a ${wanted.what}; ${wanted.the} is ${wanted.name} in the same folder`
  }
}

/**
 * A parse error in one short line (at most 240 characters): the field at fault and what is
 * wrong with it — what was expected, in words ("a whole number between 1 and 1000000", "one of
 * "running", "complete", …", "an object with format, version, …"), and what was found,
 * described, not shown ("a string of 5000000 characters", "an array of 3 items"). One of
 * descent's files given for another is named as such, with the file to give instead.
 *
 * @since 0.3.0
 * @category errors
 */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const leaf = Describe.firstLeaf(error.issue)
  const wrong = wrongFile(leaf)
  if (wrong !== undefined) return wrong.problem
  const { issue, path } = leaf
  const field = path.length === 0 ? "" : `field "${Describe.clip(Describe.fieldPath(path), 80)}": `
  const problem = (() => {
    switch (issue._tag) {
      case "Missing":
        return "is missing"
      case "Unexpected":
        return issue.message ?? "is not expected here"
      case "Type":
      case "Forbidden":
        return issue.message ?? `expected ${Describe.clip(Describe.expected(issue.ast), 120)}, found ${Describe.value(issue.actual)}`
      case "Composite":
        return `expected ${Describe.clip(Describe.expected(issue.ast), 120)}, found ${Describe.value(issue.actual)}`
      default:
        return "does not match the expected format"
    }
  })()
  return Describe.clip(`${field}${problem.replace(/\s+/g, " ")}`, 240)
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
    const bytes = yield* BoundedFile.read(path, what, {
      maxBytes: Math.min(bounds.maxBytes, maxStringLength),
      limit: bounds.limit,
      memory: memoryToRead
    })
    const text = new TextDecoder().decode(bytes)
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
          problem: `not valid JSON (${Describe.clip(String(error instanceof Error ? error.message : error).replace(/\s+/g, " "), 160)})`
        })
    })
    return yield* Schema.decodeUnknown(schema)(json, { onExcessProperty: "ignore" }).pipe(
      Effect.mapError((error) => {
        const wrong = wrongFile(Describe.firstLeaf(error.issue))
        return wrong === undefined
          ? new FileFormatError({ path, what, problem: describeIssue(error) })
          : new FileFormatError({ path, what, problem: wrong.problem, found: wrong.found })
      })
    )
  })
