// The CLI as an Effect program: commands run in this process, composed from Layers — data from
// a test's own Datasets service (four tiny in-memory sets), output into memory — with Node's
// file system for the files they write.
import { Dataset } from "@descent/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cli } from "../src/Cli.js"
import * as Output from "../src/Output.js"
import { inMemory } from "./fixtures.js"

// 4×4 images whose label is the brightest quadrant (0–3), plus the digits 4–9 that never occur.
const quadrants = (count: number, salt: number): Dataset.Dataset => {
  const pixels = new Uint8Array(count * 16)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const label = (i * 7 + salt) % 4
    labels[i] = label
    for (let p = 0; p < 16; p++) {
      const quadrant = (p < 8 ? 0 : 2) + (p % 4 < 2 ? 0 : 1)
      pixels[i * 16 + p] = quadrant === label ? 200 + ((i + p) % 50) : (i * p + salt) % 40
    }
  }
  return Dataset.make({ rows: 4, cols: 4, pixels, labels })
}
const data = inMemory(quadrants(400, 1), quadrants(100, 2))

const descent = (args: ReadonlyArray<string>) => {
  const output = Output.capture()
  return cli(["node", "descent", ...args]).pipe(
    Effect.provide(Layer.mergeAll(data, output.layer, NodeContext.layer)),
    Effect.as(output)
  )
}

describe("descent, run in-process with a test's data and output", () => {
  it.effect("train reports each epoch on its output and writes the run; eval reads the model it wrote", () =>
    Effect.gen(function* () {
      const out = join(mkdtempSync(join(tmpdir(), "descent-in-process-")), "run")
      const trained = yield* descent(["train", "--layers", "16,8,10", "--eta", "2", "--epochs", "3", "--json", "--out", out])
      const epochs = trained.stdout.map((line) => JSON.parse(line) as { epoch: number; testAccuracy: number })
      expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
      expect(epochs[2]!.testAccuracy).toBeGreaterThan(0.9)
      expect(trained.stderr).toEqual([])
      const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { status: string; data: { trainImages: { file: string } } }
      expect(record.status).toBe("complete")
      expect(record.data.trainImages.file).toBe("memory")
      const evaluated = yield* descent(["eval", "--model", join(out, "model.json"), "--json"])
      expect((JSON.parse(evaluated.stdout[0]!) as { accuracy: number }).accuracy).toBe(epochs[2]!.testAccuracy)
      const text = yield* descent(["eval", "--model", join(out, "model.json")])
      expect(text.stdout[0]).toBe("16-8-10 on 100 test images of the bundled MNIST")
    }))

  it.effect("a usage error fails the program with its message, and prints nothing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(descent(["train", "--layers", "16,8,10", "--output", "softmax"]))
      expect(error).toMatchObject({ _tag: "UsageError", message: "--output softmax: a softmax output layer is trained with --cost cross-entropy" })
    }))
})
