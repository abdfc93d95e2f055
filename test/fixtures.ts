// A tiny MNIST-shaped dataset written by the tests, and a way to run the built CLI.
import { Idx } from "@descent/data"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { PNG } from "pngjs"
import { expect } from "vitest"

export const cliPath = resolve(import.meta.dirname, "../apps/cli/dist/descent.mjs")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** The process's peak resident set size, in MB (undefined when it did not exit normally). */
  readonly peakRssMb?: number | undefined
}

const rssPreload = pathToFileURL(resolve(import.meta.dirname, "rss-preload.mjs")).href
let measured = 0

/** Runs the built `descent` command and waits for it; measures its peak RSS. */
export const descent = (args: ReadonlyArray<string>, cwd?: string): Result => {
  const rssFile = join(tmpdir(), `descent-rss-${process.pid}-${measured++}`)
  const result = spawnSync(process.execPath, ["--import", rssPreload, cliPath, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, NO_COLOR: "1", DESCENT_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024
  })
  const peakRssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : undefined
  rmSync(rssFile, { force: true })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, peakRssMb }
}

/**
 * Runs the built `descent` command without blocking, measuring its peak RSS; with `killAfterMs`
 * it is killed (SIGKILL) that long after it starts, unless it has finished by then.
 */
export const descentAsync = (
  args: ReadonlyArray<string>,
  killAfterMs?: number,
  cwd?: string
): Promise<Result & { readonly killed: boolean }> =>
  new Promise((done) => {
    const rssFile = join(tmpdir(), `descent-rss-${process.pid}-${measured++}`)
    const child = spawn(process.execPath, ["--import", rssPreload, cliPath, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DESCENT_RSS_FILE: rssFile }
    })
    let stdout = ""
    let stderr = ""
    let killed = false
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill("SIGKILL")), killAfterMs)
    child.on("close", (code) => {
      clearTimeout(timer)
      const peakRssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : undefined
      rmSync(rssFile, { force: true })
      done({ code, stdout, stderr, peakRssMb, killed: killed && code === null })
    })
  })

/** Starts the built `descent` command without waiting. */
export const start = (args: ReadonlyArray<string>) =>
  spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } })

/** What a command started with `start` printed, once it has exited. */
export const finished = (child: ReturnType<typeof start>): Promise<Result> =>
  new Promise((resolve) => {
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/**
 * Starts the built `descent` command, sends it SIGINT (Ctrl-C) once it has printed its first
 * line on stdout, and reports how it ended.
 */
export const interruptedAfterFirstLine = async (args: ReadonlyArray<string>): Promise<Result> => {
  const child = start(args)
  const ended = finished(child)
  await new Promise<void>((firstLine) => {
    let stdout = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      if (stdout.includes("\n")) firstLine()
    })
  })
  child.kill("SIGINT")
  return ended
}

export const temporary = (prefix: string): string => mkdtempSync(join(tmpdir(), `descent-${prefix}-`))

/**
 * Digit d drawn as a 28×28 image: a bright vertical bar at column 4 + 2d and a horizontal bar
 * at row 4 + 2d, on seeded noise. Easy to learn; shaped like MNIST.
 */
const digitImage = (digit: number, noise: () => number): Uint8Array => {
  const pixels = new Uint8Array(784)
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const bar = x === 4 + 2 * digit || y === 4 + 2 * digit
      pixels[y * 28 + x] = bar ? 200 + Math.floor(noise() * 55) : Math.floor(noise() * 40)
    }
  }
  return pixels
}

// A small linear congruential generator: the fixture needs only repeatable noise.
const lcg = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const set = (count: number, seed: number, pureNoise = false) => {
  const noise = lcg(seed)
  const pixels = new Uint8Array(count * 784)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const digit = i % 10
    labels[i] = digit
    pixels.set(pureNoise ? Uint8Array.from({ length: 784 }, () => Math.floor(noise() * 256)) : digitImage(digit, noise), i * 784)
  }
  return {
    images: Idx.encode({ type: "u8", dims: [count, 28, 28], values: pixels }),
    labels: Idx.encode({ type: "u8", dims: [count], values: labels }),
    pixels,
    labelValues: labels
  }
}

/**
 * A folder in MNIST's layout with `train` training and `test` test images: the bar digits, or
 * with `pureNoise` images of random pixels (nothing to learn but the labels themselves).
 */
export const tinyMnist = (train = 400, test = 100, pureNoise = false) => {
  const dir = temporary("data")
  mkdirSync(dir, { recursive: true })
  const a = set(train, 1, pureNoise)
  const b = set(test, 2, pureNoise)
  writeFileSync(join(dir, "train-images-idx3-ubyte"), a.images)
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), a.labels)
  writeFileSync(join(dir, "t10k-images-idx3-ubyte"), b.images)
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), b.labels)
  return { dir, test: b }
}

/** A PNG of `pixels` (rows × cols grey ink), drawn dark on white and enlarged `scale` times. */
export const png = (pixels: Uint8Array, rows: number, cols: number, scale: number): Buffer => {
  const image = new PNG({ width: cols * scale, height: rows * scale })
  for (let y = 0; y < rows * scale; y++) {
    for (let x = 0; x < cols * scale; x++) {
      const ink = pixels[Math.floor(y / scale) * cols + Math.floor(x / scale)]!
      const i = 4 * (y * cols * scale + x)
      image.data[i] = image.data[i + 1] = image.data[i + 2] = 255 - ink
      image.data[i + 3] = 255
    }
  }
  return PNG.sync.write(image)
}

/** The JSON lines of a command's stdout. */
export const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout.trim().split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))

/** stderr is one line, `descent: …`, matching `pattern`, with no stack trace or raw value in it. */
export const expectOneErrorLine = (stderr: string, pattern: RegExp): void => {
  expect(stderr.trim().split("\n")).toHaveLength(1)
  expect(stderr).toMatch(/^descent: /)
  expect(stderr).toMatch(pattern)
  expect(stderr).not.toMatch(/\s+at .*:\d+|_tag|\{"/)
}

/** CRC-32 as PNG defines it, written out here as a reference independent of the code tested. */
export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (const byte of bytes) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}
