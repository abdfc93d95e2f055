// Nothing in descent's sources computes an elementary function with the engine's Math (whose
// last bits differ between engines): they go through core's Numerics, which computes the same
// bits everywhere. And nothing in the core reads the clock or Math.random: every random number
// comes from a seeded Rng.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "..")

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".wasm.ts") ? [path] : []
  })

const sourceDirs = (group: "packages" | "apps") =>
  readdirSync(join(root, group)).map((name) => join(root, group, name, "src"))

/** The code of a TypeScript file without its comments, line by line (strings are kept). */
const code = (text: string): Array<string> =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .split("\n")
    .map((line) => line.replace(/(^|\s)\/\/.*$/, "$1"))

const offences = (files: ReadonlyArray<string>, pattern: RegExp): Array<string> =>
  files.flatMap((file) =>
    code(readFileSync(file, "utf8")).flatMap((line, i) => (pattern.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : []))
  )

// Every function ECMAScript leaves "implementation-approximated", and the ** operator (Math.pow).
const engineMath = /\bMath\.(exp|expm1|log|log1p|log2|log10|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|cbrt|hypot|pow)\b|\*\*/

describe("the engine's Math", () => {
  const all = [...sourceDirs("packages"), ...sourceDirs("apps")].flatMap((dir) => sources(dir))

  it("reads the sources it checks", () => {
    expect(all.some((file) => file.endsWith(join("core", "src", "Activation.ts")))).toBe(true)
    expect(all.some((file) => file.endsWith(join("files", "src", "TrainingOptions.ts")))).toBe(true)
    expect(all.some((file) => file.endsWith(join("files", "src", "Training.ts")))).toBe(true)
    expect(all.some((file) => file.endsWith(join("cli", "src", "TrainRun.ts")))).toBe(true)
    // The page, which trains in a browser worker: its sources are checked too.
    expect(all.some((file) => file.endsWith(join("web", "src", "worker.ts")))).toBe(true)
    // The check sees what it looks for: in code it is refused, in a comment it is not.
    const dir = mkdtempSync(join(tmpdir(), "descent-engine-math-"))
    const sample = join(dir, "Sample.ts")
    writeFileSync(sample, [
      "/** e^x by Math.exp(x), and 2 ** 10 */",
      "const a = Math.exp(1) // Math.log here is a comment",
      "const b = 2 ** 10",
      'const url = "https://example.com" // Math.sin(1)',
      "const c = Math.sqrt(2) * Math.max(1, 2)"
    ].join("\n"))
    expect(offences([sample], engineMath).map((line) => line.replace(/^.*?:/, ""))).toEqual([
      "2: const a = Math.exp(1)",
      "3: const b = 2 ** 10"
    ])
    rmSync(dir, { recursive: true })
  })

  it("computes no exp, log, sin, cos, pow (or any other implementation-approximated function) outside Numerics", () => {
    expect(offences(all, engineMath)).toEqual([])
  })

  it("is not asked for randomness or the time inside core", () => {
    const core = [...sources(join(root, "packages", "core", "src")), ...sources(join(root, "packages", "kernels", "src"))]
    expect(offences(core, /\bMath\.random\b|\bDate\b|\bperformance\.now\b/)).toEqual([])
  })
})
