// The library bundles for a browser: core and data (everything but the Node-only NodeMnist)
// need nothing of Node's. esbuild, told the platform is a browser, refuses any `node:` import
// it cannot resolve; the test also reads the output for one.
import { build } from "esbuild"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

const bundle = (contents: string) =>
  build({
    stdin: { contents, resolveDir: resolve(import.meta.dirname), loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["@descent/source"],
    metafile: true,
    logLevel: "silent"
  })

describe("a browser bundle", () => {
  it("of @descent/core and @descent/data has no node: import", async () => {
    const result = await bundle('export * from "@descent/core"\nexport * from "@descent/data"')
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((file) => file.endsWith("packages/data/src/Mnist.ts"))).toBe(true)
    expect(inputs.some((file) => file.endsWith("packages/core/src/Numerics.ts"))).toBe(true)
    expect(result.outputFiles[0]!.text).not.toMatch(/["']node:/)
  })

  it("fails for a module that needs Node (so the check above can fail)", async () => {
    await expect(bundle('export * from "@descent/data/NodeMnist"')).rejects.toThrow(/node:/)
  })
})
