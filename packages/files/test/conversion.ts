// What the conversion tests expect of a refusal: a ConversionError with a one-line message.
import { ConversionError } from "@descent/files"
import { expect } from "@effect/vitest"
import { Effect, Exit } from "effect"

/** The message `effect` fails with, checked to be one line of a `ConversionError`. */
export const refusal = <A, R>(effect: Effect.Effect<A, unknown, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) throw new Error("expected a failure")
    const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect(error).toBeInstanceOf(ConversionError)
    const message = (error as ConversionError).message
    expect(message).not.toMatch(/\n/)
    return message
  })
