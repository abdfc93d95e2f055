// Mutation testing (`pnpm mutate [core|data|files|PART …]`): StrykerJS changes one thing at a
// time in a package's sources — a `<` into `<=`, a `&&` into `||`, a constant, a removed call —
// and runs that package's own tests against each change; a change no test notices "survives".
// See the README's "Mutation testing" for the scores and what survives. StrykerJS lives in
// test/mutation (installed by `pnpm mutate`, never by the first command).
//
// A package is mutated in parts, each a run of its own with its own report, small enough to
// finish in about an hour on 2 cores (core:fold, the longest, took 80 minutes): DESCENT_MUTATE
// names the part (test/mutation/run.mjs sets it). A part's sources are mutated against its
// package's own tests (test/mutation/vitest.config.ts), which import the TypeScript sources, so
// every mutant is seen without a build. Between them a package's parts hold every source file
// but its index (re-exports only); run.mjs checks that.

/** Each part of a package: the source files it mutates (globs under `packages/<package>/src/`). */
export const parts = {
  // Core's maths and the values it computes with: layout, parameters, activations, costs,
  // feedforward, backprop, batches, evaluation, the generator, the reference implementation.
  "core:maths": [
    "{Activation,Backprop,Batches,Chapter,Cost,Dataset,Evaluate,Feedforward,Gradient,Layout,Memory,Network,Numerics,Params,Precision,Reference,Rng,Saturation,Vector}.ts",
    "internal/{cost,reference,vector}.ts"
  ],
  // Core's fold: descent, the optimisers, augmentation, threads, and the workspace in
  // WebAssembly memory that the kernels work in.
  "core:fold": ["{Augment,Descent,NodeThreads,Optimizer,Threads}.ts", "internal/{kernels,workspace}.ts"],
  // Data's parsing: IDX headers and bodies, gzip, MNIST's pairing and checks.
  "data:parsing": ["{Gzip,IdxFormat,Mnist}.ts"],
  // Data's files and their errors: opening, reading and fingerprinting IDX files, over Node or HTTP.
  "data:files": ["{Digit,Idx,IdxError,IdxFile,MnistError,NodeMnist,Sha256}.ts", "internal/*.ts"],
  // The files a run writes and reads back, and the run itself: the CLI's file, checkpoint and
  // training modules.
  "files:runs": [
    "{AtomicFile,BoundedFile,Checkpoint,FileError,JsonFile,ModelFile,RunRecord,Training,TrainingOptions}.ts",
    "internal/{describe,epochs}.ts"
  ],
  // Models for other tools: ONNX, TF.js, network2 JSON.
  "files:exchange": ["{ConversionError,NielsenModel,OnnxModel,Provenance,TfjsModel}.ts", "internal/python.ts"]
}

/** The parts of package `name`. */
export const partsOf = (name) => Object.keys(parts).filter((part) => part.startsWith(`${name}:`))

/** Where a part's reports go, without the extension: `reports/mutation/core-maths`. */
export const reportOf = (part) => `reports/mutation/${part.replace(":", "-")}`

const part = process.env.DESCENT_MUTATE ?? "data:parsing"
const [name] = part.split(":")
const report = reportOf(part)

export default {
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  mutate: parts[part].map((glob) => `packages/${name}/src/${glob}`),
  coverageAnalysis: "perTest",
  // A mutant in code that runs when a module loads (a constant, a table) would need every test
  // run again for it; those are left out of the score and counted as ignored.
  ignoreStatic: true,
  concurrency: 2,
  // Added to 1.5× a test's own time: a mutant that loops forever (a wasm wait never woken) costs this.
  timeoutMS: 20_000,
  // A run reuses the last one's results wherever neither the code nor the tests covering it
  // changed (the file is kept with the reports), so after new tests only what they touch runs.
  incremental: true,
  incrementalFile: `${report}.incremental.json`,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: `${report}.json` },
  htmlReporter: { fileName: `${report}.html` },
  // Vitest compiles without checking types, so there are none to disable in the sandbox's files
  // (trying to, StrykerJS warned of every AssemblyScript file it could not parse).
  disableTypeChecks: false,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: ["runs", "reports", "test/engines/node_modules", "apps/web/dist", ".stryker-tmp"],
  plugins: ["@stryker-mutator/vitest-runner"]
}
