/**
 * View 1's pad: draw a digit with the mouse, a pen or a finger. After every stroke segment (at
 * most once a frame) the pad's pixels are prepared exactly as `descent predict --image`
 * prepares a PNG — `@descent/data`'s `Digit.toMnist`: the ink's box fitted to 20×20, centred by
 * mass in 28×28 — and become the network's input.
 *
 * @since 0.3.0
 */
import { Digit } from "@descent/data"
import { h } from "./Dom.js"
import * as Session from "./Session.js"

const side = 280
const brush = 20

/**
 * The pad's grey picture (ink bright on dark), as `Digit.toMnist` takes it.
 *
 * @since 0.3.0
 * @category reading
 */
export const inkOf = (canvas: HTMLCanvasElement): Digit.Picture => {
  const { data } = canvas.getContext("2d")!.getImageData(0, 0, side, side)
  const pixels = new Uint8Array(side * side)
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[4 * i]!
  return { rows: side, cols: side, pixels }
}

/**
 * The pad, its buttons, and the 28×28 input it makes.
 *
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session): { readonly element: HTMLElement; readonly load: (pixels: Uint8Array) => void } => {
  const canvas = h("canvas", { width: side, height: side, class: "pad", "aria-label": "drawing pad: draw a digit here" })
  const context = canvas.getContext("2d", { willReadFrequently: true })!
  const clear = () => {
    context.fillStyle = "black"
    context.fillRect(0, 0, side, side)
  }
  clear()
  let pending = false
  const update = () => {
    if (pending) return
    pending = true
    requestAnimationFrame(() => {
      pending = false
      session.input = Digit.toMnist(inkOf(canvas))?.pixels
      Session.changed(session, "input")
    })
  }
  let last: { x: number; y: number } | undefined
  const at = (event: PointerEvent) => {
    const box = canvas.getBoundingClientRect()
    return { x: ((event.clientX - box.left) / box.width) * side, y: ((event.clientY - box.top) / box.height) * side }
  }
  const stroke = (to: { x: number; y: number }) => {
    context.strokeStyle = "white"
    context.lineWidth = brush
    context.lineCap = "round"
    context.lineJoin = "round"
    context.beginPath()
    context.moveTo((last ?? to).x, (last ?? to).y)
    context.lineTo(to.x, to.y)
    context.stroke()
    last = to
    update()
  }
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId)
    last = undefined
    stroke(at(event))
  })
  canvas.addEventListener("pointermove", (event) => {
    if (event.buttons !== 0 && canvas.hasPointerCapture(event.pointerId)) stroke(at(event))
  })
  canvas.addEventListener("pointerup", () => (last = undefined))
  // A 28×28 image (a test image) put on the pad: drawn large, and the input exactly its pixels.
  const load = (pixels: Uint8Array) => {
    const small = new ImageData(28, 28)
    for (let i = 0; i < 784; i++) small.data.set([pixels[i]!, pixels[i]!, pixels[i]!, 255], 4 * i)
    const scratch = h("canvas", { width: 28, height: 28 })
    scratch.getContext("2d")!.putImageData(small, 0, 0)
    context.imageSmoothingEnabled = false
    context.drawImage(scratch, 0, 0, side, side)
    session.input = Uint8Array.from(pixels)
    Session.changed(session, "input")
  }
  const element = h(
    "div",
    { class: "pad-box" },
    canvas,
    h(
      "div",
      { class: "row" },
      h("button", {
        type: "button",
        id: "clear",
        onclick: () => {
          clear()
          session.input = undefined
          Session.changed(session, "input")
        }
      }, "Clear"),
      h("span", { class: "hint" }, "Draw a digit, large, in the middle.")
    )
  )
  return { element, load }
}
