// network2's JSON in and out: the text is what Python's json.dump writes for network2's save()
// (checked against CPython's own output, pasted below), a model reads back bit for bit, and a
// file that is not network2's fails with one line naming the field.
import { Network, Params, Rng } from "@descent/core"
import { ModelFile, NielsenModel } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pythonFloat } from "../src/internal/python.js"
import { refusal } from "./conversion.js"

const folder = () => mkdtempSync(join(tmpdir(), "descent-nielsen-"))

// Doubles (big-endian hex) and how CPython 3.12 spells them, from
// `print('["%s", "%s"],' % (struct.pack('>d', x).hex(), repr(x)))`.
const cpython: ReadonlyArray<readonly [string, string]> = [
  ["0000000000000000", "0.0"],
  ["8000000000000000", "-0.0"],
  ["3ff0000000000000", "1.0"],
  ["c004000000000000", "-2.5"],
  ["3ee4f8b588e368f1", "1e-05"],
  ["beef75104d551d69", "-1.5e-05"],
  ["3f1a36e2eb1c432d", "0.0001"],
  ["3f202e4b6ce5dc68", "0.00012345"],
  ["4341c37937e08000", "1e+16"],
  ["c34aa535d3d0c000", "-1.5e+16"],
  ["430c6bf526340000", "1000000000000000.0"],
  ["42dc12218377de66", "123456789012345.6"],
  ["4341c37937e07fff", "9999999999999998.0"],
  ["0000000000000001", "5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["3fb999999999999a", "0.1"],
  ["3fd5555555555555", "0.3333333333333333"],
  ["81a56e1fc2f8f359", "-1e-300"],
  ["43b0000000000000", "1.152921504606847e+18"],
  ["4480f0cf064dd592", "1e+22"],
  ["40c81c8000000000", "12345.0"],
  ["0010000000000000", "2.2250738585072014e-308"],
  ["3ff0000000000001", "1.0000000000000002"],
  ["3fd3333333333334", "0.30000000000000004"],
  ["4059000000000000", "100.0"],
  ["3f1a36e2eb1c432c", "9.999999999999999e-05"],
  ["c37b2e0c2e584efa", "-1.2240726757139651e+17"],
  ["414ccec4fdd377b5", "3775881.983015979"],
  ["bfc8036c1f7af2fc", "-0.1876044419967896"],
  ["3f77fe4654d64d60", "0.005857729656230631"],
  ["4255fa554538e5b4", "377576821987.5891"],
  ["3edd9bd7d7db53f1", "7.059279025963144e-06"],
  ["41f1a93bd2ce7527", "4740857132.903602"],
  ["3ea2e32d35fed176", "5.628886405790887e-07"],
  ["c274d2faf44f1846", "-1431024125169.517"]
]
const double = (hex: string) => new DataView(Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16)).buffer).getFloat64(0)

// A 2-3-2 network, and `json.dumps` of network2's save() dictionary for it (CPython 3.12).
const tiny = Network.make({ sizes: [2, 3, 2], cost: "cross-entropy" })
const tinyParams = Params.fromArray(tiny.layout, [0.1, -2.5e-05, 1e16, 3.0, -0.0, 0.5, 0.25, -1.0, 7e-06, 1.0, 2.0, -3.25, 1e-07, 0.3333333333333333, 12345.678, 0.0, -0.1])
const tinyText =
  `{"sizes": [2, 3, 2], "weights": [[[0.1, -2.5e-05], [1e+16, 3.0], [-0.0, 0.5]], [[1.0, 2.0, -3.25], [1e-07, 0.3333333333333333, 12345.678]]], "biases": [[[0.25], [-1.0], [7e-06]], [[0.0], [-0.1]]], "cost": "CrossEntropyCost"}`


