/**
 * View 3: the test set, one image at a time — all 10,000 in order, or only the mistakes, most
 * confident first (as `descent mistakes` lists them) — with the label, the network's answer and
 * its confidence. Loading one puts it on the pad and through the network view.
 *
 * @since 0.3.0
 */
import { Feedforward } from "@descent/core"
import * as Colour from "./Colour.js"
import { h, paint, pixelCanvas } from "./Dom.js"
import * as Session from "./Session.js"

/**
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session, load: (index: number) => void) => {
  const image = pixelCanvas(28, 28, 4, () => [0, 0, 0], "the test image")
  const position = h("input", { type: "number", min: 0, value: 0, id: "test-index", "aria-label": "which test image" })
  const mistakesOnly = h("input", { type: "checkbox", id: "mistakes-only" })
  const caption = h("p", { id: "test-caption", "aria-live": "polite" })
  let at = 0
  // The images shown, in order: all, or the mistakes most confident first.
  const list = (): ReadonlyArray<number> => {
    const test = session.data?.test
    const outputs = Session.testOutputs(session)
    if (test === undefined || outputs === undefined) return []
    const all = Array.from({ length: test.count }, (_, i) => i)
    if (!mistakesOnly.checked) return all
    const said = (i: number) => Feedforward.argmax(outputs, i * 10, 10)
    return all
      .filter((i) => said(i) !== test.labels[i])
      .sort((a, b) => outputs[b * 10 + said(b)]! - outputs[a * 10 + said(a)]! || a - b)
  }
  let shown: ReadonlyArray<number> = []
  const draw = () => {
    const test = session.data?.test
    const outputs = Session.testOutputs(session)
    if (test === undefined || outputs === undefined) {
      caption.textContent = "Loading the test images…"
      return
    }
    if (shown.length === 0) {
      caption.textContent = "The network names every test image correctly: no mistake to show."
      return
    }
    at = Math.max(0, Math.min(shown.length - 1, at))
    position.value = String(at)
    position.max = String(shown.length - 1)
    const index = shown[at]!
    paint(image, (y, x) => Colour.light(test.pixels[index * 784 + y * 28 + x]! / 255))
    const said = Feedforward.argmax(outputs, index * 10, 10)
    const label = test.labels[index]!
    caption.textContent = `${mistakesOnly.checked ? `mistake ${at + 1} of ${shown.length}: ` : ""}test image ${index}: labelled ${label}, the network says ${said} (output ${outputs[index * 10 + said]!.toFixed(3)})${said === label ? "" : " — wrong"}`
    caption.dataset.index = String(index)
    caption.dataset.said = String(said)
  }
  const refresh = () => {
    shown = list()
    draw()
  }
  position.addEventListener("change", () => {
    at = Number(position.value) || 0
    draw()
  })
  mistakesOnly.addEventListener("change", () => {
    at = 0
    refresh()
  })
  session.listeners.push((what) => {
    if (what === "model" || what === "params" || what === "data") refresh()
  })
  const element = h(
    "div",
    { class: "browser" },
    h("button", { type: "button", class: "plain", title: "load it into the pad", onclick: () => shown[at] !== undefined && load(shown[at]!) }, image),
    h(
      "div",
      {},
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", id: "test-previous", onclick: () => ((at -= 1), draw()) }, "◀ previous"),
        position,
        h("button", { type: "button", id: "test-next", onclick: () => ((at += 1), draw()) }, "next ▶"),
        h("label", {}, mistakesOnly, " only the mistakes, most confident first")
      ),
      caption,
      h("button", { type: "button", id: "test-load", onclick: () => shown[at] !== undefined && load(shown[at]!) }, "Put it on the pad")
    )
  )
  refresh()
  return { element, refresh }
}
