/**
 * Reading a JSON file that descent wrote, decoded with a Schema. Every way it can be wrong —
 * missing, unreadable, not JSON, a field that does not fit — becomes one `FileFormatError` or
 * `FileError` line naming the file and, where there is one, the field at fault.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, ParseResult, Schema } from "effect"
import { FileError, FileFormatError } from "./FileError.js"

const describeIssue = (error: ParseResult.ParseError): string => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (first === undefined) return "it does not match the expected format"
  const field = first.path.length === 0 ? "" : `field "${first.path.join(".")}": `
  return `${field}${first.message}`
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
  what: string
): Effect.Effect<A, FileFormatError | FileError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) =>
        new FileError({
          path,
          problem:
            error._tag === "SystemError" && error.reason === "NotFound"
              ? `no such file; give the path of a ${what}`
              : `cannot read the ${what}: ${error.message}`
        })
      )
    )
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) =>
        new FileFormatError({ path, what, problem: `not valid JSON (${error instanceof Error ? error.message : error})` })
    })
    return yield* Schema.decodeUnknown(schema)(json, { onExcessProperty: "ignore" }).pipe(
      Effect.mapError((error) => new FileFormatError({ path, what, problem: describeIssue(error) }))
    )
  })
