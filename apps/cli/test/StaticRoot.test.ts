// The files of the page's folder a request may reach: links are followed, and only what is
// really inside is kept (the path itself is checked before, by RequestTarget).
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as StaticRoot from "../src/StaticRoot.js"

describe("StaticRoot", () => {
  // A page's folder with a file, a link to it, and links to a file and a folder outside.
  const base = realpathSync(mkdtempSync(join(tmpdir(), "descent-static-")))
  const root = join(base, "dist")
  mkdirSync(join(root, "sub"), { recursive: true })
  mkdirSync(join(base, "elsewhere"))
  writeFileSync(join(root, "index.html"), "<!doctype html>")
  writeFileSync(join(root, "sub", "inside.js"), "")
  writeFileSync(join(base, "secret.txt"), "secret")
  writeFileSync(join(base, "elsewhere", "x.js"), "")
  symlinkSync(join(root, "sub", "inside.js"), join(root, "link-in.js"))
  symlinkSync(join(base, "secret.txt"), join(root, "link-out.txt"))
  symlinkSync(join(base, "elsewhere"), join(root, "folder-out"))
  symlinkSync(join(base, "dist-sibling"), join(root, "dangling"))

  const resolve = (segments: ReadonlyArray<string>) => Effect.runPromise(StaticRoot.resolve(root, segments).pipe(Effect.provide(NodeContext.layer)))

  it("finds a file inside, through a link that stays inside", async () => {
    expect(await resolve(["sub", "inside.js"])).toEqual(Option.some(join(root, "sub", "inside.js")))
    expect(await resolve(["link-in.js"])).toEqual(Option.some(join(root, "sub", "inside.js")))
  })

  it("follows no link out of the folder, and finds nothing where nothing is", async () => {
    for (const segments of [["link-out.txt"], ["folder-out", "x.js"], ["dangling"], ["missing.js"], ["index.html", "x"]]) {
      expect(await resolve(segments), segments.join("/")).toEqual(Option.none())
    }
  })

  it("opens a folder that holds the page, and refuses one that does not, saying to build it", async () => {
    expect(await Effect.runPromise(StaticRoot.open(root).pipe(Effect.provide(NodeContext.layer)))).toBe(root)
    const failure = await Effect.runPromise(Effect.flip(StaticRoot.open(join(base, "elsewhere"))).pipe(Effect.provide(NodeContext.layer)))
    expect(failure.message).toMatch(/^the page is not built: .*elsewhere\/index\.html is missing; build it with: npx -y pnpm@10 build/)
  })
})
