// `descent predict --image` on PNGs that are damaged or too big: exit 1, one line on stderr
// naming the file and what to do, never a stack trace, never an attempt to decode.
import { beforeAll, describe, expect, it } from "vitest"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { deflateSync } from "node:zlib"
import { crc32, descent, expectOneErrorLine, png, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(50, 20)
const folder = temporary("png-input")
const model = join(folder, "run", "model.json")

const chunk = (type: string, data: Uint8Array) => {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const framed = Buffer.alloc(12 + data.length)
  framed.writeUInt32BE(data.length, 0)
  body.copy(framed, 4)
  framed.writeUInt32BE(crc32(body), 8 + data.length)
  return framed
}

/** A PNG whose header says 20000×20000 RGBA, with 100 bytes of image data: 28 KB of file. */
const hugeHeader = () => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(20000, 0)
  ihdr.writeUInt32BE(20000, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(100))), chunk("IEND", Buffer.alloc(0))])
}

const expectOneLine = (stderr: string, pattern: RegExp) => {
  expectOneErrorLine(stderr, pattern)
  expect(stderr).not.toMatch(/pngjs/)
}

beforeAll(() => {
  const trained = descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", join(folder, "run")])
  expect(trained.code, trained.stderr).toBe(0)
})

describe("descent predict --image with a PNG that cannot be used", () => {
  it("a PNG cut short: exit 1, one line saying so", () => {
    const whole = png(data.test.pixels.subarray(0, 784), 28, 28, 3)
    const file = join(folder, "cut.png")
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)))
    const result = descent(["predict", "--model", model, "--image", file])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expectOneLine(result.stderr, new RegExp(`^descent: ${file}: the PNG is cut short \\(.*\\): the file is incomplete; save or download it again\\n$`))
  })

  it("a 20000×20000 header: exit 1, one line with the memory it would need, refused at once", () => {
    const file = join(folder, "huge.png")
    writeFileSync(file, hugeHeader())
    const started = Date.now()
    const result = descent(["predict", "--model", model, "--image", file])
    expect(result.code).toBe(1)
    expectOneLine(
      result.stderr,
      new RegExp(`^descent: ${file}: decoding this 20000×20000 PNG would need about [\\d.]+ GiB of memory, more than the limit of [\\d.]+ GiB; `)
    )
    // pngjs would take 6.7 GB and minutes before dying: refused from the header, it is quick.
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it("not a PNG, or a folder: exit 1, one line", () => {
    const jpeg = join(folder, "photo.png")
    writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0]))
    const notPng = descent(["predict", "--model", model, "--image", jpeg])
    expect(notPng.code).toBe(1)
    expectOneLine(notPng.stderr, /not a PNG: it does not start with the PNG signature \(it looks like a JPEG\)/)
    const dir = join(folder, "folder.png")
    mkdirSync(dir)
    const folderResult = descent(["predict", "--model", model, "--image", dir])
    expect(folderResult.code).toBe(1)
    expectOneLine(folderResult.stderr, /folder\.png: is a folder, not a file; give the path of a \.png file/)
  })
})
