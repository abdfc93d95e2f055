/**
 * View 6: the runs `descent serve --runs DIR` found — their learning curves on one chart
 * (`Curves`, as `descent plot` draws them) and a button to look at each one's model in views
 * 1 to 5.
 *
 * @since 0.3.0
 */
import { RunRecord } from "@descent/files"
import { Schema } from "effect"
import * as Curves from "./Curves.js"
import { h } from "./Dom.js"
import * as Session from "./Session.js"

/**
 * A run as `/api/config` lists it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Listed {
  readonly name: string
  readonly run: string
  readonly model: string | null
}

/**
 * @since 0.3.0
 * @category views
 */
export const make = (session: Session.Session, listed: ReadonlyArray<Listed>): HTMLElement => {
  const element = h("div", { id: "runs" })
  if (listed.length === 0) {
    element.append(h("p", { class: "hint" }, "No recorded runs: start descent serve with --runs DIR (a folder of runs, like runs/) to see their curves here."))
    return element
  }
  const chart = h("div", { class: "chart", id: "runs-chart" }, "Loading the runs…")
  const list = h("ul", { class: "run-list" })
  element.append(chart, list)
  void (async () => {
    const runs: Array<Curves.Run> = []
    for (const entry of listed) {
      const response = await fetch(entry.run)
      if (!response.ok) continue
      const record = Schema.decodeUnknownSync(RunRecord.RunRecordFile)(await response.json())
      runs.push({ name: entry.name, record })
      const last = record.epochs[record.epochs.length - 1]
      list.append(
        h(
          "li",
          {},
          `${entry.name}: ${record.options.layers.join("-")}, ${record.options.cost}, η ${record.options.eta}, ${record.epochs.length} epochs${last === undefined ? "" : `, test accuracy ${(100 * last.testAccuracy).toFixed(2)}%`} `,
          entry.model === null
            ? null
            : h("button", {
              type: "button",
              class: "load-run",
              "data-run": entry.name,
              onclick: async () => {
                session.model = Session.modelOfJson(`${entry.name}/model.json`, await (await fetch(entry.model!)).text())
                Session.changed(session, "model")
              }
            }, "Look at its model")
        )
      )
    }
    const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")])
    const view = new vega.View(vega.parse(vegaLite.compile(Curves.spec(runs, "DejaVu Sans, Verdana, Arial, sans-serif")).spec), { renderer: "svg" })
    chart.innerHTML = await view.toSVG()
  })()
  return element
}
