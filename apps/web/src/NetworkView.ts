/**
 * View 1's network, drawn as the chapter draws it: the 784 input neurons as the 28×28 grid of
 * their activations, each hidden neuron a circle shaded by its activation (white fully active,
 * black silent), the connections between the small layers coloured by their weights, and the
 * ten outputs with their activations as bars and the network's answer highlighted. Clicking a
 * hidden neuron opens it (view 2).
 *
 * @since 0.3.0
 */
import { Feedforward, Params } from "@descent/core"
import * as Colour from "./Colour.js"
import { h, number, paint, pixelCanvas, svg } from "./Dom.js"
import * as Session from "./Session.js"

const height = 420
const column = 140
const left = 70
const outputWidth = 230

/**
 * The view; it redraws itself when the model, its parameters or the input change.
 *
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session, select: (layer: number, neuron: number) => void): HTMLElement => {
  const input = pixelCanvas(28, 28, 5, () => [0, 0, 0], "the input layer: the 784 input activations as a 28×28 image")
  const picture = svg("svg", { class: "network", role: "img", "aria-label": "the network's hidden and output layers" })
  const answer = h("p", { class: "answer", id: "answer", "aria-live": "polite" })
  const element = h(
    "div",
    { class: "network-box" },
    h("div", { class: "layers" }, h("figure", {}, input, h("figcaption", {}, "input layer: 784 neurons,", h("br"), "one per pixel")), picture),
    answer
  )
  let circles: Array<Array<SVGElement>> = []
  let bars: Array<{ readonly bar: SVGElement; readonly value: SVGElement; readonly label: SVGElement }> = []

  // The layers' geometry and connections: drawn again only for a new model or new parameters.
  const build = () => {
    picture.replaceChildren()
    const sizes = session.model.network.layout.sizes
    const hidden = sizes.slice(1, -1)
    const width = left + hidden.length * column + outputWidth
    picture.setAttribute("viewBox", `0 0 ${width} ${height}`)
    picture.setAttribute("width", String(width))
    picture.setAttribute("height", String(height))
    const layers = sizes.slice(1)
    const place = (l: number, j: number) => {
      const n = layers[l]!
      const step = Math.min((height - 30) / n, 40)
      return { x: left + l * column, y: 15 + height / 2 + (j - (n - 1) / 2) * step, r: Math.max(1.5, Math.min(12, step * 0.38)) }
    }
    // Connections between the drawn layers (not from the 784 inputs: too many to see).
    const lines = svg("g", { class: "connections" })
    for (let l = 1; l < layers.length; l++) {
      const w = Params.weights(session.model.params, l) // (rows=layers[l], cols=layers[l − 1])
      let largest = 0
      for (const v of w) largest = Math.max(largest, Math.abs(v))
      if (layers[l]! * layers[l - 1]! > 4000) continue
      for (let j = 0; j < layers[l]!; j++) {
        for (let k = 0; k < layers[l - 1]!; k++) {
          const t = largest === 0 ? 0 : w[j * layers[l - 1]! + k]! / largest
          const from = place(l - 1, k)
          const to = place(l, j)
          lines.append(svg("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, stroke: Colour.css(Colour.diverging(t)), "stroke-opacity": (0.15 + 0.6 * Math.abs(t)).toFixed(2), "stroke-width": 1 }))
        }
      }
    }
    picture.append(lines)
    circles = layers.map((n, l) =>
      Array.from({ length: n }, (_, j) => {
        const { r, x, y } = place(l, j)
        const isOutput = l === layers.length - 1
        const circle = svg("circle", { cx: x, cy: y, r, stroke: "#555", "stroke-width": 1, class: isOutput ? "output" : "hidden", "data-layer": l + 1, "data-neuron": j })
        if (!isOutput) {
          circle.addEventListener("click", () => select(l + 1, j))
          circle.append(svg("title"))
        }
        picture.append(circle)
        return circle
      })
    )
    hidden.forEach((n, l) =>
      picture.append(svg("text", { x: left + l * column, y: 14, "text-anchor": "middle", class: "caption" }, document.createTextNode(`hidden layer ${l + 1}: ${n}`)))
    )
    const outX = left + hidden.length * column
    picture.append(svg("text", { x: outX, y: 14, "text-anchor": "middle", class: "caption" }, document.createTextNode("output: 10 digits")))
    bars = Array.from({ length: layers[layers.length - 1]! }, (_, j) => {
      const { y } = place(layers.length - 1, j)
      const label = svg("text", { x: outX + 18, y: y + 5, class: "digit" }, document.createTextNode(String(j)))
      const bar = svg("rect", { x: outX + 34, y: y - 6, height: 12, width: 0, class: "bar" })
      const value = svg("text", { x: outX + 40, y: y + 5, class: "value" }, document.createTextNode(""))
      picture.append(label, bar, value)
      return { bar, value, label }
    })
  }

  const draw = () => {
    const { activations } = Session.activations(session)
    const a0 = activations[0]!
    paint(input, (y, x) => Colour.light(a0[y * 28 + x] ?? 0))
    activations.slice(1).forEach((layer, l) =>
      Array.from(layer).forEach((a, j) => {
        const circle = circles[l]?.[j]
        if (circle === undefined) return
        circle.setAttribute("fill", Colour.css(Colour.light(a)))
        circle.firstElementChild?.replaceChildren(document.createTextNode(`layer ${l + 1}, neuron ${j}: activation ${number(a)} (click to look inside)`))
      })
    )
    const out = activations[activations.length - 1]!
    const best = Feedforward.argmax(out)
    Array.from(out).forEach((a, j) => {
      const { bar, label, value } = bars[j]!
      bar.setAttribute("width", String(Math.max(0, a) * (outputWidth - 110)))
      bar.setAttribute("class", j === best && session.input !== undefined ? "bar best" : "bar")
      label.setAttribute("class", j === best && session.input !== undefined ? "digit best" : "digit")
      value.setAttribute("x", String(Number(bar.getAttribute("x")) + Math.max(0, a) * (outputWidth - 110) + 6))
      value.replaceChildren(document.createTextNode(a.toFixed(3)))
    })
    answer.textContent = session.input === undefined
      ? "Draw a digit (or pick a test image below): the network's answer appears here."
      : `The network says ${best}, with output activation ${out[best]!.toFixed(3)}.`
    answer.dataset.answer = String(best)
  }

  build()
  draw()
  session.listeners.push((what) => {
    if (what === "model" || what === "params") build()
    if (what !== "label" && what !== "data") draw()
  })
  return element
}
