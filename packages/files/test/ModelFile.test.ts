// A model written by the library reads back bit for bit, through the same Schema the CLI uses;
// damaged files fail with the field at fault; writes are atomic.
import { Network, Params, Rng } from "@descent/core"
import { AtomicFile, ModelFile, RunRecord } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const folder = () => mkdtempSync(join(tmpdir(), "descent-files-"))
const network = Network.make({ sizes: [784, 16, 10], hidden: "relu", output: "softmax", cost: "cross-entropy" })
const [params] = Params.init(network.layout, Rng.make(4), "scaled")

describe("ModelFile", () => {
  it.effect("writes a model that reads back with every bit of every parameter", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network, params })
      const back = yield* ModelFile.read(path)
      expect(Params.equals(back.params, params)).toBe(true)
      expect([back.network.hidden.name, back.network.output.name, back.network.cost.name]).toEqual(["relu", "softmax", "cross-entropy"])
      expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ format: "descent-model", version: 1, layers: [784, 16, 10] })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a damaged file fails in one line naming the file and the field", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      const encoded = ModelFile.encode({ network, params })
      writeFileSync(path, JSON.stringify({ ...encoded, params: encoded.params.slice(1) }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error._tag).toBe("FileFormatError")
      expect(error.message).toBe(`${path}: field "params": has 12729 entries; layers 784-16-10 need 12730; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("AtomicFile", () => {
  it.effect("replaces the file with a new one (a new inode) and leaves nothing else in the folder", () =>
    Effect.gen(function* () {
      const dir = folder()
      const path = join(dir, "a.json")
      writeFileSync(path, "old\n")
      const before = statSync(path).ino
      yield* AtomicFile.write(path, "new\n")
      expect(readFileSync(path, "utf8")).toBe("new\n")
      expect(statSync(path).ino).not.toBe(before)
      expect(readdirSync(dir)).toEqual(["a.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a write that cannot happen fails with the file named, and leaves no temporary file", () =>
    Effect.gen(function* () {
      const dir = folder()
      // The target is a folder: the rename over it fails after the temporary file was written.
      const error = yield* Effect.flip(AtomicFile.write(dir, "x"))
      expect(error.message).toMatch(new RegExp(`^${dir}: cannot write: `))
      expect(readdirSync(join(dir, ".."))).not.toContain(expect.stringMatching(/\.tmp$/))
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("RunRecord.paramsSha256", () => {
  it("is the SHA-256 of the parameters' float64 bytes", () => {
    const bytes = Buffer.from(Params.toBytes(params))
    expect(RunRecord.paramsSha256(params)).toBe(createHash("sha256").update(bytes).digest("hex"))
  })
})
