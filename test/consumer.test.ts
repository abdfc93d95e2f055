// descent as a stranger gets it: each package packed by pnpm (as it would be published),
// installed into a fresh project with plain npm — nothing else, no overrides — and used by a
// program there (test/consumer/program.ts), type-checked under NodeNext and under Bundler
// resolution and then run; the `descent` CLI reads the model it saved.
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliPath, jsonLines, temporary } from "./fixtures.js"

const root = resolve(import.meta.dirname, "..")
const published = ["kernels", "core", "data", "files"]
// The versions the workspace's lockfile pins, for the consumer's own dependencies.
const peers = ["effect@3.22.4", "@effect/platform@0.97.2", "@effect/platform-node@0.108.2", "@types/node@20"]

const run = (command: string, args: ReadonlyArray<string>, cwd: string) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed: ${result.stderr || result.stdout}`)
  return result.stdout
}
const listing = (tarball: string) => run("tar", ["tzf", tarball], root).trim().split("\n")

let dir: string
let tarballs: Record<string, string>
let project: string

beforeAll(() => {
  dir = temporary("consumer")
  const packs = join(dir, "packs")
  for (const name of published) run("npx", ["-y", "pnpm@10", "pack", "--pack-destination", packs], join(root, "packages", name))
  tarballs = Object.fromEntries(published.map((name) => [name, join(packs, `descent-${name}-0.3.0.tgz`)]))
  project = join(dir, "project")
  run("mkdir", ["-p", project], dir)
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  for (const file of ["program.ts", "tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
    copyFileSync(join(root, "test", "consumer", file), join(project, file))
  }
  run("npm", ["install", "--no-audit", "--no-fund", ...Object.values(tarballs), ...peers], project)
}, 240_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the packed packages", () => {
  it.each(published)("@descent/%s holds built code, its types, a README and the LICENSE — no tests, build scripts or build info", (name) => {
    const files = listing(tarballs[name]!)
    expect(files).toEqual(expect.arrayContaining(["package/package.json", "package/README.md", "package/LICENSE", "package/dist/index.js", "package/dist/index.d.ts"]))
    expect(files.filter((file) => /test|\.tsbuildinfo|build\.mjs|assembly\//.test(file))).toEqual([])
    // effect and @effect/* are the program's own (peers), never a second copy of descent's.
    const manifest = JSON.parse(run("tar", ["xzf", tarballs[name]!, "-O", "package/package.json"], root)) as Record<string, Record<string, string>>
    expect(Object.keys(manifest.dependencies ?? {}).filter((dep) => /^effect$|^@effect\//.test(dep))).toEqual([])
    expect(JSON.stringify(manifest)).not.toContain("workspace:")
    expect(JSON.stringify(manifest.exports)).not.toContain("@descent/source")
  })

  it("install with npm into a fresh project, with one copy of effect: the project's", () => {
    expect(readdirSync(join(project, "node_modules", "@descent")).sort()).toEqual(["core", "data", "files", "kernels"])
    for (const name of published) expect(existsSync(join(project, "node_modules", "@descent", name, "node_modules", "effect"))).toBe(false)
    const tree = JSON.parse(run("npm", ["ls", "effect", "--all", "--json"], project)) as object
    const versions = new Set(JSON.stringify(tree).match(/"version":"3\.[0-9.]+"/g))
    expect([...versions]).toEqual(['"version":"3.22.4"'])
  })

  it.each(["nodenext", "bundler"])("type-check a program that uses them under %s module resolution", (resolution) => {
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", `tsconfig.${resolution}.json`], project)
  })

  it("run it: it trains, saves a model and loads it back bit for bit, and `descent eval` reads that file", () => {
    const model = join(project, "model.json")
    const printed = jsonLines(run(process.execPath, [join(project, "out", "program.js"), model], project))[0]!
    expect(printed.identical).toBe(true)
    expect(printed.travelled).toEqual({ onnx: true, nielsen: true })
    expect(printed.accuracy).toBeGreaterThan(0.3) // 300 mini-batches learn something
    const evaluated = spawnSync(process.execPath, [cliPath, "eval", "--model", model, "--json"], { encoding: "utf8" })
    expect(evaluated.status, evaluated.stderr).toBe(0)
    expect(jsonLines(evaluated.stdout)[0]!.accuracy).toBe(printed.accuracy)
  })
})
