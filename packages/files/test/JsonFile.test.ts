// Reading JSON that may be anything: bounded before it is read (size, memory), before it is
// parsed (depth), and reported in one short line that never echoes the file.
import { Memory } from "@descent/core"
import { JsonFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { ParseOptions } from "effect/SchemaAST"
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

describe("JsonFile.depth, more", () => {
  it("closes objects as well as arrays", () => {
    expect(JsonFile.depth('{"a":{},"b":{},"c":{}}')).toBe(2)
  })
})

describe("JsonFile.read, more", () => {
  it.effect("reads JSON nested exactly maxDepth levels deep, so that its schema judges it", () =>
    Effect.gen(function* () {
      const error = yield* readText("[".repeat(JsonFile.maxDepth) + "]".repeat(JsonFile.maxDepth))
      expect(error.message).toMatch(/file\.json: expected an object with x and tags, found an array of 1 item; is it a point file written by descent\?$/)
    }))

  it.effect("refuses, from its size alone, a file longer than any string can be when no bound is given", () =>
    Effect.gen(function* () {
      const path = join(folder(), "huge.json")
      writeFileSync(path, "")
      truncateSync(path, JsonFile.maxStringLength + 1) // sparse
      const error = yield* Effect.flip(JsonFile.read(path, Point, "point file"))
      expect(error.message).toMatch(/huge\.json: is 537 MB, more than the 537 MB a point file can be; is it a point file written by descent\?$/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("collapses each run of white space in a JSON syntax error to one space", () =>
    Effect.gen(function* () {
      const error = yield* readText('{"x":\n\n   @}')
      // The engine quotes the text around the error: "{"x": @}", on one line.
      expect(error.message).toContain('{"x": @}')
      expect(error.message).not.toMatch(/\s\s/)
    }))

  it.effect("names the file to give instead when given another of descent's files", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      writeFileSync(path, JSON.stringify({ format: "descent-run" }))
      const error = yield* Effect.flip(JsonFile.read(path, Schema.Struct({ format: Schema.Literal("descent-model") }), "model file"))
      expect(error._tag === "FileFormatError" && error.found).toBe("run record")
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("JsonFile.describeIssue, more", () => {
  const problemOf = <A, I>(schema: Schema.Schema<A, I>, value: unknown, options?: ParseOptions): string => {
    const result = Schema.decodeUnknownEither(schema)(value, options)
    if (Either.isRight(result)) throw new Error("expected a failure")
    return JsonFile.describeIssue(result.left)
  }
  const Format = (literal: string) => Schema.Struct({ format: Schema.Literal(literal) })

  it("names another of descent's files only for a top-level format field naming both", () => {
    const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown, string]> = [
      [Format("descent-model"), { format: "descent-run" }, "this is a run record (run.json), not a model file; the model is model.json in the same folder"],
      [Format("descent-run"), { format: "descent-checkpoint" }, "this is a checkpoint (checkpoint.json), not a run record; the run record is run.json in the same folder"],
      // Not the top-level `format` field.
      [Schema.Struct({ kind: Schema.Literal("descent-model") }), { kind: "descent-run" }, 'field "kind": expected "descent-model", found "descent-run"'],
      [Schema.Struct({ format: Format("descent-model") }), { format: { format: "descent-run" } }, 'field "format.format": expected "descent-model", found "descent-run"'],
      // Not a name of one of descent's files, on either side (nor one an object inherits).
      [Format("descent-model"), { format: "toString" }, 'field "format": expected "descent-model", found "toString"'],
      [Format("descent-model"), { format: ["descent-run"] }, 'field "format": expected "descent-model", found an array of 1 item'],
      [Format("toString"), { format: "descent-run" }, 'field "format": expected "toString", found "descent-run"'],
      [Format("descent-other"), { format: "descent-run" }, 'field "format": expected "descent-other", found "descent-run"'],
      // Not a wrong value: a field that is not expected at all.
      [Schema.Struct({ a: Schema.optional(Schema.Number) }), { format: "descent-run" }, 'field "format": is unexpected, expected: "a"']
    ]
    for (const [schema, value, message] of cases) expect(problemOf(schema, value, { onExcessProperty: "error" })).toBe(message)
    // An unexpected field without Effect's words gets words of its own.
    expect(JsonFile.describeIssue(new ParseResult.ParseError({ issue: new ParseResult.Pointer("b", {}, new ParseResult.Unexpected(1)) }))).toBe(
      'field "b": is not expected here'
    )
  })

  it("says what was found, in words", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "null"],
      [true, "true"],
      [undefined, "nothing"],
      [Symbol("s"), "symbol"],
      ["x".repeat(24), JSON.stringify("x".repeat(24))],
      ["x".repeat(25), "a string of 25 characters"]
    ]
    for (const [value, found] of cases) expect(problemOf(Schema.Number, value)).toBe(`expected a number, found ${found}`)
  })

  enum Mixed { A = "a", B = 2 }
  it("says what more kinds of schema expect", () => {
    const Never = Schema.Number.pipe(Schema.filter(() => false))
    const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown, string]> = [
      [Schema.Literal(1n), 2, "expected 1n, found the number 2"],
      [Schema.Number.pipe(Schema.nonNaN()), NaN, "expected a number, found the number NaN"],
      [Schema.Number.pipe(Schema.negative()), 1, "expected a negative number, found the number 1"],
      [Schema.Number.pipe(Schema.lessThan(5)), 5, "expected a number below 5, found the number 5"],
      [Schema.Array(Schema.Number).pipe(Schema.itemsCount(2)), [1], "expected exactly 2 items, found an array of 1 item"],
      [Schema.String.pipe(Schema.minLength(3)), "ab", 'expected a string of at least 3 characters, found "ab"'],
      [Schema.String.pipe(Schema.maxLength(2)), "abc", 'expected a string of at most 2 characters, found "abc"'],
      [Never, 1, "expected a number that passes a check, found the number 1"],
      [Schema.UndefinedOr(Schema.Literal("x")).pipe(Schema.filter(() => false)), "x", 'expected "x" that passes a check, found "x"'],
      [Schema.transform(Schema.String, Schema.Number, { decode: Number, encode: String }).pipe(Schema.filter(() => false)), "1", "expected a number that passes a check, found the number 1"],
      [Schema.suspend(() => Schema.Number).pipe(Schema.filter(() => false)), 1, "expected a number that passes a check, found the number 1"],
      [Schema.Enums(Mixed), "c", 'expected one of "a", 2, found "c"'],
      [Schema.Struct({ a: Schema.Literal("x").annotations({ description: "the letter x" }) }), { a: "y" }, 'field "a": expected "x", found "y"'],
      [Schema.Struct({ a: Schema.optional(Schema.Literal("x", "y")) }), { a: "z" }, 'field "a": expected one of "x", "y", found "z"'],
      [Schema.Boolean, 1, "expected true or false, found the number 1"],
      [Schema.Object, 1, "expected an object or an array, found the number 1"],
      [Schema.Undefined, 1, "expected nothing, found the number 1"],
      [Schema.Never as unknown as Schema.Schema<any, any>, 1, "expected nothing (no value fits), found the number 1"],
      [Schema.BigIntFromSelf, 1, "expected a bigint, found the number 1"],
      [Schema.TemplateLiteral("a", Schema.Number), "b", 'expected `a${number}`, found "b"']
    ]
    for (const [schema, value, message] of cases) expect(problemOf(schema, value)).toBe(message)
    // No value fails `void`, `unknown` or `any`: their words show only in an issue made by hand.
    const byHand = (schema: Schema.Schema<any, any>) => JsonFile.describeIssue(new ParseResult.ParseError({ issue: new ParseResult.Type(schema.ast, 1) }))
    expect(byHand(Schema.Void)).toBe("expected nothing, found the number 1")
    expect(byHand(Schema.Unknown)).toBe("expected any value, found the number 1")
    expect(byHand(Schema.Any)).toBe("expected any value, found the number 1")
  })

  it("lists the fields of an object, or those every member of a union shares", () => {
    const N = Schema.Number
    const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, string]> = [
      [Schema.Struct({ a: N, b: N, c: N }), "an object with a, b and c"],
      [Schema.Struct({ a: N, b: N, c: N, d: N }), "an object with a, b, c and d"],
      [Schema.Union(Schema.Struct({ a: N }), Schema.Struct({ b: N })), "an object"],
      [Schema.Union(Schema.Struct({ kind: N, a: N }), Schema.Struct({ kind: N, b: N }), Schema.Struct({ kind: N, a: N, c: N })), "an object with kind"],
      [Schema.Union(Schema.Struct({ a: N }), Schema.String), "an object with a or a string"]
    ]
    for (const [schema, words] of cases) expect(problemOf(schema, 5)).toBe(`expected ${words}, found the number 5`)
    // A struct of no fields takes any value but null and undefined.
    expect(problemOf(Schema.Struct({}), null)).toBe("expected an object, found null")
  })

  it("shows a field's path up to 80 characters, and describes a key that is long or holds a quote", () => {
    const path = (outer: string, inner: string) => problemOf(Schema.Struct({ [outer]: Schema.Struct({ [inner]: Schema.Number }) }), { [outer]: { [inner]: "x" } })
    expect(path("a".repeat(40), "b".repeat(39))).toBe(`field "${"a".repeat(40)}.${"b".repeat(39)}": expected a number, found "x"`)
    expect(path("a".repeat(40), "b".repeat(40))).toBe(`field "${"a".repeat(40)}.${"b".repeat(38)}…": expected a number, found "x"`)
    const Numbers = Schema.Record({ key: Schema.String, value: Schema.Number })
    expect(problemOf(Numbers, { ["k".repeat(41)]: "x" })).toBe('field "<a key of 41 characters>": expected a number, found "x"')
    expect(problemOf(Numbers, { 'a"b': "x" })).toBe('field "<a key of 3 characters>": expected a number, found "x"')
  })

  it("tells of the first of several issues, and of a check's own words on one line", () => {
    expect(problemOf(Schema.Struct({ a: Schema.Number, b: Schema.Number }), {}, { errors: "all" })).toBe('field "a": is missing')
    const Odd = Schema.Number.pipe(Schema.filter((n) => n % 2 === 1 || "is not\n\n  odd"))
    expect(problemOf(Odd, 2)).toBe("is not odd")
    const Later = Schema.transformOrFail(Schema.String, Schema.String, { decode: (s) => Effect.succeed(s).pipe(Effect.delay("1 millis")), encode: Effect.succeed })
    expect(problemOf(Later, "a")).toBe(
      "cannot be be resolved synchronously, this is caused by using runSync on an effect that performs async work"
    )
  })
})