describe("NielsenModel", () => {
  it("spells every float as CPython's repr does", () => {
    for (const [hex, repr] of cpython) expect(pythonFloat(double(hex))).toBe(repr)
  })

  it.effect("writes exactly the text json.dump writes for network2's save()", () =>
    Effect.gen(function* () {
      expect(yield* NielsenModel.encode({ network: tiny, params: tinyParams }, "model.json")).toBe(tinyText)
      const path = join(folder(), "network2.json")
      yield* NielsenModel.write(path, { network: tiny, params: tinyParams })
      expect(readFileSync(path, "utf8")).toBe(tinyText)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("reads network2's text back as the same network, bit for bit (-0.0 too)", () =>
    Effect.gen(function* () {
      const back = yield* NielsenModel.decode(tinyText, "network2.json")
      expect(Params.equals(back.params, tinyParams)).toBe(true)
      expect(Object.is(back.params.vector[4], -0)).toBe(true)
      expect([back.network.hidden.name, back.network.output.name, back.network.cost.name, back.network.precision]).toEqual(["sigmoid", "sigmoid", "cross-entropy", "f64"])
    }))

  it.effect("a 784-30-10 network makes the round trip with every bit, and its folder holds nothing else", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [784, 30, 10] })
      const [params] = Params.init(network.layout, Rng.make(9))
      const dir = folder()
      yield* NielsenModel.write(join(dir, "net.json"), { network, params })
      const back = yield* NielsenModel.read(join(dir, "net.json"))
      expect(Params.equals(back.params, params)).toBe(true)
      expect(back.network.cost.name).toBe("quadratic")
      expect(readdirSync(dir)).toEqual(["net.json"])
      const parsed = JSON.parse(readFileSync(join(dir, "net.json"), "utf8"))
      expect(parsed.sizes).toEqual([784, 30, 10])
      expect(parsed.weights[0]).toHaveLength(30)
      expect(parsed.weights[0][0]).toHaveLength(784)
      expect(parsed.biases[1]).toHaveLength(10)
      expect(parsed.biases[1][0]).toHaveLength(1)
      expect(parsed.cost).toBe("QuadraticCost")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses networks network2 cannot hold, naming the model and what to do, and writes nothing", () =>
    Effect.gen(function* () {
      const dir = folder()
      for (const [hidden, output, cost] of [["relu", "sigmoid", "quadratic"], ["sigmoid", "softmax", "cross-entropy"], ["sigmoid", "relu", "quadratic"]] as const) {
        const network = Network.make({ sizes: [784, 16, 10], hidden, output, cost })
        const [params] = Params.init(network.layout, Rng.make(1))
        const message = yield* refusal(NielsenModel.write(join(dir, "out.json"), { network, params }, "/runs/a/model.json"))
        expect(message).toMatch(/^\/runs\/a\/model\.json: has .*(relu|softmax).*network2's layers are all sigmoid; export it as onnx or tfjs instead$/)
      }
      expect(readdirSync(dir)).toEqual([])
      // With no hidden layer, only the output's activation matters.
      const flat = Network.make({ sizes: [784, 10], hidden: "relu" })
      expect(NielsenModel.unfit({ network: flat, params: Params.init(flat.layout, Rng.make(1))[0] })).toBeUndefined()
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a file that is not network2's fails with one line naming the field", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [tinyText.replace('"cost": "CrossEntropyCost"', '"cost": "LogLikelihoodCost"'), /field "cost": expected "QuadraticCost" or "CrossEntropyCost", found "LogLikelihoodCost"/],
        [tinyText.replace(', "cost": "CrossEntropyCost"', ""), /field "cost" is missing/],
        [tinyText.replace("[2, 3, 2]", "[2, 3, 3]"), /field "weights\[1\]": expected 3 rows \(sizes\[2\]\), found a list of 2/],
        [tinyText.replace("[1e+16, 3.0]", "[1e+16]"), /field "weights\[0\]\[1\]": expected a row of 2 weights \(sizes\[0\]\), found a list of 1/],
        [tinyText.replace("[[0.25], [-1.0], [7e-06]]", "[0.25, -1.0, 7e-06]"), /field "biases\[0\]\[0\]": expected a one-element row \[b\], as numpy writes a column, found a number/],
        [tinyText.replace("3.0]", "NaN]"), /not valid JSON .*it holds NaN or Infinity, so the network it saved had diverged/],
        [tinyText.replace("3.0]", '"3.0"]'), /field "weights\[0\]\[1\]\[1\]": expected a finite number, found a string/],
        [tinyText.replace("3.0]", "1e999]"), /field "weights\[0\]\[1\]\[1\]": expected a finite number, found Infinity/],
        [tinyText.replace('"sizes": [2, 3, 2]', '"sizes": [2]'), /field "sizes": expected a list of at least 2 layer sizes/],
        [tinyText.slice(0, 100), /not valid JSON/],
        ["[1, 2]", /expected network2's object of "sizes", "weights", "biases" and "cost", found a list of 2/],
        ["[".repeat(100), /nests more than 64 levels/]
      ]
      for (const [text, pattern] of cases) expect(yield* refusal(NielsenModel.decode(text, "/data/net.json"))).toMatch(pattern)
      const path = join(folder(), "net.json")
      writeFileSync(path, tinyText.replace("0.5]", "NaN]"))
      expect(yield* refusal(NielsenModel.read(path))).toMatch(new RegExp(`^${path}: not valid JSON`))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("the model read is one descent's files keep: it writes and reads back as model.json", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, yield* NielsenModel.decode(tinyText, "n.json"))
      expect(Params.equals((yield* ModelFile.read(path)).params, tinyParams)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))
})
