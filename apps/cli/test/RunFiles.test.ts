// A run's files change together. Every file is replaced by a rename; this test stops a run —
// as a kill would, with nothing after it — just before and just after each rename of a whole
// run (the first files, the folder itself, then three files an epoch), and resumes it: every
// stopped run either was never created or `--resume` finishes it with model, record and
// checkpoint of the last epoch, and the parameters of a run never stopped.
import { Dataset } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cli } from "../src/Cli.js"
import * as Output from "../src/Output.js"
import { inMemory } from "./fixtures.js"

const stripes = (count: number, salt: number): Dataset.Dataset => {
  const pixels = new Uint8Array(count * 16)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    labels[i] = (i * 3 + salt) % 10
    for (let p = 0; p < 16; p++) pixels[i * 16 + p] = p === labels[i]! ? 230 : (i * p + salt) % 30
  }
  return Dataset.make({ rows: 4, cols: 4, pixels, labels })
}
const data = inMemory(stripes(300, 1), stripes(60, 2))

/** Node's file system, made to stop for good at rename number `at` (counting from 1). */
class Killed {
  readonly _tag = "Killed"
}
const killingAt = (at: number, when: "before" | "after") => {
  let renames = 0
  return Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
      ...fs,
      rename: (from, to) =>
        Effect.suspend(() => {
          renames++
          if (renames < at) return fs.rename(from, to)
          // A defect, not a failure: nothing in descent handles it, as nothing runs after a kill.
          return when === "before" ? Effect.die(new Killed()) : Effect.zipRight(fs.rename(from, to), Effect.die(new Killed()))
        })
    }))
  ).pipe(Layer.provide(NodeContext.layer))
}

const run = (args: ReadonlyArray<string>, fileSystem: Layer.Layer<FileSystem.FileSystem> = NodeContext.layer) => {
  const output = Output.capture()
  return cli(["node", "descent", ...args]).pipe(
    Effect.provide(Layer.mergeAll(data, output.layer, fileSystem)),
    Effect.provide(NodeContext.layer),
    Effect.exit,
    Effect.map((exit) => ({ exit, output }))
  )
}

const options = ["--layers", "16,12,10", "--eta", "2", "--epochs", "3", "--seed", "5", "--json"]
const hashes = (stdout: ReadonlyArray<string>) => stdout.map((line) => (JSON.parse(line) as { paramsSha256: string }).paramsSha256)
const read = (path: string) => JSON.parse(readFileSync(path, "utf8"))

/** The run in `dir` is finished: three files of its last epoch, and nothing else. */
const expectFinished = (dir: string, finalHash: string) => {
  expect(readdirSync(dir).sort()).toEqual(["checkpoint.json", "model.json", "run.json"])
  const record = read(join(dir, "run.json"))
  expect(record.status).toBe("complete")
  expect(record.epochs).toHaveLength(3)
  expect(record.epochs[2].paramsSha256).toBe(finalHash)
  expect(read(join(dir, "checkpoint.json")).epochs).toHaveLength(3)
  const model = read(join(dir, "model.json"))
  expect(createHash("sha256").update(new Uint8Array(Float64Array.from(model.params).buffer)).digest("hex")).toBe(finalHash)
}

