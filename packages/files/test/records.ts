// Files as descent writes them, as plain JSON values to damage one field at a time.
import { TrainingOptions } from "@descent/files"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const folder = () => mkdtempSync(join(tmpdir(), "descent-records-"))

/** `content` (JSON text, or a value to stringify) as the file `name` in a fresh folder. */
export const fileOf = (name: string, content: unknown): string => {
  const path = join(folder(), name)
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content))
  return path
}

const fingerprint = { file: "train-images-idx3-ubyte", sha256: "0".repeat(64) }

export const data = { trainImages: fingerprint, trainLabels: fingerprint, testImages: fingerprint, testLabels: fingerprint }

export const metrics = (epoch: number) => ({
  epoch,
  trainCost: 0.25,
  testAccuracy: 0.9,
  testCost: 0.05,
  seconds: 1.5,
  paramsSha256: "ab".repeat(32)
})

export const options = { ...TrainingOptions.defaults, layers: [784, 16, 10], epochs: 3 }

export const runRecord = (epochs = 3) => ({
  format: "descent-run",
  version: 1,
  status: "complete",
  options,
  numerics: "wasm-libm-1",
  data,
  epochs: Array.from({ length: epochs }, (_, i) => metrics(i + 1)),
  environment: { engine: "node v20.20.2", node: "v20.20.2", platform: "linux-x64", packages: { "@descent/core": "0.3.0" } }
})

/** 784-16-10: 12,730 parameters, each 0.5, as float64 little-endian bytes in base64. */
export const params = Buffer.from(new Float64Array(12_730).fill(0.5).buffer).toString("base64")

export const checkpoint = (epochs = 2) => ({
  format: "descent-checkpoint",
  version: 1,
  options,
  numerics: "wasm-libm-1",
  data,
  epochs: Array.from({ length: epochs }, (_, i) => metrics(i + 1)),
  params,
  rng: [-1, 7, 123456789, -2147483648]
})
