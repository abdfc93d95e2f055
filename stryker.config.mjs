// Mutation testing (`pnpm mutate [core|data|files]`): StrykerJS changes one thing at a time in a
// package's sources — a `<` into `<=`, a `&&` into `||`, a constant, a removed call — and runs
// that package's own tests against each change; a change no test notices "survives". See the
// README's "Mutation testing" for the scores and what survives. StrykerJS lives in
// test/mutation (installed by `pnpm mutate`, never by the first command).
//
// The package is chosen by DESCENT_MUTATE (test/mutation/run.mjs sets it). Its tests import the
// TypeScript sources (the "@descent/source" condition), so every mutant is seen without a build.
// Each package's sources, but its index (re-exports only); its tests: test/mutation/vitest.config.ts.
const packages = {
  core: ["packages/core/src/**/*.ts", "!packages/core/src/index.ts"],
  data: ["packages/data/src/**/*.ts", "!packages/data/src/index.ts"],
  files: ["packages/files/src/**/*.ts", "!packages/files/src/index.ts"]
}
const name = process.env.DESCENT_MUTATE ?? "data"
const chosen = packages[name]
if (chosen === undefined) throw new Error(`DESCENT_MUTATE=${name}: choose one of ${Object.keys(packages).join(", ")}`)

export default {
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  mutate: chosen,
  coverageAnalysis: "perTest",
  // A mutant in code that runs when a module loads (a constant, a table) would need every test
  // run again for it; those are left out of the score and counted as ignored.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: ["runs", "reports", "test/engines/node_modules", "apps/web/dist", ".stryker-tmp"],
  plugins: ["@stryker-mutator/vitest-runner"]
}
