// The built `descent` command end to end, on a tiny MNIST-shaped dataset written by the test.
import { Dataset, Evaluate, Network, Params } from "@descent/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { spawnSync } from "node:child_process"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { cliPath, descent, finished, jsonLines, png, start, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(400, 100)
const runDir = join(temporary("run"), "run")
const small = ["--data", data.dir, "--layers", "784,16,10", "--eta", "1.0", "--seed", "7"]
let train: ReturnType<typeof descent>

beforeAll(() => {
  train = descent(["train", ...small, "--epochs", "3", "--out", runDir, "--json"])
})
afterAll(() => rmSync(data.dir, { recursive: true, force: true }))

describe("descent train", () => {
  it("prints exactly one JSON object per epoch on stdout, with the promised fields", () => {
    expect(train.code, train.stderr).toBe(0)
    const epochs = jsonLines(train.stdout)
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
    for (const e of epochs) {
      expect(Object.keys(e)).toEqual(["epoch", "trainCost", "testAccuracy", "testCost", "seconds", "paramsSha256"])
      expect(e.testAccuracy).toBeGreaterThanOrEqual(0)
      expect(e.testAccuracy).toBeLessThanOrEqual(1)
      expect(e.paramsSha256).toMatch(/^[0-9a-f]{64}$/)
    }
    // The bars are easy to tell apart: a few epochs learn them.
    expect(epochs[2]!.testAccuracy).toBeGreaterThan(0.9)
    expect(epochs[2]!.trainCost).toBeLessThan(epochs[0]!.trainCost as number)
  })

  it("writes model.json, run.json and checkpoint.json into --out", () => {
    const run = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"))
    expect(run.status).toBe("complete")
    expect(run.options).toMatchObject({ layers: [784, 16, 10], eta: 1, batchSize: 10, epochs: 3, seed: 7 })
    expect(run.options.data).toEqual({ kind: "directory", path: data.dir })
    expect(run.data.trainImages.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(run.epochs.map((e: { paramsSha256: string }) => e.paramsSha256)).toEqual(
      jsonLines(train.stdout).map((e) => e.paramsSha256)
    )
    expect(run.environment.node).toBe(process.version)
    const model = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"))
    expect(model).toMatchObject({ format: "descent-model", version: 1, layers: [784, 16, 10], activation: "sigmoid" })
    expect(model.params.length).toBe(784 * 16 + 16 + 16 * 10 + 10)
    expect(JSON.parse(readFileSync(join(runDir, "checkpoint.json"), "utf8")).epochs.length).toBe(3)
  })

  it("prints readable lines without --json, and notes on stderr", () => {
    const out = join(temporary("text"), "run")
    const result = descent(["train", ...small, "--epochs", "1", "--out", out])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^epoch 1\/1 {2}train cost \d\.\d{4} {2}test accuracy \d+\.\d\d% {2}test cost \d\.\d{4} {2}\d+\.\d s\n$/)
    // The printed command works when pasted, from any folder, with nothing on the PATH but node.
    const printed = /check it with: (.+)\)$/m.exec(result.stderr)![1]!
    expect(printed).toBe(`node ${cliPath} replay ${join(out, "run.json")}`)
    const pasted = spawnSync("sh", ["-c", printed], { cwd: tmpdir(), encoding: "utf8", env: { PATH: dirname(process.execPath) } })
    expect(pasted.status, pasted.stderr).toBe(0)
    expect(pasted.stdout.trim().split("\n").pop()).toBe("identical")
  })
})

describe("descent train --threads and replay --threads", () => {
  it("give the parameters of one thread, to the bit, for 2 and 3 threads; replay agrees on any count", () => {
    // 784-30-10: auto picks 2 threads where there are 2 cores; 1, 2 and 3 are asked for.
    const wide = ["--data", data.dir, "--layers", "784,30,10", "--eta", "1.0", "--seed", "3", "--epochs", "2", "--json"]
    const hashes = (threads: string) => {
      const out = join(temporary(`threads${threads}`), "run")
      const result = descent(["train", ...wide, "--threads", threads, "--out", out])
      expect(result.code, result.stderr).toBe(0)
      return { out, hashes: jsonLines(result.stdout).map((e) => e.paramsSha256) }
    }
    const one = hashes("1")
    expect(one.hashes).toHaveLength(2)
    expect(hashes("2").hashes).toEqual(one.hashes)
    const three = hashes("3")
    expect(three.hashes).toEqual(one.hashes)
    const replayed = descent(["replay", join(three.out, "run.json"), "--threads", "2"])
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(replayed.stderr).toMatch(/replayed on node \S+ on 2 threads/)
    expect(replayed.stdout.trim().split("\n").pop()).toBe("identical")
  })

  it("says how many threads a run uses, and refuses a count outside 1 to 64 in one line", () => {
    const out = join(temporary("threadsNote"), "run")
    const result = descent(["train", ...small, "--epochs", "1", "--threads", "2", "--out", out])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/^training 784-16-10 on .+, on 2 threads, into /m)
    for (const bad of ["0", "65"]) {
      const refused = descent(["train", ...small, "--threads", bad])
      expect(refused.code).toBe(2)
      expect(refused.stderr.trim()).toBe(`descent: --threads ${bad}: give 1 to 64 (see descent train --help)`)
    }
  })
})

