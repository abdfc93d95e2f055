// The tests of the package StrykerJS mutates (stryker.config.mjs): that package's own, as vitest
// runs them for it, on its TypeScript sources.
import { defineConfig } from "vitest/config"

// DESCENT_MUTATE is a part of a package ("core:maths"); its tests are the package's.
const [name] = (process.env.DESCENT_MUTATE ?? "data:parsing").split(":")

export default defineConfig({
  ssr: { resolve: { conditions: ["@descent/source"] } },
  resolve: { conditions: ["@descent/source"] },
  test: {
    include: [`packages/${name}/test/**/*.test.ts`],
    // It replaces @descent/kernels with vi.mock, which a shared module graph (below) that has
    // already loaded the real one cannot do; pnpm test runs it.
    exclude: ["packages/core/test/KernelsBuild.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // One module graph for all the test files of a run: StrykerJS runs the covering tests once
    // per mutant, and importing each file's modules afresh took most of that time (core: 6.9 s
    // of 16 s per run isolated, 0.9 s of 6.7 s shared). The tests hold no state between files
    // that would need isolation (pnpm test runs them isolated, so a dependence would show there),
    // and none but KernelsBuild.test.ts mocks a module.
    isolate: false,
    testTimeout: 60_000
  }
})
