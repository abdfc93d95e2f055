/**
 * View 4: train in the page. The form holds `descent train`'s flags with its defaults; the run
 * goes to a Web Worker (see `worker.ts`), so the page stays responsive, and can be paused,
 * resumed and stopped. The learning curves grow as it learns (`Curves`, the chart `descent
 * plot` draws), the first layer's weight images change as they are learned, and when it is
 * over the page lists every epoch's `paramsSha256` — the CLI's, for the same options — and
 * offers the run's model.json and run.json (which `descent replay` accepts).
 *
 * @since 0.3.0
 */
import { Optimizer } from "@descent/core"
import { type RunRecord, TrainingOptions } from "@descent/files"
import * as Curves from "./Curves.js"
import { h } from "./Dom.js"
import type { FromWorker, ToWorker } from "./Protocol.js"
import * as Session from "./Session.js"
import * as WeightImages from "./WeightImages.js"

const defaults = TrainingOptions.defaults

/**
 * What a browser says it is, as a run record's engine ("chrome 131.0.6778.85, in a web page").
 *
 * @since 0.3.0
 * @category environment
 */
export const engine = (): string => {
  const found = /(Firefox|Edg|Chrome|Version)\/([\d.]+)/.exec(navigator.userAgent)
  const name = found === null ? "a browser" : found[1] === "Version" ? "safari" : found[1]!.toLowerCase()
  return `${name}${found === null ? "" : ` ${found[2]}`}, in a web page`
}

const field = (id: string, label: string, input: HTMLInputElement | HTMLSelectElement, hint: string) =>
  h("label", { class: "field", for: id }, h("span", { class: "field-name" }, label), input, h("span", { class: "hint" }, hint))

const text = (id: string, value: string) => h("input", { id, value, type: "text", size: 14 })
const choice = (id: string, options: ReadonlyArray<string>, value: string) => {
  const select = h("select", { id })
  for (const option of options) select.append(h("option", { value: option, selected: option === value }, option))
  return select
}