describe("descent train --precision f32", () => {
  it("trains in single precision on any thread count, records it, replays it, and its model evaluates as train said", () => {
    const f32 = ["--data", data.dir, "--layers", "784,30,10", "--eta", "1.0", "--seed", "3", "--epochs", "2", "--json", "--precision", "f32"]
    const run = (threads: string) => {
      const out = join(temporary(`f32threads${threads}`), "run")
      const result = descent(["train", ...f32, "--threads", threads, "--out", out])
      expect(result.code, result.stderr).toBe(0)
      return { out, epochs: jsonLines(result.stdout) }
    }
    const one = run("1")
    const two = run("2")
    expect(two.epochs.map((e) => e.paramsSha256)).toEqual(one.epochs.map((e) => e.paramsSha256))
    // Not f64's run: the same flags without --precision give other parameters.
    const f64 = descent(["train", ...f32.slice(0, -2), "--out", join(temporary("f64twin"), "run")])
    expect(f64.code, f64.stderr).toBe(0)
    expect(jsonLines(f64.stdout).map((e) => e.paramsSha256)).not.toContain(one.epochs[1]!.paramsSha256)
    // Every parameter written is a float32, and the files say f32.
    const model = JSON.parse(readFileSync(join(one.out, "model.json"), "utf8"))
    expect(model.precision).toBe("f32")
    expect(model.params.every((p: number) => Math.fround(p) === p)).toBe(true)
    expect(JSON.parse(readFileSync(join(one.out, "run.json"), "utf8")).options.precision).toBe("f32")
    const replayed = descent(["replay", join(one.out, "run.json"), "--threads", "2"])
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(replayed.stdout.trim().split("\n").pop()).toBe("identical")
    const evaluated = descent(["eval", "--model", join(one.out, "model.json"), "--data", data.dir, "--json"])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(JSON.parse(evaluated.stdout).accuracy).toBe(one.epochs[1]!.testAccuracy)
  })

  it("says so when it starts, and refuses a precision it does not have", () => {
    const out = join(temporary("f32note"), "run")
    const noted = descent(["train", ...small, "--epochs", "1", "--precision", "f32", "--out", out])
    expect(noted.code, noted.stderr).toBe(0)
    expect(noted.stderr).toMatch(/^training 784-16-10 in f32 on /m)
    const refused = descent(["train", ...small, "--precision", "f16"])
    expect(refused.code).toBe(2)
    expect(refused.stderr.trim()).toBe("descent: --precision f16: give f64 or f32 (did you mean f64?)")
  })
})

describe("descent eval", () => {
  it("reports the accuracy train reported, and a confusion matrix", () => {
    const result = descent(["eval", "--model", join(runDir, "model.json"), "--data", data.dir, "--json"])
    expect(result.code, result.stderr).toBe(0)
    const [report] = jsonLines(result.stdout)
    expect(report!.accuracy).toBe(jsonLines(train.stdout)[2]!.testAccuracy)
    const confusion = report!.confusion as Array<Array<number>>
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(100)
    expect(confusion.map((row, i) => row[i]).reduce((a, b) => a! + b!, 0)).toBe(report!.correct)
    const text = descent(["eval", "--model", join(runDir, "model.json"), "--data", data.dir])
    expect(text.stdout).toContain("true\\said")
  })
})

