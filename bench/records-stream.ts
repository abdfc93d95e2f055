/**
 * Streaming records from an IDX byte stream far larger than memory should need: 1,000,000
 * records of 28×28 bytes (784 MB), generated lazily in 1 MB chunks and cut into records by
 * `Idx.records`. Constant memory: the peak RSS a tenth of the way in is the peak at the end.
 */
import { Idx } from "@descent/data"
import { Effect, Stream } from "effect"
import { performance } from "node:perf_hooks"
import { peakRssMb, report } from "./measure.js"

const count = 1_000_000
const header = Idx.encode({ type: "u8", dims: [0, 28, 28], values: new Uint8Array(0) })
new DataView(header.buffer).setUint32(4, count, false)
const body = count * 784
const chunk = 1024 * 1024

function* chunks(): Generator<Uint8Array> {
  yield header
  for (let sent = 0; sent < body; sent += chunk) {
    const piece = new Uint8Array(Math.min(chunk, body - sent))
    piece.fill(sent & 0xff)
    yield piece
  }
}

const before = peakRssMb()
const start = performance.now()
let earlyPeak = 0
const records = await Effect.runPromise(
  Idx.records(Stream.suspend(() => Stream.fromIteratorSucceed(chunks(), 1)), "generated").pipe(
    Stream.tap((record) => Effect.sync(() => {
      if (record.index === count / 10) earlyPeak = peakRssMb()
    })),
    Stream.runCount
  )
)
const seconds = (performance.now() - start) / 1000

report(`records-stream  ${records} records of 28×28 from a generated ${(body / 1e6).toFixed(0)} MB IDX stream`, [
  ["time", `${seconds.toFixed(2)} s (${(body / 1e6 / seconds).toFixed(0)} MB/s)`],
  ["peak RSS", `${peakRssMb().toFixed(0)} MB at the end; ${earlyPeak.toFixed(0)} MB a tenth of the way in; ${before.toFixed(0)} MB before`]
])
