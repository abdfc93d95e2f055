// AtomicFile.write encodes text a buffer at a time: whatever the pieces, the file holds exactly
// their UTF-8 bytes in order — characters of 1 to 4 bytes falling across the buffer's edges,
// pieces longer than it, bytes between texts, and two writes at once.
import { AtomicFile } from "@descent/files"
import { FileSystem } from "@effect/platform"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer } from "effect"
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const folder = () => mkdtempSync(join(tmpdir(), "descent-atomic-"))
const utf8 = (pieces: ReadonlyArray<string | Uint8Array>): Buffer =>
  Buffer.concat(pieces.map((piece) => (typeof piece === "string" ? Buffer.from(piece, "utf8") : piece)))

// Text of every width of character (1, 2, 3 and 4 bytes: "a", "é", "€", "😀"), `length` units
// long, shifted by `offset` units so that the characters fall on every side of 64 KiB edges.
const mixed = (length: number, offset: number): string => {
  const alphabet = ["a", "é", "€", "😀", "\n"]
  let text = "x".repeat(offset)
  for (let i = 0; text.length < length; i++) text += alphabet[(i * 7 + offset) % alphabet.length]!
  return text
}

describe("AtomicFile.write", () => {
  it.effect("writes the UTF-8 bytes of every piece, in order, wherever a character meets the buffer's edge", () =>
    Effect.gen(function* () {
      const dir = folder()
      for (const offset of [0, 1, 2, 3]) {
        const pieces = [mixed(200_000, offset), new Uint8Array([0, 255, 10]), "", mixed(65_536, offset), "😀".repeat(40_000)]
        const path = join(dir, `file-${offset}.txt`)
        yield* AtomicFile.write(path, pieces)
        expect(readFileSync(path).equals(utf8(pieces))).toBe(true)
      }
      expect(readdirSync(dir).sort()).toEqual(["file-0.txt", "file-1.txt", "file-2.txt", "file-3.txt"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("two writes at once each get their own text", () =>
    Effect.gen(function* () {
      const dir = folder()
      const texts = [mixed(300_000, 1), mixed(300_000, 2)]
      yield* Effect.all(texts.map((text, i) => AtomicFile.write(join(dir, `${i}.txt`), [text, text])), { concurrency: 2 })
      texts.forEach((text, i) => expect(readFileSync(join(dir, `${i}.txt`), "utf8")).toBe(text + text))
    }).pipe(Effect.provide(NodeContext.layer)))
})

// Atomicity itself, looked at from outside: the write lands as a new file renamed over the old
// (a new inode), leaves nothing else in the folder, and a reader reading all along sees the old
// content or the new, whole, never a part of either.
describe("AtomicFile.write is atomic", () => {
  it.effect("replaces the file by a rename (a new inode), leaving no other file in the folder", () =>
    Effect.gen(function* () {
      const dir = folder()
      const path = join(dir, "model.json")
      yield* AtomicFile.write(path, "first")
      const first = statSync(path).ino
      yield* AtomicFile.write(path, ["second", " version"])
      expect(readFileSync(path, "utf8")).toBe("second version")
      expect(statSync(path).ino).not.toBe(first)
      expect(readdirSync(dir)).toEqual(["model.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("flushes the temporary file before the rename, and the folder after it, so the new file survives a crash", () =>
    Effect.gen(function* () {
      // The real file system, with each open, flush and rename written down as it succeeds.
      const calls: Array<string> = []
      const node = yield* FileSystem.FileSystem
      const recording = FileSystem.make({
        ...node,
        open: (path, options) =>
          node.open(path, options).pipe(
            Effect.tap(() => calls.push(`open ${path} ${options?.flag}`)),
            Effect.map((file) => new Proxy(file, {
              get: (target, key) => key === "sync" ? Effect.tap(target.sync, () => calls.push(`sync ${path}`)) : Reflect.get(target, key, target)
            }))
          ),
        rename: (from, to) => node.rename(from, to).pipe(Effect.tap(() => calls.push(`rename ${from} ${to}`)))
      })
      const dir = folder()
      const path = join(dir, "model.json")
      yield* AtomicFile.write(path, "text").pipe(Effect.provide(Layer.succeed(FileSystem.FileSystem, recording)))
      const temporary = calls[0]!.split(" ")[1]!
      expect(AtomicFile.isTemporary(temporary.slice(dir.length + 1))).toBe(true)
      expect(calls).toEqual([`open ${temporary} wx`, `sync ${temporary}`, `rename ${temporary} ${path}`, `open ${dir} r`, `sync ${dir}`])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a reader reading throughout a write in 160 pieces sees the old file or the new one, whole", () =>
    Effect.gen(function* () {
      const dir = folder()
      const path = join(dir, "run.json")
      const old = "o".repeat(3_000_000)
      writeFileSync(path, old)
      const piece = "n".repeat(65_536)
      const fresh = piece.repeat(160)
      const seen = new Map<string, number>()
      let reads = 0
      let reading = true
      // Reads between the writer's steps: the event loop runs it whenever the writer waits on the disk.
      const reader = () => {
        if (!reading) return
        const text = readFileSync(path, "utf8")
        reads++
        const kind = text === old ? "old" : text === fresh ? "new" : `partial (${text.length} characters)`
        seen.set(kind, (seen.get(kind) ?? 0) + 1)
        setImmediate(reader)
      }
      setImmediate(reader)
      yield* AtomicFile.write(path, Array.from({ length: 160 }, () => piece))
      yield* Effect.promise(() => new Promise((done) => setImmediate(done)))
      reading = false
      expect([...seen.keys()].filter((kind) => kind.startsWith("partial"))).toEqual([])
      expect(seen.get("old") ?? 0).toBeGreaterThan(0) // the reader ran while the write was under way
      expect(reads).toBeGreaterThan(10)
      expect(readFileSync(path, "utf8")).toBe(fresh)
      expect(readdirSync(dir)).toEqual(["run.json"])
    }).pipe(Effect.provide(NodeContext.layer)))
})

// Temporary names: what a run folder is scanned for after a kill, so what is one must be exact.
describe("AtomicFile.temporaryName and isTemporary", () => {
  // A name a folder can hold: anything but a separator.
  const name = fc.string({ minLength: 1 }).filter((n) => !/[/\\]/.test(n))

  it.prop("a temporary name is hidden beside its file, with 12 random hex digits, and is recognised as one", { n: name }, ({ n }) => {
    const temporary = AtomicFile.temporaryName(n)
    expect(temporary.startsWith(`.${n}.`)).toBe(true)
    expect(temporary.slice(n.length + 2)).toMatch(/^[0-9a-f]{12}\.tmp$/)
    expect(AtomicFile.isTemporary(temporary)).toBe(true)
    expect(AtomicFile.isTemporary(temporary, n)).toBe(true)
  })

  it("recognises only names of temporaryName's making, and only beside the file named", () => {
    const cases: ReadonlyArray<readonly [string, string | undefined, boolean]> = [
      [".model.json.0123456789ab.tmp", undefined, true],
      [".model.json.0123456789ab.tmp", "model.json", true],
      [".model.json.0123456789ab.tmp", "run.json", false],
      [".model.json.0123456789ab.tmp", "json", false],
      ["model.json", undefined, false],
      ["model.json", "model.json", false],
      ["x.model.json.0123456789ab.tmp", undefined, false], // not hidden
      [".model.json.0123456789ab.tmp~", undefined, false], // not the end of the name
      [".model.json.0123456789AB.tmp", undefined, false], // the digits are lowercase
      [".model.json.0123456789a.tmp", undefined, false], // 11 digits
      [".model.json.ghijklmnopqr.tmp", undefined, false], // not hex
      [".a/b.0123456789ab.tmp", undefined, false] // a path, not a name
    ]
    for (const [candidate, beside, expected] of cases) expect(AtomicFile.isTemporary(candidate, beside), candidate).toBe(expected)
  })
})

describe("AtomicFile.writeJson and a failed write", () => {
  it.effect("writeJson writes pretty JSON, two spaces deep, ending in a newline", () =>
    Effect.gen(function* () {
      const path = join(folder(), "run.json")
      yield* AtomicFile.writeJson(path, { a: [1, 2], b: "c" })
      expect(readFileSync(path, "utf8")).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "c"\n}\n')
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a write over a folder says so, in words a user can act on", () =>
    Effect.gen(function* () {
      const dir = folder()
      const error = yield* Effect.flip(AtomicFile.write(dir, "x"))
      expect(error.message).toBe(`${dir}: cannot write: is a folder, not a file; give the path of a file`)
    }).pipe(Effect.provide(NodeContext.layer)))
})
