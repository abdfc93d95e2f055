// A randomized sweep beside the data package's corruption sweep: random damage to model files,
// PNGs and run folders, and kill -9 at random instants of a run, each through the built CLI.
// Whatever the damage, descent exits 0, 1 or 2; a failure is one line on stderr without a stack
// trace; a run killed anywhere is either not there yet or finished by --resume with the
// parameters of a run never stopped; and no process goes past a bound on its peak RSS.
//
// CI runs a few dozen cases; `pnpm sweep [CASES] [SEED]` (test/sweep.mjs) runs thousands.
import { beforeAll, describe, expect, it } from "vitest"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { crc32, descent, descentAsync, jsonLines, png, type Result, temporary, tinyMnist } from "./fixtures.js"

const cases = Number(process.env.DESCENT_SWEEP_CASES ?? 40)
const kills = Number(process.env.DESCENT_SWEEP_KILLS ?? Math.max(6, Math.round(cases / 4)))
const seed = Number(process.env.DESCENT_SWEEP_SEED ?? 1)
const timeout = Number(process.env.DESCENT_SWEEP_TIMEOUT ?? 600_000)
// Tiny data and models: nothing here should take more than the process itself and a little.
const rssBoundMb = 400

// mulberry32: the sweep's own seeded generator, so a failing case can be run again.
const generator = (start: number) => {
  let a = start >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = generator(seed)
const int = (n: number) => Math.floor(random() * n)
const pick = <A>(xs: ReadonlyArray<A>): A => xs[int(xs.length)]!

// --- damage ----------------------------------------------------------------------------------

const flip = (bytes: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(bytes)
  for (let n = 1 + int(8); n > 0; n--) out[int(out.length)]! ^= 1 << int(8)
  return out
}
const truncate = (bytes: Uint8Array) => bytes.subarray(0, int(bytes.length))
const insert = (bytes: Uint8Array) => {
  const at = int(bytes.length)
  const junk = Uint8Array.from({ length: 1 + int(64) }, () => int(256))
  return Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)])
}
const noise = () => Uint8Array.from({ length: int(4096) }, () => int(256))

const oddValues: ReadonlyArray<unknown> = [
  null, true, 0, -1, 1e308, -1e-308, 2 ** 53 + 1, "", "x", "sigmoid", [], {}, [784, 5], [784, 10, 10], [0, 10], [784, -16, 10],
  [784, 1e7, 10], [[784]], { kind: "directory", path: "/no/such" }, "☃".repeat(50), new Array(1000).fill(7)
]

const modelDamage: ReadonlyArray<readonly [string, (text: string) => Uint8Array | string]> = [
  ["truncated", (t) => truncate(Buffer.from(t))],
  ["bytes flipped", (t) => flip(Buffer.from(t))],
  ["junk inserted", (t) => insert(Buffer.from(t))],
  ["random bytes", () => noise()],
  ["a parameter replaced", (t) => {
    const model = JSON.parse(t)
    model.params[int(model.params.length)] = pick([null, "NaN", [], {}, true, "1e400"])
    return JSON.stringify(model)
  }],
  ["a number out of range", (t) => t.replace(/-?\d\.\d+(e-?\d+)?/, pick(["1e400", "-1e400", "NaN", "Infinity"]))],
  ["a field changed", (t) => {
    const model = JSON.parse(t)
    model[pick(["format", "version", "layers", "activation", "output", "cost", "params"])] = pick(oddValues)
    return JSON.stringify(model)
  }],
  ["a field removed", (t) => {
    const model = JSON.parse(t)
    delete model[pick(Object.keys(model))]
    return JSON.stringify(model)
  }],
  ["nested deep", (t) => "[".repeat(1 + int(5000)) + t + "]".repeat(1 + int(5000))],
  ["parameters doubled", (t) => {
    const model = JSON.parse(t)
    model.params = [...model.params, ...model.params]
    return JSON.stringify(model)
  }],
  ["empty or blank", () => pick(["", " \n\t", "null", "\ufeff{}", "[]", "{}", "0"])]
]

const pngDamage: ReadonlyArray<readonly [string, (bytes: Buffer) => Uint8Array]> = [
  ["truncated", truncate],
  ["bytes flipped", flip],
  ["junk inserted", insert],
  ["random bytes", () => noise()],
  ["dimensions changed (CRC fixed)", (bytes) => {
    const out = Buffer.from(bytes)
    out.writeUInt32BE(pick([0, 1, 3, 20000, 65535, 2 ** 31 - 1, 2 ** 32 - 1, int(100000)]), 16)
    out.writeUInt32BE(pick([0, 1, 3, 20000, 65535, 2 ** 31 - 1, 2 ** 32 - 1, int(100000)]), 20)
    out.writeUInt32BE(crc32(out.subarray(12, 29)), 29)
    return out
  }],
  ["garbage appended", (bytes) => Buffer.concat([bytes, noise()])],
  ["a chunk dropped", (bytes) => {
    // The chunks after the signature: length, type, data, CRC.
    const chunks: Array<Buffer> = []
    for (let at = 8; at + 12 <= bytes.length;) {
      const length = bytes.readUInt32BE(at)
      chunks.push(bytes.subarray(at, at + 12 + length))
      at += 12 + length
    }
    chunks.splice(int(chunks.length), 1)
    return Buffer.concat([bytes.subarray(0, 8), ...chunks])
  }]
]

