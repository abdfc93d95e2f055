// Mutation testing (`pnpm mutate [core|data|files]`): StrykerJS changes one thing at a time in a
// package's sources — a `<` into `<=`, a `&&` into `||`, a constant, a removed call — and runs
// that package's own tests against each change; a change no test notices "survives". See the
// README's "Mutation testing" for the scores and what survives. StrykerJS lives in
// test/mutation (installed by `pnpm mutate`, never by the first command).
//
// The package is DESCENT_MUTATE's (test/mutation/run.mjs sets it, from the names it knows): its
// sources but its index (re-exports only), against its own tests (test/mutation/vitest.config.ts),
// which import the TypeScript sources, so every mutant is seen without a build.
const name = process.env.DESCENT_MUTATE ?? "data"

export default {
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  mutate: [`packages/${name}/src/**/*.ts`, `!packages/${name}/src/index.ts`],
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
