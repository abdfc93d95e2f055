/**
 * The page `descent serve` serves (and any file host can): the chapter's network, live. It
 * loads the model it is given (or starts untrained), fetches MNIST with `Mnist.loadUrl` —
 * validated as on disk — and lays out the six views: draw a digit, look inside a neuron, browse
 * the test set, train in the page, what the gradient says, recorded runs. Core and its
 * WebAssembly kernels run here, in the page; training runs in a Web Worker.
 *
 * `window.descent` exposes the session, for tests and the curious.
 *
 * @since 0.3.0
 */
import { Digit, Mnist } from "@descent/data"
import type { TrainingOptions } from "@descent/files"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect } from "effect"
import { h } from "./Dom.js"
import * as DrawingPad from "./DrawingPad.js"
import * as GradientView from "./GradientView.js"
import * as NetworkView from "./NetworkView.js"
import * as NeuronView from "./NeuronView.js"
import * as RunsView from "./RunsView.js"
import * as Session from "./Session.js"
import * as TestBrowser from "./TestBrowser.js"
import * as TrainView from "./TrainView.js"

interface Config {
  readonly model: string | null
  readonly modelName?: string
  readonly runs: ReadonlyArray<RunsView.Listed>
  readonly data: string
  readonly dataSource?: TrainingOptions.TrainingOptions["data"]
}

// A static site has no /api: the page then starts untrained, on its own copy of MNIST.
const staticSite: Config = { model: null, runs: [], data: "mnist/" }

// A model file's path as the page names it: its folder and file (runs/chapter/model.json → chapter/model.json).
const shortName = (path: string | undefined) => path?.split(/[\\/]/).filter((s) => s !== "").slice(-2).join("/")

const section = (id: string, title: string, intro: string, ...body: ReadonlyArray<Node>) =>
  h("section", { id }, h("h2", {}, title), h("p", { class: "intro" }, intro), ...body)

const boot = async () => {
  const status = document.getElementById("status")!
  const config: Config = await fetch("api/config").then((r) => (r.ok ? (r.json() as Promise<Config>) : staticSite)).catch(() => staticSite)
  const model = config.model === null
    ? Session.untrained()
    : Session.modelOfJson(shortName(config.modelName) ?? "the model descent serve was given", await (await fetch(config.model)).text())
  const session = Session.make(model)
  const dataUrl = () => new URL(config.data, location.href).href
  const title = h("p", { class: "model-name", id: "model-name" })
  const showName = () => (title.textContent = `Model: ${session.model.name} — ${session.model.network.layout.sizes.join("-")}, ${session.model.network.hidden.name}, ${session.model.network.cost.name} cost`)
  showName()
  session.listeners.push((what) => what === "model" && showName())

  const pad = DrawingPad.make(session)
  const load = (index: number) => {
    const test = session.data?.test
    if (test === undefined) return
    pad.load(Uint8Array.from({ length: 784 }, (_, i) => test.pixels[index * 784 + i]!))
    document.getElementById("draw")?.scrollIntoView({ behavior: "smooth" })
  }
  const neuron = NeuronView.make(session, load)
  const network = NetworkView.make(session, (layer, j) => {
    neuron.show(layer, j)
    document.getElementById("inside")?.scrollIntoView({ behavior: "smooth" })
  })
  const browser = TestBrowser.make(session, load)
  const gradient = GradientView.make(session)
  const train = TrainView.make(session, dataUrl, () => config.dataSource ?? { kind: "bundled" })

  document.getElementById("app")!.replaceChildren(
    h("header", {}, h("h1", {}, "descent: watch a neural network think, and learn"), h("p", {}, "The 784-16-16-10 network of 3Blue1Brown's chapter on gradient descent, running in this page: 13,002 weights and biases, one big column vector."), title),
    section("draw", "1. Draw a digit", "As you draw, your digit is made 28×28 the way MNIST's digits were (fitted to 20×20, centred by mass) and goes through the network: every neuron's activation, the ten outputs, the answer.", h("div", { class: "row top" }, pad.element, network)),
    section("inside", "2. Look inside a neuron", "A hidden neuron's weighted sum of the layer before it, through the sigmoid: what does it weigh?", neuron.element),
    section("browse", "3. Browse the test set", "The 10,000 test images the network never trained on, or only its mistakes.", browser.element),
    section("train", "4. Train in the page", "Gradient descent on the 60,000 training images, in a Web Worker, with the same numbers as descent train: same options, same hashes.", train.element),
    section("gradient", "5. What the gradient says", "For the image on the pad and the digit it should be: this one example's cost, and which changes to which weights matter most. Then take one step downhill.", gradient.element),
    section("runs", "6. Recorded runs", "The runs descent serve was pointed at with --runs.", RunsView.make(session, config.runs))
  )

  ;(globalThis as unknown as { descent: unknown }).descent = { session, Session, GradientView, DrawingPad, Digit, load, ready: false }
  status.remove()
  // The views are drawn and the pad takes strokes from here on; the test set follows.
  performance.mark("descent:interactive")
  const data = await Effect.runPromise(Mnist.loadUrl(dataUrl()).pipe(Effect.provide(FetchHttpClient.layer)))
  session.data = data
  Session.changed(session, "data")
  performance.mark("descent:data")
  ;(globalThis as unknown as { descent: { ready: boolean } }).descent.ready = true
}

boot().catch((error: unknown) => {
  const status = document.getElementById("status") ?? document.body.appendChild(document.createElement("p"))
  status.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`
  status.className = "error"
})