// --- what every outcome must be ---------------------------------------------------------------

const stackTrace = /^\s+at .+:\d+(:\d+)?\)?$/m

const expectClean = (result: Result, what: string) => {
  expect([0, 1, 2], `${what}: exit ${result.code}; ${result.stderr}`).toContain(result.code)
  expect(result.stderr, what).not.toMatch(stackTrace)
  expect(result.stderr, what).not.toMatch(/internal error|heap out of memory|FATAL ERROR/)
  const lines = result.stderr.split("\n").filter((line) => line.length > 0)
  if (result.code !== 0) {
    const errors = lines.filter((line) => line.startsWith("descent: "))
    expect(errors, `${what}: ${result.stderr}`).toHaveLength(1)
    expect(lines[lines.length - 1], what).toBe(errors[0])
    expect(errors[0]!.length, what).toBeLessThanOrEqual(620)
  }
  expect(result.peakRssMb, `${what}: peak RSS`).toBeDefined()
  expect(result.peakRssMb!, `${what}: peak RSS`).toBeLessThan(rssBoundMb)
}

const sha256 = (params: ReadonlyArray<number>) => createHash("sha256").update(new Uint8Array(Float64Array.from(params).buffer)).digest("hex")
const read = (path: string) => JSON.parse(readFileSync(path, "utf8"))

/** A run folder that ended well: all three files, of its last epoch, agreeing. */
const expectFinished = (dir: string, epochs: number, finalHash: string | undefined, what: string) => {
  const record = read(join(dir, "run.json"))
  expect(record.status, what).toBe("complete")
  expect(record.epochs, what).toHaveLength(epochs)
  const last = record.epochs[epochs - 1].paramsSha256
  if (finalHash !== undefined) expect(last, what).toBe(finalHash)
  expect(read(join(dir, "checkpoint.json")).epochs[epochs - 1].paramsSha256, what).toBe(last)
  expect(sha256(read(join(dir, "model.json")).params), what).toBe(last)
  expect(readdirSync(dir).filter((name) => name.endsWith(".tmp")), what).toEqual([])
}

// Runs `jobs` two at a time: the machine has two cores.
const inPairs = async <A>(jobs: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const results: Array<A> = new Array(jobs.length)
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]!()
    }
  }
  await Promise.all([worker(), worker()])
  return results
}

// --- the materials ----------------------------------------------------------------------------

const data = tinyMnist(300, 40)
const big = tinyMnist(6000, 100) // for kills: an epoch lasts long enough to be interrupted
const root = temporary("sweep")
const modelText = () => readFileSync(join(root, "trained", "model.json"), "utf8")
const peaks: Array<number> = []
const outcomes = new Map<string, number>()
const count = (what: string, result: Result) => {
  outcomes.set(`${what}: exit ${result.code}`, (outcomes.get(`${what}: exit ${result.code}`) ?? 0) + 1)
  if (result.peakRssMb !== undefined) peaks.push(result.peakRssMb)
}

