// Reading JSON that may be anything: bounded before it is read (size, memory), before it is
// parsed (depth), and reported in one short line that never echoes the file.
import { Memory } from "@descent/core"
import { JsonFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const folder = () => mkdtempSync(join(tmpdir(), "descent-json-"))
const Point = Schema.Struct({ x: Schema.Number, tags: Schema.Array(Schema.String) })
const readText = (text: string, bounds?: JsonFile.Bounds) => {
  const path = join(folder(), "file.json")
  writeFileSync(path, text)
  return Effect.flip(JsonFile.read(path, Point, "point file", bounds)).pipe(Effect.provide(NodeContext.layer))
}

describe("JsonFile.depth", () => {
  it("counts nesting, skipping brackets inside strings and escaped quotes", () => {
    expect(JsonFile.depth("1")).toBe(0)
    expect(JsonFile.depth('{"a":[1,[2]]}')).toBe(3)
    expect(JsonFile.depth('["[[[[", "\\"[[[["]')).toBe(1)
    expect(JsonFile.depth("[".repeat(1000))).toBe(JsonFile.maxDepth + 1)
  })
})

describe("JsonFile.read", () => {
  it.effect("refuses JSON nested deeper than maxDepth before parsing it", () =>
    Effect.gen(function* () {
      const error = yield* readText("[".repeat(200_000) + "]".repeat(200_000))
      expect(error.message).toMatch(/file\.json: its JSON nests more than 64 levels deep; is it a point file written by descent\?$/)
    }))

  it.effect("refuses a file larger than its kind can be, from its size alone", () =>
    Effect.gen(function* () {
      const path = join(folder(), "big.json")
      writeFileSync(path, "")
      truncateSync(path, 3_000_000) // sparse
      const error = yield* Effect.flip(JsonFile.read(path, Point, "point file", { maxBytes: 1_000_000 }))
      expect(error.message).toBe(`${path}: is 3 MB, more than the 1 MB a point file can be; is it a point file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses a file whose reading would go over the memory limit", () =>
    Effect.gen(function* () {
      const error = yield* readText(JSON.stringify({ x: 1, tags: ["a".repeat(10_000)] }), { maxBytes: 1e9, limit: Memory.limit(20_000, "raise it") })
      expect(error._tag).toBe("MemoryLimitError")
      expect(error.message).toMatch(/file\.json: reading this 11 kB point file would need about 39\.\d KiB of memory, more than the limit of 19\.5 KiB; raise it$/)
    }))

  it.effect("names a folder given for a file", () =>
    Effect.gen(function* () {
      const dir = folder()
      const error = yield* Effect.flip(JsonFile.read(dir, Point, "point file"))
      expect(error.message).toBe(`${dir}: is a folder, not a file; give the path of a point file`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("puts a JSON syntax error on one short line", () =>
    Effect.gen(function* () {
      const error = yield* readText(`{\n"x":\n 1,,\n${"\n".repeat(50)}"tags": [${'"y",'.repeat(10_000)}]}`)
      expect(error.message).toMatch(/^.*file\.json: not valid JSON \(.*\); is it a point file written by descent\?$/)
      expect(error.message).not.toMatch(/\n/)
      expect(error.message.length).toBeLessThan(400)
    }))

  it.effect("names the field at fault and describes the value found without echoing it", () =>
    Effect.gen(function* () {
      const huge = "z".repeat(5_000_000)
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ x: huge, tags: [] }, 'field "x": expected number, found a string of 5000000 characters'],
        [{ x: 1, tags: [1] }, 'field "tags.0": expected string, found the number 1'],
        [{ tags: [] }, 'field "x": is missing'],
        [[huge, huge], "expected { readonly x: number; readonly tags: ReadonlyArray<string> }, found an array of 2 items"]
      ]
      for (const [value, problem] of cases) {
        const error = yield* readText(JSON.stringify(value))
        // Compared as short facts, so that a failure does not print megabytes.
        expect(error.message.length < 400, error.message.slice(0, 400)).toBe(true)
        expect(error.message.includes(problem), error.message.slice(0, 400)).toBe(true)
      }
    }))
})
