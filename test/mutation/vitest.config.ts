// The tests of the package StrykerJS mutates (stryker.config.mjs), as vitest runs them for it.
import { defineConfig } from "vitest/config"

const tests: Record<string, ReadonlyArray<string>> = {
  core: ["packages/core/test/**/*.test.ts"],
  data: ["packages/data/test/**/*.test.ts"],
  files: ["packages/files/test/**/*.test.ts"]
}

export default defineConfig({
  ssr: { resolve: { conditions: ["@descent/source"] } },
  resolve: { conditions: ["@descent/source"] },
  test: {
    include: [...(tests[process.env.DESCENT_MUTATE ?? "data"] ?? [])],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000
  }
})
