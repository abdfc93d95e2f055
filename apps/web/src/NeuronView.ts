/**
 * View 2: inside one hidden neuron. Its incoming weights — for the first layer a 28×28 image in
 * the diverging scale (blue: ink there raises its weighted sum, red: lowers it), with the
 * legend's numbers — its bias, and the test images that excite it most.
 *
 * @since 0.3.0
 */
import { Evaluate, Params } from "@descent/core"
import * as Colour from "./Colour.js"
import { h, number, pixelCanvas } from "./Dom.js"
import * as Session from "./Session.js"
import * as WeightImages from "./WeightImages.js"

/**
 * The view: empty until a neuron is chosen; `show` chooses one. `pick` loads a test image into
 * the pad.
 *
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session, pick: (index: number) => void) => {
  const element = h("div", { class: "neuron", id: "neuron" }, h("p", { class: "hint" }, "Click a hidden neuron in the network above to look inside it."))
  const cache = new Map<number, Float64Array>()
  let shown: { layer: number; neuron: number } | undefined
  session.listeners.push((what) => {
    if (what === "model" || what === "params" || what === "data") {
      cache.clear()
      if (shown !== undefined) show(shown.layer, shown.neuron)
    }
  })
  const show = (layer: number, neuron: number) => {
    shown = { layer, neuron }
    const { params } = session.model
    const sizes = session.model.network.layout.sizes
    const inputs = sizes[layer - 1]!
    const all = Params.weights(params, layer - 1) // (rows=neurons, cols=inputs)
    const w = Float64Array.from({ length: inputs }, (_, k) => all[neuron * inputs + k]!)
    const bias = Params.biases(params, layer - 1)[neuron]!
    const largest = WeightImages.largest(w)
    const scale = (v: number) => (largest === 0 ? 0 : v / largest)
    const weights = inputs === 784
      ? WeightImages.image(w, 0, largest, 8, `the ${inputs} incoming weights of neuron ${neuron} as a 28×28 image`)
      : pixelCanvas(1, inputs, Math.max(8, Math.floor(448 / inputs)), (_, x) => Colour.diverging(scale(w[x]!)), `the ${inputs} incoming weights of neuron ${neuron}, one per neuron of the layer before`)
    weights.id = "neuron-weights"
    const legend = WeightImages.legend(largest)
    const top = h("div", { class: "top-images" })
    if (session.data !== undefined) {
      let activations = cache.get(layer)
      if (activations === undefined) cache.set(layer, (activations = Evaluate.activations(session.model.network, session.model.params, session.data.test, layer)))
      const n = sizes[layer]!
      const test = session.data.test
      const order = Array.from({ length: test.count }, (_, e) => e).sort((a, b) => activations![b * n + neuron]! - activations![a * n + neuron]! || a - b)
      for (const e of order.slice(0, 8)) {
        const image = pixelCanvas(28, 28, 2, (y, x) => Colour.light(test.pixels[e * 784 + y * 28 + x]! / 255), `test image ${e}`)
        top.append(h("button", { type: "button", class: "thumb", title: `test image ${e}: activation ${number(activations[e * n + neuron]!)} (click to load it)`, onclick: () => pick(e) }, image, h("span", {}, number(activations[e * n + neuron]!, 3))))
      }
    }
    element.replaceChildren(
      h("h3", {}, `Hidden layer ${layer}, neuron ${neuron}`),
      h(
        "div",
        { class: "row" },
        h(
          "figure",
          {},
          weights,
          h("figcaption", {}, inputs === 784 ? "its 784 incoming weights, one per pixel" : `its ${inputs} incoming weights, one per neuron of layer ${layer - 1}`),
          legend
        ),
        h(
          "div",
          { class: "grow" },
          h("p", {}, "Blue: ink (or activation) there raises the neuron's weighted sum; red: lowers it; white: no effect. Colours are scaled to its largest |weight|."),
          h("p", { id: "neuron-bias" }, `bias: ${number(bias, 4)}`),
          h("p", {}, "The test images that excite it most (its activation under each):"),
          top
        )
      )
    )
  }
  return { element, show }
}