beforeAll(() => {
  const trained = descent(["train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "2", "--seed", "3", "--out", join(root, "trained")])
  expect(trained.code, trained.stderr).toBe(0)
  writeFileSync(join(root, "digit.png"), png(data.test.pixels.subarray(0, 784), 28, 28, 3))
})

describe(`damage sweep (seed ${seed}, ${cases} cases, ${kills} kills)`, () => {
  it("damaged model files: eval exits 0, 1 or 2 in one line, within the memory bound", async () => {
    const jobs = Array.from({ length: cases }, (_, i) => {
      const [name, damage] = pick(modelDamage)
      const file = join(root, `model-${i}.json`)
      writeFileSync(file, damage(modelText()))
      return async () => {
        const result = await descentAsync(["eval", "--model", file, "--data", data.dir])
        count("model", result)
        expectClean(result, `model case ${i} (${name})`)
      }
    })
    await inPairs(jobs)
  }, timeout)

  it("damaged PNGs: predict exits 0 or 1 in one line, within the memory bound", async () => {
    const model = join(root, "trained", "model.json")
    const original = readFileSync(join(root, "digit.png"))
    const jobs = Array.from({ length: cases }, (_, i) => {
      const [name, damage] = pick(pngDamage)
      const file = join(root, `digit-${i}.png`)
      writeFileSync(file, damage(original))
      return async () => {
        const result = await descentAsync(["predict", "--model", model, "--image", file])
        count("png", result)
        expectClean(result, `png case ${i} (${name})`)
        expect(result.code, `png case ${i} (${name})`).not.toBe(2)
      }
    })
    await inPairs(jobs)
  }, timeout)

  it("damaged run folders: --resume and replay exit 0, 1 or 2 in one line; a resume that succeeds leaves the run finished", async () => {
    const template = join(root, "trained")
    const files = ["checkpoint.json", "model.json", "run.json"] as const
    const folderDamage: ReadonlyArray<readonly [string, (dir: string) => void]> = [
      ["files removed", (dir) => {
        for (const file of files) if (random() < 0.5) rmSync(join(dir, file))
      }],
      ["a file damaged", (dir) => {
        const file = join(dir, pick(files))
        const [, damage] = pick(modelDamage.slice(0, 4))
        writeFileSync(file, damage(readFileSync(file, "utf8")))
      }],
      ["the record behind", (dir) => {
        const record = read(join(dir, "run.json"))
        writeFileSync(join(dir, "run.json"), JSON.stringify({ ...record, status: "running", epochs: record.epochs.slice(0, int(record.epochs.length)) }))
      }],
      ["the model replaced by another", (dir) => {
        const model = read(join(dir, "model.json"))
        writeFileSync(join(dir, "model.json"), JSON.stringify({ ...model, params: model.params.map((p: number) => -p) }))
      }],
      ["a checkpoint field changed", (dir) => {
        const checkpoint = read(join(dir, "checkpoint.json"))
        const field = pick(["options", "epochs", "params", "rng", "numerics", "data", "version"])
        checkpoint[field] = pick(oddValues)
        writeFileSync(join(dir, "checkpoint.json"), JSON.stringify(checkpoint))
      }],
      ["an option changed", (dir) => {
        const checkpoint = read(join(dir, "checkpoint.json"))
        checkpoint.options[pick(Object.keys(checkpoint.options))] = pick(oddValues)
        writeFileSync(join(dir, "checkpoint.json"), JSON.stringify(checkpoint))
      }],
      ["stray temporary files", (dir) => {
        for (const file of files) writeFileSync(join(dir, `.${file}.0123456789ab.tmp`), noise())
      }],
      ["a file made a folder", (dir) => {
        const file = join(dir, pick(files))
        rmSync(file)
        mkdirSync(file)
      }]
    ]
    const jobs = Array.from({ length: cases }, (_, i) => {
      const [name, damage] = pick(folderDamage)
      const dir = join(root, `folder-${i}`)
      cpSync(template, dir, { recursive: true })
      damage(dir)
      const what = `folder case ${i} (${name})`
      return async () => {
        const resumed = await descentAsync(["train", "--resume", dir])
        count("resume", resumed)
        expectClean(resumed, `${what}, resume`)
        if (resumed.code === 0) expectFinished(dir, 2, undefined, `${what}, resumed`)
        const replayed = await descentAsync(["replay", join(dir, "run.json")])
        count("replay", replayed)
        expectClean(replayed, `${what}, replay`)
      }
    })
    await inPairs(jobs)
  }, timeout)

  it("kill -9 at a random instant: the run is not there yet, or --resume finishes it with the same parameters", async () => {
    const options = ["--data", big.dir, "--layers", "784,16,10", "--eta", "1.0", "--seed", "3", "--epochs", "3"]
    const straight = descent(["train", ...options, "--out", join(root, "straight"), "--json"])
    expect(straight.code, straight.stderr).toBe(0)
    const finalHash = jsonLines(straight.stdout)[2]!.paramsSha256 as string
    // From the start of the process to past its end: loading, creating the folder, every epoch
    // and every save.
    const jobs = Array.from({ length: kills }, (_, i) => {
      const delay = 400 + int(1800)
      const dir = join(root, `killed-${i}`)
      return async () => {
        const killed = await descentAsync(["train", ...options, "--out", dir], delay)
        count("killed", killed)
        if (!killed.killed) expectClean(killed, `kill ${i} after ${delay} ms (finished first)`)
        if (!existsSync(dir)) return
        const resumed = await descentAsync(["train", "--resume", dir])
        count("resumed", resumed)
        expectClean(resumed, `kill ${i} after ${delay} ms, resume`)
        expect(resumed.code, `kill ${i} after ${delay} ms: ${resumed.stderr}`).toBe(0)
        expectFinished(dir, 3, finalHash, `kill ${i} after ${delay} ms`)
      }
    })
    await inPairs(jobs)
  }, timeout)

  it("reports what it saw", () => {
    const sorted = [...peaks].sort((a, b) => a - b)
    console.log(
      `damage sweep, seed ${seed}: ${sorted.length} processes; peak RSS median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} MB, largest ${sorted[sorted.length - 1]?.toFixed(0)} MB (bound ${rssBoundMb} MB)\n` +
        [...outcomes].sort().map(([what, n]) => `  ${what}: ${n}`).join("\n")
    )
    expect(sorted.length).toBeGreaterThan(0)
  })
})
