// Reading JSON that may be anything: bounded before it is read (size, memory), before it is
// parsed (depth), and reported in one short line that never echoes the file.
import { Memory } from "@descent/core"
import { JsonFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, symlinkSync, truncateSync, writeFileSync } from "node:fs"
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
        [{ x: huge, tags: [] }, 'field "x": expected a number, found a string of 5000000 characters'],
        [{ x: 1, tags: [1] }, 'field "tags.0": expected a string, found the number 1'],
        [{ tags: [] }, 'field "x": is missing'],
        [[huge, huge], "expected an object with x and tags, found an array of 2 items"],
        [{ x: 1, tags: huge }, 'field "tags": expected an array, found a string of 5000000 characters']
      ]
      for (const [value, problem] of cases) {
        const error = yield* readText(JSON.stringify(value))
        // Compared as short facts, so that a failure does not print megabytes.
        expect(error.message.length < 400, error.message.slice(0, 400)).toBe(true)
        expect(error.message.includes(problem), error.message.slice(0, 400)).toBe(true)
      }
    }))
})

describe("JsonFile.read of what is not a regular file", () => {
  const refused = (path: string) =>
    Effect.gen(function* () {
      const started = Date.now()
      // A read that waits on a pipe or a device never ends: a bounded wait turns a hang into a failure.
      const error = yield* Effect.flip(JsonFile.read(path, Point, "point file")).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the read did not end") })
      )
      expect(error._tag).toBe("FileError")
      expect(error.message).toBe(`${path}: is not a regular file (a pipe, a device or a socket); give the path of a point file`)
      expect(Date.now() - started).toBeLessThan(2000)
    }).pipe(Effect.provide(NodeContext.layer))

  it.effect("refuses a FIFO at once, rather than waiting for a writer", () => {
    const path = join(folder(), "checkpoint.json")
    execFileSync("mkfifo", [path])
    return refused(path)
  })

  it.effect("refuses a symbolic link to /dev/zero, which would be read forever", () => {
    const path = join(folder(), "model.json")
    symlinkSync("/dev/zero", path)
    return refused(path)
  })

  it.effect("refuses /dev/urandom and /dev/null (devices report no size)", () =>
    Effect.gen(function* () {
      yield* refused("/dev/urandom")
      yield* refused("/dev/null")
    }))

  it.effect("still reads a symbolic link to a regular file", () =>
    Effect.gen(function* () {
      const dir = folder()
      writeFileSync(join(dir, "real.json"), JSON.stringify({ x: 1, tags: ["a"] }))
      symlinkSync(join(dir, "real.json"), join(dir, "link.json"))
      expect(yield* JsonFile.read(join(dir, "link.json"), Point, "point file")).toEqual({ x: 1, tags: ["a"] })
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("JsonFile.describeIssue", () => {
  const problem = <A, I>(schema: Schema.Schema<A, I>, value: unknown): string => {
    const result = Schema.decodeUnknownEither(schema)(value)
    if (Either.isRight(result)) throw new Error("expected a failure")
    return JsonFile.describeIssue(result.left)
  }

  it("names every member of a union of literals, not only the first", () => {
    const Status = Schema.Struct({ status: Schema.Literal("running", "complete", "interrupted", "diverged", "stalled") })
    expect(problem(Status, { status: "weird" })).toBe(
      'field "status": expected one of "running", "complete", "interrupted", "diverged", "stalled", found "weird"'
    )
    expect(problem(Schema.Literal(1, 2), 3)).toBe("expected one of 1, 2, found the number 3")
  })

  it("gives Effect's refinements words", () => {
    const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown, string]> = [
      [Schema.Array(Schema.Number).pipe(Schema.minItems(2)), [1], "expected at least 2 items, found an array of 1 item"],
      [Schema.Array(Schema.Number).pipe(Schema.maxItems(3)), [1, 2, 3, 4], "expected at most 3 items, found an array of 4 items"],
      [Schema.Number.pipe(Schema.positive()), -1, "expected a positive number, found the number -1"],
      [Schema.Int.pipe(Schema.positive()), 0, "expected a positive whole number, found the number 0"],
      [Schema.Int, 1.5, "expected a whole number, found the number 1.5"],
      [Schema.Number.pipe(Schema.finite()), Infinity, "expected a finite number, found the number Infinity"],
      [Schema.Number.pipe(Schema.between(0, 1)), 2, "expected a number between 0 and 1, found the number 2"],
      [Schema.Int.pipe(Schema.between(1, 9)), 10, "expected a whole number between 1 and 9, found the number 10"],
      [Schema.Number.pipe(Schema.nonNegative()), -2, "expected a number of 0 or more, found the number -2"],
      [Schema.Number.pipe(Schema.lessThanOrEqualTo(1)), 2, "expected a number of 1 or less, found the number 2"],
      [Schema.Number.pipe(Schema.greaterThan(3)), 3, "expected a number above 3, found the number 3"],
      [Schema.Int.pipe(Schema.positive()), "7", 'expected a number, found "7"']
    ]
    for (const [schema, value, message] of cases) expect(problem(schema, value)).toBe(message)
  })

  it("prefers the description a schema's author gave over its printed type", () => {
    const Hash = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{4}$/, { description: "four hex digits" }))
    expect(problem(Hash, "xyz")).toBe('expected four hex digits, found "xyz"')
    expect(problem(Schema.Struct({ a: Schema.Number }).annotations({ description: "a point" }), 1)).toBe("expected a point, found the number 1")
  })

  it("says what structs, arrays and tuples are, rather than printing their types", () => {
    const File = Schema.Struct({ format: Schema.String, version: Schema.Number, layers: Schema.Array(Schema.Number), a: Schema.String, b: Schema.String, c: Schema.String })
    expect(problem(File, [1, 2, 3])).toBe("expected an object with format, version, layers, a and 2 more fields, found an array of 3 items")
    expect(problem(Schema.Array(Schema.String), { a: 1 })).toBe("expected an array, found an object")
    expect(problem(Schema.Tuple(Schema.Number, Schema.Number), "xy")).toBe('expected an array of 2 items, found "xy"')
  })

  it("describes a union that no member fits by all of them, and follows the one a tag chose", () => {
    const Source = Schema.Union(
      Schema.Struct({ kind: Schema.Literal("bundled") }),
      Schema.Struct({ kind: Schema.Literal("directory"), path: Schema.String })
    )
    expect(problem(Source, 5)).toBe("expected an object with kind, found the number 5")
    expect(problem(Source, { kind: "elsewhere" })).toBe('field "kind": expected one of "bundled", "directory", found "elsewhere"')
    expect(problem(Source, { kind: "directory" })).toBe('field "path": is missing')
    expect(problem(Schema.NullOr(Schema.Int.pipe(Schema.positive())), 0)).toBe("expected a positive whole number or null, found the number 0")
    // An optional field's `| undefined` is no choice JSON can make.
    expect(problem(Schema.Struct({ a: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))) }), { a: 2 })).toBe(
      'field "a": expected a number between 0 and 1, found the number 2'
    )
  })

  it("keeps a message to one line of at most 240 characters, without echoing the value", () => {
    const Many = Schema.Literal(...Array.from({ length: 200 }, (_, i) => `choice-number-${i}`))
    const deep = { [`key-${"k".repeat(300)}`]: 1 }
    const huge = "v\n".repeat(100_000)
    for (const message of [
      problem(Many, huge),
      problem(Schema.Struct({ [`key-${"k".repeat(300)}`]: Schema.String }), deep),
      problem(Schema.Record({ key: Schema.String, value: Schema.Number }), { [huge]: huge })
    ]) {
      expect(message.length).toBeLessThanOrEqual(240)
      expect(message).not.toMatch(/\n/)
      expect(message).not.toContain("v\\nv")
    }
    expect(problem(Schema.Record({ key: Schema.String, value: Schema.Number }), { [huge]: 1, ok: "x" })).toBe(
      'field "ok": expected a number, found "x"'
    )
    expect(problem(Schema.Record({ key: Schema.String, value: Schema.Number }), { [huge]: "x" })).toBe(
      'field "<a key of 200000 characters>": expected a number, found "x"'
    )
    expect(problem(Many, huge)).toMatch(/^expected one of "choice-number-0", "choice-number-1", .*…, found a string of 200000 characters$/)
  })
})
