// The tests of the package StrykerJS mutates (stryker.config.mjs): that package's own, as vitest
// runs them for it, on its TypeScript sources.
import { defineConfig } from "vitest/config"

const name = process.env.DESCENT_MUTATE ?? "data"

export default defineConfig({
  ssr: { resolve: { conditions: ["@descent/source"] } },
  resolve: { conditions: ["@descent/source"] },
  test: {
    include: [`packages/${name}/test/**/*.test.ts`],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000
  }
})
