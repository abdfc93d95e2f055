// AtomicFile.write encodes text a buffer at a time: whatever the pieces, the file holds exactly
// their UTF-8 bytes in order — characters of 1 to 4 bytes falling across the buffer's edges,
// pieces longer than it, bytes between texts, and two writes at once.
import { AtomicFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
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