describe("descent predict", () => {
  it("names the digit of a test image, with ten outputs", () => {
    const result = descent(["predict", "--model", join(runDir, "model.json"), "--data", data.dir, "--index", "3", "--json"])
    expect(result.code, result.stderr).toBe(0)
    const [answer] = jsonLines(result.stdout)
    expect(answer!.label).toBe(3)
    expect(answer!.outputs as Array<number>).toHaveLength(10)
    expect(answer!.digit).toBe(3)
  })

  it("gives the outputs the library's Evaluate gives for the same image, to the bit", () => {
    const model = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"))
    const network = Network.make({ sizes: model.layers, hidden: model.activation, output: model.output, cost: model.cost })
    const params = Params.fromArray(network.layout, model.params)
    const test = Dataset.make({ rows: 28, cols: 28, pixels: data.test.pixels, labels: data.test.labelValues })
    const outputs = Evaluate.outputs(network, params, test)
    for (const index of [0, 41]) {
      const result = descent(["predict", "--model", join(runDir, "model.json"), "--data", data.dir, "--index", String(index), "--json"])
      expect(jsonLines(result.stdout)[0]!.outputs).toEqual([...outputs.subarray(index * 10, (index + 1) * 10)])
    }
  })

  it("reads a PNG of any size, and draws the image in the terminal", () => {
    const index = 7
    const file = join(temporary("png"), "seven.png")
    writeFileSync(file, png(data.test.pixels.subarray(index * 784, (index + 1) * 784), 28, 28, 3))
    const result = descent(["predict", "--model", join(runDir, "model.json"), "--image", file])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/the network says: \d/)
    const lines = result.stdout.split("\n")
    const picture = lines.slice(lines.findIndex((l) => l.startsWith("┌")) + 1, lines.findIndex((l) => l.startsWith("└")))
    expect(picture).toHaveLength(28)
    expect(picture.every((line) => line.length === 2 + 56)).toBe(true)
    // The fixture's digits are a vertical and a horizontal bar: ink on most rows.
    expect(picture.filter((line) => /[^ │]/.test(line)).length).toBeGreaterThan(14)
  })
})

describe("descent replay", () => {
  it("says identical when every epoch's parameters match", () => {
    const result = descent(["replay", join(runDir, "run.json")])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim().split("\n").pop()).toBe("identical")
  })

  it("exits 1 naming the first epoch that differs", () => {
    const record = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"))
    record.epochs[1].paramsSha256 = "0".repeat(64)
    const tampered = join(temporary("tampered"), "run.json")
    writeFileSync(tampered, JSON.stringify(record))
    const result = descent(["replay", tampered])
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split("\n").pop()).toMatch(/^descent: epoch 2 differs: recorded 0{64}, replayed [0-9a-f]{64}$/)
  })
})

describe("descent train --data URL", () => {
  it("trains on MNIST-layout files a web server hands out, records the URL, and replays from it", async () => {
    const server = createServer((request, response) => {
      const name = (request.url ?? "").replace(/^\/mnist\//, "")
      const path = join(data.dir, name)
      if (!/^[\w.-]+$/.test(name) || !existsSync(path)) return void response.writeHead(404).end()
      response.writeHead(200).end(readFileSync(path))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist/`
      const out = join(temporary("url"), "run")
      const trained = await finished(start(["train", "--data", url, "--layers", "784,16,10", "--epochs", "1", "--json", "--out", out]))
      expect(trained.code, trained.stderr).toBe(0)
      const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"))
      expect(record.options.data).toEqual({ kind: "url", url })
      expect(record.data.trainImages.file).toBe("train-images-idx3-ubyte")
      const replayed = await finished(start(["replay", join(out, "run.json")]))
      expect(replayed.code, replayed.stderr).toBe(0)
      expect(replayed.stdout).toMatch(/identical\n$/)
    } finally {
      server.close()
    }
  })
})

describe("a run recorded with other numerics", () => {
  const tamper = (change: (record: Record<string, unknown>) => void) => {
    const record = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as Record<string, unknown>
    change(record)
    const file = join(temporary("numerics"), "run.json")
    writeFileSync(file, JSON.stringify(record))
    return file
  }

  it("is refused by replay in one line that says why and gives the command that re-records it", () => {
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")).numerics).toBe("wasm-libm-1")
    // descent 0.1 wrote no "numerics": it took exp and log from the engine.
    const old = tamper((record) => delete record.numerics)
    const result = descent(["replay", old])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    const lines = result.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`descent: ${old}: this run was made with engine-dependent numerics`)
    const command = `descent train --data ${data.dir} --layers 784,16,10 --eta 1 --epochs 3 --seed 7`
    expect(lines[0]!.endsWith(`re-record the run with: ${command}`), lines[0]).toBe(true)
    // The command it gives trains the same run: the same hashes as the record.
    const again = descent([...command.split(" ").slice(1), "--json", "--out", join(temporary("rerecorded"), "run")])
    expect(again.code, again.stderr).toBe(0)
    expect(jsonLines(again.stdout).map((e) => e.paramsSha256)).toEqual(jsonLines(train.stdout).map((e) => e.paramsSha256))
  })

  it("names numerics it does not know", () => {
    const result = descent(["replay", tamper((record) => (record.numerics = "wasm-libm-0"))])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/made with the numerics "wasm-libm-0", and this descent computes with "wasm-libm-1"/)
  })
})