/**
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session, dataUrl: () => string, dataSource: () => TrainingOptions.TrainingOptions["data"]) => {
  const inputs = {
    layers: text("train-layers", defaults.layers.join(",")),
    activation: choice("train-activation", ["sigmoid", "relu"], defaults.activation),
    output: choice("train-output", ["sigmoid", "softmax"], defaults.output),
    cost: choice("train-cost", ["quadratic", "cross-entropy"], defaults.cost),
    init: choice("train-init", ["normal", "scaled"], defaults.init),
    eta: text("train-eta", "3.0"),
    schedule: choice("train-schedule", ["by --eta-decay", ...TrainingOptions.schedules], "by --eta-decay"),
    etaDecay: text("train-eta-decay", "1"),
    warmup: text("train-warmup", "0"),
    optimizer: choice("train-optimizer", Optimizer.names, defaults.optimizer),
    l2: text("train-l2", "0"),
    batchSize: text("train-batch-size", String(defaults.batchSize)),
    epochs: text("train-epochs", String(defaults.epochs)),
    seed: text("train-seed", String(defaults.seed)),
    subset: text("train-subset", ""),
    augment: h("input", { id: "train-augment", type: "checkbox" })
  }
  const status = h("p", { id: "train-status", "aria-live": "polite" }, "Not started. The defaults are descent train's: the chapter's network, 30 epochs (about 10 s here).")
  const chart = h("div", { id: "train-chart", class: "chart" })
  const tiles = h("div", { class: "tiles", id: "train-weights" })
  const results = h("div", { id: "train-results" })
  const start = h("button", { type: "button", id: "train-start" }, "Start")
  const pause = h("button", { type: "button", id: "train-pause", disabled: true }, "Pause")
  const stop = h("button", { type: "button", id: "train-stop", disabled: true }, "Stop")
  let worker: Worker | undefined
  let paused = false
  let epochs: Array<RunRecord.EpochMetrics> = []
  let options: TrainingOptions.TrainingOptions | undefined

  const read = (): TrainingOptions.TrainingOptions => ({
    ...defaults,
    layers: inputs.layers.value.split(",").map((s) => Number(s.trim())),
    activation: inputs.activation.value as TrainingOptions.TrainingOptions["activation"],
    output: inputs.output.value as TrainingOptions.TrainingOptions["output"],
    cost: inputs.cost.value as TrainingOptions.TrainingOptions["cost"],
    init: inputs.init.value as TrainingOptions.TrainingOptions["init"],
    eta: Number(inputs.eta.value),
    ...(inputs.schedule.value === "by --eta-decay" ? {} : { schedule: inputs.schedule.value as TrainingOptions.Schedule }),
    etaDecay: Number(inputs.etaDecay.value),
    warmup: Number(inputs.warmup.value),
    optimizer: inputs.optimizer.value as Optimizer.Name,
    l2: Number(inputs.l2.value),
    batchSize: Number(inputs.batchSize.value),
    epochs: Number(inputs.epochs.value),
    seed: Number(inputs.seed.value),
    subset: inputs.subset.value.trim() === "" ? null : Number(inputs.subset.value),
    augment: inputs.augment.checked,
    data: dataSource()
  })

  const drawChart = async () => {
    if (options === undefined || epochs.length === 0) return
    const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")])
    const record = { options, epochs } as unknown as RunRecord.RunRecord
    const spec = Curves.spec([{ name: "this page's run", record }], "DejaVu Sans, Verdana, Arial, sans-serif")
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg" })
    chart.innerHTML = await view.toSVG()
  }

  const drawWeights = (vector: Float64Array) => {
    if (options === undefined) return
    const sizes = options.layers
    if (sizes[0] !== 784) return
    const neurons = Math.min(sizes[1]!, 32)
    const w = vector.subarray(0, sizes[1]! * 784) // the first weight matrix leads the vector: (rows=neurons, cols=784)
    tiles.replaceChildren(
      ...Array.from({ length: neurons }, (_, j) => WeightImages.tile(w, j, WeightImages.largest(w, j * 784, 784), `the weights of neuron ${j}`))
    )
  }

  const download = (name: string, textOf: string) =>
    h("a", { href: URL.createObjectURL(new Blob([textOf], { type: "application/json" })), download: name, id: `download-${name.replace(".", "-")}` }, `Download ${name}`)

  const onMessage = (message: FromWorker) => {
    switch (message.type) {
      case "loading":
        status.textContent = "Fetching MNIST…"
        break
      case "progress":
        status.textContent = `epoch ${message.epoch}/${options?.epochs}: ${message.done.toLocaleString("en-US")} of ${message.total.toLocaleString("en-US")} images, mini-batch cost ${message.cost.toFixed(4)}${paused ? " (paused)" : ""}`
        break
      case "params":
        drawWeights(message.vector)
        break
      case "epoch":
        epochs.push(message.metrics)
        void drawChart()
        break
      case "error":
        status.textContent = `The run could not go on: ${message.message}`
        finish()
        break
      case "done": {
        status.textContent = message.status === "complete"
          ? `Done: ${epochs.length} epochs, test accuracy ${(100 * (epochs[epochs.length - 1]?.testAccuracy ?? 0)).toFixed(2)}%.`
          : message.status === "interrupted" ? `Stopped after ${epochs.length} complete epochs.` : "The run diverged: try a smaller η."
        status.dataset.done = message.status
        const table = h("table", { class: "hashes", id: "train-hashes" }, h("tr", {}, h("th", {}, "epoch"), h("th", {}, "train cost"), h("th", {}, "test accuracy"), h("th", {}, "paramsSha256")))
        for (const e of epochs) table.append(h("tr", {}, h("td", {}, String(e.epoch)), h("td", {}, e.trainCost.toFixed(4)), h("td", {}, `${(100 * e.testAccuracy).toFixed(2)}%`), h("td", { class: "hash" }, e.paramsSha256)))
        const modelJson = message.modelJson
        results.replaceChildren(
          h("p", {}, "Each epoch's parameters, hashed as descent train hashes them: the same options on the command line give the same hashes, and descent replay of this run.json says identical."),
          table,
          h("p", { class: "row" }, download("run.json", message.runJson), download("model.json", modelJson),
            h("button", { type: "button", id: "train-use", onclick: () => {
              session.model = Session.modelOfJson("trained in this page", modelJson)
              Session.changed(session, "model")
            } }, "Look at this model in the views above"))
        )
        finish()
        break
      }
    }
  }

  const finish = () => {
    worker?.terminate()
    worker = undefined
    start.disabled = false
    pause.disabled = true
    stop.disabled = true
  }

  const send = (message: ToWorker) => worker?.postMessage(message)
  start.addEventListener("click", () => {
    options = read()
    epochs = []
    results.replaceChildren()
    chart.replaceChildren()
    delete status.dataset.done
    worker = new Worker(new URL("worker.js", location.href), { type: "module" })
    worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data)
    worker.onerror = (event) => onMessage({ type: "error", message: event.message })
    send({ type: "start", options, data: dataUrl(), engine: engine(), platform: navigator.platform || "unknown", ...(session.data === undefined ? {} : { mnist: session.data }) })
    paused = false
    start.disabled = true
    pause.disabled = false
    stop.disabled = false
    pause.textContent = "Pause"
  })
  pause.addEventListener("click", () => {
    paused = !paused
    send({ type: paused ? "pause" : "resume" })
    pause.textContent = paused ? "Resume" : "Pause"
  })
  stop.addEventListener("click", () => send({ type: "stop" }))

  const element = h(
    "div",
    {},
    h(
      "div",
      { class: "form" },
      field("train-layers", "--layers", inputs.layers, "neurons per layer, input first"),
      field("train-activation", "--activation", inputs.activation, "of the hidden layers"),
      field("train-output", "--output", inputs.output, "softmax needs cross-entropy"),
      field("train-cost", "--cost", inputs.cost, "the cost to lower"),
      field("train-init", "--init", inputs.init, "initial weights"),
      field("train-eta", "--eta", inputs.eta, "η, the learning rate"),
      field("train-schedule", "--schedule", inputs.schedule, "how η changes over the epochs"),
      field("train-eta-decay", "--eta-decay", inputs.etaDecay, "exponential, step: η × this"),
      field("train-warmup", "--warmup", inputs.warmup, "epochs of η climbing first"),
      field("train-optimizer", "--optimizer", inputs.optimizer, "how each step goes downhill"),
      field("train-l2", "--l2", inputs.l2, "L2 regularisation λ"),
      field("train-batch-size", "--batch-size", inputs.batchSize, "examples per mini-batch"),
      field("train-epochs", "--epochs", inputs.epochs, "passes over the training set"),
      field("train-seed", "--seed", inputs.seed, "every random choice"),
      field("train-subset", "--subset", inputs.subset, "first N training images (empty: all)"),
      field("train-augment", "--augment", inputs.augment, "images moved anew every epoch")
    ),
    h("div", { class: "row" }, start, pause, stop),
    status,
    h("div", { class: "row top" }, chart, h("div", {}, h("h3", {}, "The first layer's weights, as they are learned"), tiles)),
    results
  )
  return { element }
}