describe("a run stopped at any rename", () => {
  it.effect("resumes to the files and parameters of a run never stopped", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "descent-run-files-"))
      const straight = yield* run(["train", ...options, "--out", join(root, "straight")])
      expect(Exit.isSuccess(straight.exit)).toBe(true)
      const final = hashes(straight.output.stdout)[2]!
      expectFinished(join(root, "straight"), final)
      // 3 files and the folder itself when the run is created, then 3 files per epoch.
      const renames = 4 + 3 * 3
      let finishedByResume = 0
      let neverCreated = 0
      for (let at = 1; at <= renames; at++) {
        for (const when of ["before", "after"] as const) {
          const dir = join(root, `killed-${when}-${at}`)
          const killed = yield* run(["train", ...options, "--out", dir], killingAt(at, when))
          // Every rename but the last is followed by more work: the kill stops the run there.
          if (!(at === renames && when === "after")) {
            expect(Exit.isFailure(killed.exit) && Cause.isDie(killed.exit.cause), `${when} rename ${at}`).toBe(true)
          }
          if (!existsSync(dir)) {
            // Stopped before the folder appeared: there is no run, and a new one can start.
            neverCreated++
            const resumed = yield* run(["train", "--resume", dir])
            expect(Exit.isFailure(resumed.exit)).toBe(true)
            const again = yield* run(["train", ...options, "--out", dir])
            expect(Exit.isSuccess(again.exit)).toBe(true)
            expect(hashes(again.output.stdout)[2]).toBe(final)
          } else {
            const resumed = yield* run(["train", "--resume", dir, "--jobs", "1", "--json"])
            expect(Exit.isSuccess(resumed.exit), `${when} rename ${at}: ${Option.getOrUndefined(Exit.isFailure(resumed.exit) ? Cause.failureOption(resumed.exit.cause) : Option.none())}`).toBe(true)
            finishedByResume++
          }
          expectFinished(dir, final)
        }
      }
      // The folder appears at the fourth rename: before it (and at it, "before"), no run exists.
      expect(neverCreated).toBe(7)
      expect(finishedByResume).toBe(2 * renames - 7)
      // A run killed before its folder appeared leaves only a hidden temporary folder (removed
      // by a later run in the same place once it is an hour old).
      expect(readdirSync(root).filter((name) => !name.startsWith(".")).every((name) => !name.endsWith(".tmp"))).toBe(true)
    }), 120_000)

  it.effect("a --seeds run stopped in any seed's run resumes every seed and reports the same spread", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "descent-run-seeds-"))
      // --jobs 1: the seeds one after another in this process, where the file system can be made to stop.
      const seeds = ["train", ...options.filter((o) => o !== "--seed" && o !== "5"), "--seeds", "1,2", "--jobs", "1"]
      const straight = yield* run([...seeds, "--out", join(root, "straight")])
      expect(Exit.isSuccess(straight.exit)).toBe(true)
      const summary = straight.output.stdout[straight.output.stdout.length - 1]!
      expect(JSON.parse(summary)).toMatchObject({ seeds: [1, 2], epochs: 3 })
      // seeds.json, then 13 renames per seed: stopped in the first seed's run, between the two,
      // and in the second's.
      for (const at of [3, 14, 15, 20, 27]) {
        const dir = join(root, `killed-${at}`)
        const killed = yield* run([...seeds, "--out", dir], killingAt(at, "after"))
        expect(Exit.isFailure(killed.exit), `rename ${at}`).toBe(true)
        const resumed = yield* run(["train", "--resume", dir, "--jobs", "1", "--json"])
        expect(Exit.isSuccess(resumed.exit), `rename ${at}`).toBe(true)
        expect(resumed.output.stdout[resumed.output.stdout.length - 1], `rename ${at}`).toBe(summary)
        for (const seed of [1, 2]) expect(read(join(dir, `seed-${seed}`, "run.json")).status).toBe("complete")
      }
    }), 120_000)

  it.effect("two runs given the same folder: one has it, the other is refused, and nothing of it is lost", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "descent-run-race-"))
      const dir = join(root, "same")
      const [a, b] = yield* Effect.all([run(["train", ...options, "--out", dir]), run(["train", ...options.map((o) => (o === "2" ? "1" : o)), "--out", dir])], {
        concurrency: 2
      })
      const outcomes = [a, b].map((r) => (Exit.isSuccess(r.exit) ? "ok" : Option.getOrThrow(Cause.failureOption(r.exit.cause))._tag))
      expect(outcomes.sort()).toEqual(["UsageError", "ok"])
      const winner = Exit.isSuccess(a.exit) ? a : b
      expect(read(join(dir, "run.json")).epochs[2].paramsSha256).toBe(hashes(winner.output.stdout)[2])
      // And into an existing folder that holds something else, a run does not go.
      const busy = join(root, "busy")
      yield* run(["train", ...options, "--out", busy])
      rmSync(join(busy, "checkpoint.json"))
      const refused = yield* run(["train", ...options, "--out", busy])
      expect(Exit.isFailure(refused.exit) && String((Option.getOrThrow(Cause.failureOption(refused.exit.cause)) as Error).message)).toMatch(/the folder is not empty/)
    }), 60_000)
})
