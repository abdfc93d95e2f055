/**
 * What the page is looking at: a model (a network and its parameters, with the parameters it
 * was loaded with, so a step of descent can be undone), the MNIST sets it is judged on, and the
 * image on the drawing pad. Views listen for changes and redraw.
 *
 * Not for: drawing (the views) or training (the worker).
 *
 * @since 0.3.0
 */
import { Dataset, Evaluate, Feedforward, Layout, Network, Params, Rng } from "@descent/core"
import type { Mnist } from "@descent/data"
import { ModelFile } from "@descent/files"
import { Schema } from "effect"

/**
 * @since 0.3.0
 * @category models
 */
export interface Model {
  /** Where it came from, for the header ("runs/chapter/model.json", "trained in this page"). */
  readonly name: string
  readonly network: Network.Network
  readonly params: Params.Params
  /** The parameters it was loaded with (a step of descent moves `params` away from them). */
  readonly loaded: Params.Params
}

/**
 * @since 0.3.0
 * @category models
 */
export interface Session {
  model: Model
  data: Mnist.MnistData | undefined
  /** The 28×28 input on the pad: bytes, 0 paper to 255 ink (undefined before anything is drawn). */
  input: Uint8Array | undefined
  /** The label the gradient view asks for ("what it should be"). */
  label: number
  /** The test set's outputs under the current parameters, computed when first needed. */
  testOutputs: Float64Array | undefined
  readonly listeners: Array<(what: Change) => void>
}

/**
 * What changed: the model (a new one, or a step), or the input.
 *
 * @since 0.3.0
 * @category models
 */
export type Change = "model" | "params" | "input" | "data" | "label"

/**
 * An untrained network of the chapter's shape, from seed 1: what the page shows before a model
 * is loaded or trained.
 *
 * @since 0.3.0
 * @category constructors
 */
export const untrained = (): Model => {
  const network = Network.make({ sizes: [784, 16, 16, 10] })
  const [params] = Params.init(network.layout, Rng.make(1))
  return { name: "untrained (random weights, seed 1)", network, params, loaded: params }
}

/**
 * A model from the text of a model.json, checked as `descent` checks one.
 *
 * @since 0.3.0
 * @category constructors
 */
export const modelOfJson = (name: string, text: string): Model => {
  const { network, params } = ModelFile.fromFile(Schema.decodeUnknownSync(ModelFile.ModelFile)(JSON.parse(text)))
  return { name, network, params, loaded: params }
}

/**
 * @since 0.3.0
 * @category constructors
 */
export const make = (model: Model): Session => ({ model, data: undefined, input: undefined, label: 0, testOutputs: undefined, listeners: [] })

/**
 * Tells every view what changed.
 *
 * @since 0.3.0
 * @category changing
 */
export const changed = (session: Session, what: Change): void => {
  if (what === "model" || what === "params") session.testOutputs = undefined
  for (const listener of session.listeners) listener(what)
}

/**
 * Every layer's activations for the pad's image (or for blank paper).
 *
 * @since 0.3.0
 * @category running
 */
export const activations = (session: Session): Feedforward.Activations => {
  const n = Layout.inputSize(session.model.network.layout)
  const input = session.input !== undefined && session.input.length === n ? Dataset.inputs(session.input) : new Float64Array(n)
  return Feedforward.feedforward(session.model.network, session.model.params, input)
}

/**
 * The ten outputs of every test image under the current parameters (computed once per change).
 *
 * @since 0.3.0
 * @category running
 */
export const testOutputs = (session: Session): Float64Array | undefined => {
  if (session.data === undefined) return undefined
  session.testOutputs ??= Evaluate.outputs(session.model.network, session.model.params, session.data.test)
  return session.testOutputs
}
