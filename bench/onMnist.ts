/**
 * Runs a benchmark's program with the bundled MNIST on Node (and a scope for its thread pools),
 * then exits: 0, or 1 after printing the failure.
 */
import type { Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer, type Scope } from "effect"

export const onMnist = <A, E>(program: Effect.Effect<A, E, Mnist.Mnist | Scope.Scope>): void => {
  Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(NodeMnist.bundled.pipe(Layer.provide(NodeContext.layer))))).then(
    () => process.exit(0),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
}
