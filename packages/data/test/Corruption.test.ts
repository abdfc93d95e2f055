// A corruption sweep: truncations and byte flips at many offsets of a valid file, raw and
// gzipped. Every case must end in a correct decode or a typed IdxError — never an untyped
// throw, a defect, or a hang (the test's timeout catches a hang).
import type { Memory } from "@descent/core"
import { IdxError, IdxFile } from "@descent/data"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Stream } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { folder, images } from "./fixtures.js"

const valid = images(4, 3, 3) // 16 + 36 bytes
const dir = folder({})

// Both ways of reading a file: decoded whole, and streamed as records. They must agree on
// whether the file is valid (not always on why: a header claiming more data than one buffer
// holds is "TooLarge" to decode whole, but streams until it turns out "BodyTruncated").
const outcome = async (bytes: Uint8Array, name: string) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  const whole = await Effect.runPromiseExit(IdxFile.read(path).pipe(Effect.provide(NodeFileSystem.layer)))
  const streamed = await Effect.runPromiseExit(
    Stream.runDrain(IdxFile.records(path)).pipe(Effect.provide(NodeFileSystem.layer))
  )
  const wholeResult = typedOutcome(whole, `${name} (read)`)
  expect(typedOutcome(streamed, `${name} (records)`) === "decoded").toBe(wholeResult === "decoded")
  return wholeResult
}

const typedOutcome = (exit: Exit.Exit<unknown, IdxError | Memory.MemoryLimitError>, what: string) => {
  if (Exit.isSuccess(exit)) return "decoded"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`${what}: not a typed failure: ${Cause.pretty(exit.cause)}`)
  expect(failure.value.message.length).toBeGreaterThan(0)
  // A header claiming more than the default memory limit would be refused before its body.
  if (failure.value._tag === "MemoryLimitError") return failure.value._tag
  expect(failure.value).toBeInstanceOf(IdxError)
  return failure.value.reason
}

describe("corruption sweep", () => {
  for (const [kind, file] of [["raw", valid], ["gzip", gzipSync(valid)]] as const) {
    it(`${kind}: every truncation ends in a typed error`, async () => {
      const reasons = new Set<string>()
      for (let length = 0; length < file.length; length++) {
        const result = await outcome(file.subarray(0, length), `${kind}-cut-${length}`)
        expect(result).not.toBe("decoded")
        reasons.add(result)
      }
      if (kind === "raw") expect([...reasons].sort()).toEqual(["BodyTruncated", "HeaderTruncated"])
      else expect(reasons.has("CorruptGzip")).toBe(true)
    })

    it(`${kind}: a flipped byte at any offset decodes or fails with a typed error`, async () => {
      let decoded = 0
      for (let offset = 0; offset < file.length; offset++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const flipped = Uint8Array.from(file)
          flipped[offset]! ^= mask
          const result = await outcome(flipped, `${kind}-flip-${mask}-at-${offset}`)
          if (result === "decoded") decoded++
        }
      }
      // Flips inside raw pixel data are still valid IDX; gzip's CRC catches them instead.
      if (kind === "raw") expect(decoded).toBeGreaterThan(0)
    })
  }
})
