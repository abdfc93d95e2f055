// A network's shape and choices: the chapter's defaults, and what it was asked for.
import { Activation, Cost, Network } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

describe("Network", () => {
  it("defaults to the chapter's choices: sigmoid everywhere, quadratic cost, in f64", () => {
    const network = Network.make({ sizes: [3, 2] })
    expect(network.hidden).toBe(Activation.sigmoid)
    expect(network.output).toBe(Activation.sigmoid)
    expect(network.cost).toBe(Cost.quadratic)
    expect(network.precision).toBe("f64")
  })

  it("keeps the precision it is asked for", () => {
    expect(Network.make({ sizes: [3, 2], precision: "f32" }).precision).toBe("f32")
    expect(Network.make({ sizes: [3, 2], precision: "f64" }).precision).toBe("f64")
  })
})
