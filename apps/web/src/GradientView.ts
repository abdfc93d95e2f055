/**
 * View 5: what the gradient says, for the image on the pad and the digit you say it should be —
 * that one example's cost, and its gradient read as the chapter reads it, "which changes to
 * which weights matter the most": each first-layer neuron's ∂C/∂w as a 28×28 image (one colour
 * scale for all), how much each output wants to go up or down (−∂C/∂z of the output layer),
 * and the components of ∇C ranked by size. One click takes the step params − η∇C on this
 * example alone (`Descent.step`) and every view redraws; a reset puts the model back.
 *
 * @since 0.3.0
 */
import { type Backprop as BackpropModule, Backprop, Dataset, Descent, Gradient } from "@descent/core"
import { h, number } from "./Dom.js"
import * as Session from "./Session.js"
import * as WeightImages from "./WeightImages.js"

/**
 * The gradient of one example's cost at the current parameters: the pad's image with `label`.
 *
 * @since 0.3.0
 * @category computing
 */
export const of = (session: Session.Session): BackpropModule.Result | undefined => {
  if (session.input === undefined) return undefined
  const batch = { size: 1, inputSize: 784, inputs: Dataset.inputs(session.input), labels: Uint8Array.of(session.label) }
  return Backprop.backprop(session.model.network, session.model.params, batch)
}

// Where entry i of the 13,002-entry vector sits, in words.
const describe = (session: Session.Session, i: number): string => {
  for (const [l, slot] of session.model.network.layout.layers.entries()) {
    const into = l === session.model.network.layout.layers.length - 1 ? "output neuron" : `layer-${l + 1} neuron`
    if (i >= slot.weightsOffset && i < slot.biasesOffset) {
      const j = Math.floor((i - slot.weightsOffset) / slot.inputs)
      const k = (i - slot.weightsOffset) % slot.inputs
      const from = l === 0 ? `pixel (row ${Math.floor(k / 28)}, column ${k % 28})` : `layer-${l} neuron ${k}`
      return `weight into ${into} ${j} from ${from}`
    }
    if (i >= slot.biasesOffset && i < slot.biasesOffset + slot.outputs) return `bias of ${into} ${i - slot.biasesOffset}`
  }
  return `entry ${i}`
}

/**
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session) => {
  const labels = h("div", { class: "row", role: "group", "aria-label": "the digit it should be" })
  const buttons = Array.from({ length: 10 }, (_, d) =>
    h("button", { type: "button", class: "digit-button", "data-digit": d, onclick: () => ((session.label = d), Session.changed(session, "label")) }, String(d))
  )
  labels.append(h("span", {}, "It should be: "), ...buttons)
  const eta = h("input", { type: "number", id: "step-eta", value: "3.0", step: "0.5", min: "0", "aria-label": "η, the learning rate of the step" })
  const body = h("div", { id: "gradient" })
  const draw = () => {
    buttons.forEach((b, d) => b.classList.toggle("chosen", d === session.label))
    const result = of(session)
    if (result === undefined) {
      body.replaceChildren(h("p", { class: "hint" }, "Draw a digit (or load a test image) first: the gradient is of the cost of that one example."))
      return
    }
    const g = result.gradient
    const first = Gradient.weights(g, 0) // (rows=hidden neurons, cols=784)
    const neurons = session.model.network.layout.sizes[1]!
    const largest = WeightImages.largest(first)
    const tiles = h("div", { class: "tiles" }, ...Array.from({ length: neurons }, (_, j) => WeightImages.tile(first, j, largest, `∂C/∂w of layer-1 neuron ${j}`)))
    const layers = session.model.network.layout.layers
    const output = Gradient.biases(g, layers.length - 1) // ∂C/∂b = ∂C/∂z of the output layer
    let loudest = 0
    for (const v of output) loudest = Math.max(loudest, Math.abs(v))
    const nudges = h("div", { class: "nudges", id: "nudges" })
    Array.from(output).forEach((v, d) => {
      const share = loudest === 0 ? 0 : -v / loudest
      nudges.append(
        h(
          "div",
          { class: "nudge", "data-digit": d, "data-value": String(-v) },
          h("span", { class: "digit" }, String(d)),
          h("span", { class: "nudge-track" }, h("span", { class: share >= 0 ? "nudge-bar up" : "nudge-bar down", style: `width: ${Math.abs(share) * 50}%; ${share >= 0 ? "left: 50%" : `right: 50%`}` })),
          h("span", { class: "value" }, number(-v))
        )
      )
    })
    const order = Array.from({ length: g.vector.length }, (_, i) => i).sort((a, b) => Math.abs(g.vector[b]!) - Math.abs(g.vector[a]!) || a - b)
    const ranked = h("ol", { class: "ranked", id: "ranked" }, ...order.slice(0, 12).map((i) => h("li", { "data-entry": i }, `${describe(session, i)}: ∂C = ${number(g.vector[i]!)}`)))
    body.replaceChildren(
      h("p", { id: "gradient-cost" }, `Cost of this one example, if it should be ${session.label}: C = ${number(result.cost, 4)} (${session.model.network.cost.name}). The gradient ∇C has ${g.vector.length.toLocaleString("en-US")} entries, one per weight and bias.`),
      h("h3", {}, "How much each output wants to change (−∂C/∂z)"),
      h("p", { class: "hint" }, "Up (blue): the output should be brighter; down (red): dimmer. The digit it should be wants to go up; the others, down."),
      nudges,
      h("h3", {}, "Which first-layer weights matter most (∂C/∂w, one image per neuron)"),
      h("p", { class: "hint" }, `One colour scale for all: full colour at |∂C/∂w| = ${number(largest)}. Blue: ∂C/∂w > 0, the cost rises with that weight, so the step −η∇C lowers it; red: the step raises it.`),
      tiles,
      WeightImages.legend(largest),
      h("h3", {}, "The largest components of ∇C"),
      ranked
    )
  }
  const step = () => {
    const result = of(session)
    if (result === undefined) return
    session.model = { ...session.model, params: Descent.step(session.model.params, result.gradient, Number(eta.value)) }
    Session.changed(session, "params")
  }
  const reset = () => {
    session.model = { ...session.model, params: session.model.loaded }
    Session.changed(session, "params")
  }
  session.listeners.push((what) => {
    if (what !== "data") draw()
  })
  const element = h(
    "div",
    {},
    labels,
    h(
      "div",
      { class: "row" },
      h("label", {}, "η ", eta),
      h("button", { type: "button", id: "step", onclick: step }, "Take one step: params − η∇C"),
      h("button", { type: "button", id: "reset", onclick: reset }, "Reset the model")
    ),
    body
  )
  draw()
  return { element }
}
