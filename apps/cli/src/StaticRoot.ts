/**
 * The page's folder — `dist/` of `@descent/web`, its built static site (index.html, main.js,
 * worker.js, style.css, mnist/*.gz) — found beside descent's own code, and the files inside it
 * that a request may read: a path's real location (every symbolic link followed) must still be
 * inside the folder's real location, so neither a link nor a name leads out of it.
 *
 * Not for: checking the request's path itself (see `RequestTarget`, which runs first), or the
 * files outside the page that `descent serve` also serves (a model, runs, a data folder: see
 * `Site`, which lists them one by one).
 *
 * @since 0.3.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { createRequire } from "node:module"
import { ServeFailure } from "./ServeFailure.js"

/**
 * Where the page's folder should be: `dist/` beside `@descent/web`'s package.json, resolved
 * from this module (in the bundle, from `dist/descent.mjs`), as pnpm lets a package resolve
 * only what it declares.
 *
 * @since 0.3.0
 * @category locating
 */
export const expected = (): Effect.Effect<string, ServeFailure, Path.Path> =>
  Effect.flatMap(Path.Path, (path) =>
    Effect.try({
      try: () => path.join(path.dirname(createRequire(import.meta.url).resolve("@descent/web/package.json")), "dist"),
      catch: () => new ServeFailure({ reason: "PageNotBuilt", where: "the package @descent/web", detail: "it is not installed beside descent" })
    })
  )

/**
 * The real location of the page's folder `root`, once it is known to hold the page
 * (`index.html`); else a failure that says to build it.
 *
 * @since 0.3.0
 * @category locating
 */
export const open = (root: string): Effect.Effect<string, ServeFailure, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const index = path.join(root, "index.html")
    const info = yield* Effect.option(fs.stat(index))
    if (Option.isNone(info) || info.value.type !== "File") return yield* new ServeFailure({ reason: "PageNotBuilt", where: index })
    return yield* fs.realPath(root).pipe(Effect.mapError(() => new ServeFailure({ reason: "PageNotBuilt", where: root })))
  })

/**
 * The real path of the file that `segments` (checked by `RequestTarget`) name inside `root`
 * (a real path, from `open`), or `None` when there is nothing there or it lies outside.
 *
 * @since 0.3.0
 * @category resolving
 */
export const resolve = (
  root: string,
  segments: ReadonlyArray<string>
): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const real = yield* Effect.option(fs.realPath(path.join(root, ...segments)))
    return Option.filter(real, (found) => found.startsWith(root + path.sep))
  })
