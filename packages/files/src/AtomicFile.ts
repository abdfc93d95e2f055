/**
 * Writing files so that neither a crash nor a power cut tears one: the content goes to a
 * temporary file in the same folder, is flushed to the disk (fsync), and the temporary file is
 * then renamed over the target, and the folder flushed too, so the rename itself is on disk.
 * A kill at any instant leaves the old file or the new one, never half of either, and no
 * temporary file (it is removed when the write fails).
 *
 * Content may come in pieces (`Iterable` of strings or bytes), each written as it is made, so a
 * large file (a model of millions of parameters) never has to exist whole in memory.
 *
 * Not for: several files that must change together (a run's files have one commit point: its
 * checkpoint, written first; see `descent train`).
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { FileError, systemProblem } from "./FileError.js"

// A random suffix, so that two writers of the same file never share a temporary file.
const suffix = (): string => {
  const bytes = new Uint8Array(6)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
}

/**
 * What a file is written from: text, bytes, or a sequence of either, written in order.
 *
 * @since 0.3.0
 * @category models
 */
export type Content = string | Uint8Array | Iterable<string | Uint8Array>

const encoder = new TextEncoder()

// Text is encoded into a buffer of this many bytes, a part at a time, rather than into a new
// array per piece: a run writes its files after every epoch, and arrays made for
// them and dropped would pile up between the garbage collector's rounds (about 0.4 MB an epoch
// for the chapter's run, 13 MB of its peak memory by epoch 30).
const bufferBytes = 65536
// The buffer no write is using (one at a time takes it; a write beside it makes its own).
let idleBuffer: Uint8Array | undefined = new Uint8Array(bufferBytes)
const buffer = Effect.acquireRelease(
  Effect.sync(() => {
    const taken = idleBuffer ?? new Uint8Array(bufferBytes)
    idleBuffer = undefined
    return taken
  }),
  (taken) => Effect.sync(() => void (idleBuffer = taken))
)

// The parts of `piece` to write in order: bytes as they are, text encoded into `buffer`
// (each part valid only until the next is asked for).
function* partsOf(piece: string | Uint8Array, buffer: Uint8Array): Generator<Uint8Array> {
  if (typeof piece !== "string") {
    yield piece
    return
  }
  // encodeInto stops where the buffer is full, never inside a character.
  for (let rest = piece; rest.length > 0;) {
    const { read, written } = encoder.encodeInto(rest, buffer)
    yield buffer.subarray(0, written)
    rest = rest.slice(read)
  }
}
const piecesOf = (content: Content): Iterable<string | Uint8Array> =>
  typeof content === "string" || content instanceof Uint8Array ? [content] : content

/**
 * A hidden temporary name beside `name` ("model.json" → `.model.json.<12 hex>.tmp`), random so
 * that two writers never share one: what `write` writes before its rename (and what a run
 * folder is made as before it is renamed into place).
 *
 * @since 0.3.0
 * @category paths
 */
export const temporaryName = (name: string): string => `.${name}.${suffix()}.tmp`

/**
 * Whether `candidate` is a temporary name of `temporaryName`'s making — beside `name`, when it
 * is given. One is left behind only when the process was killed during a write.
 *
 * @since 0.3.0
 * @category paths
 */
export const isTemporary = (candidate: string, name?: string): boolean =>
  /^\.[^/\\]+\.[0-9a-f]{12}\.tmp$/.test(candidate) && (name === undefined || candidate.startsWith(`.${name}.`))

/**
 * Writes `content` to `path` atomically and durably.
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (
  path: string,
  content: Content
): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const folder = paths.dirname(path)
    const temporary = paths.join(folder, temporaryName(paths.basename(path)))
    const written = Effect.scoped(
      Effect.gen(function* () {
        const file = yield* fs.open(temporary, { flag: "wx" })
        const encoded = yield* buffer
        for (const piece of piecesOf(content)) {
          for (const part of partsOf(piece, encoded)) yield* file.writeAll(part)
        }
        yield* file.sync
      })
    )
    yield* written.pipe(
      Effect.zipRight(fs.rename(temporary, path)),
      Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)),
      Effect.mapError((error) => new FileError({ path, problem: `cannot write: ${systemProblem(error, "a file", "write")}` }))
    )
    // The rename is durable once the folder's entry is; some systems cannot open a folder to
    // flush it (Windows), and there nothing more can be done.
    yield* Effect.scoped(Effect.flatMap(fs.open(folder, { flag: "r" }), (dir) => dir.sync)).pipe(Effect.ignore)
  })

/**
 * Writes `value` as pretty JSON, atomically and durably.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeJson = (path: string, value: unknown) => write(path, JSON.stringify(value, null, 2) + "\n")
