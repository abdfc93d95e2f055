// The fingerprints of this engine's numbers: core's Numerics (which must be the same on every
// engine) and the engine's own Math (which is not). test/engines.test.ts bundles this file and
// runs it on Bun, Deno and in Chromium.
import { Numerics } from "@descent/core"
import { fingerprint } from "./numericsArguments.js"

export const fingerprints = async (): Promise<{ readonly numerics: string; readonly math: string }> => ({
  numerics: await fingerprint(Numerics),
  math: await fingerprint({ exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos, pow: Math.pow })
})
