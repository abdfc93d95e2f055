import { defineConfig } from "vitest/config"

// Tests import workspace packages through their "@descent/source" export condition (the
// TypeScript sources), so no build is needed to run them. vitest 3 on vite 7 reads the
// condition from `ssr.resolve`, not from `resolve`.
export default defineConfig({
  ssr: { resolve: { conditions: ["@descent/source"] } },
  resolve: { conditions: ["@descent/source"] },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // A temporary folder for the whole run, removed at its end (see test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000
  }
})
