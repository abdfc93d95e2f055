/**
 * What every command's flags are made with, beyond @effect/cli's own: a refusal that names the
 * flag and the fix, text that may not be empty, and a default that `--help` shows (@effect/cli
 * prints a default only when it is an `Option`, so the real value is put back after parsing).
 *
 * Not for: a command's own flags (see `Cli`, and `TrainFlags` for `descent train`'s).
 *
 * @since 0.3.0
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"

/**
 * A parse failure with this message (one line: the flag, its value, what to give instead).
 *
 * @since 0.3.0
 * @category errors
 */
export const refuse = (message: string): Effect.Effect<never, ValidationError.ValidationError> =>
  Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

/**
 * The option's values that `problem` finds nothing wrong with.
 *
 * @since 0.3.0
 * @category combinators
 */
export const checked = <A>(option: Options.Options<A>, problem: (value: A) => string | undefined): Options.Options<A> =>
  Options.mapEffect(option, (value) => {
    const found = problem(value)
    return found === undefined ? Effect.succeed(value) : refuse(found)
  })

/**
 * A text option that refuses to be empty (`--out ""` would mean the current folder).
 *
 * @since 0.3.0
 * @category flags
 */
export const text = (name: string): Options.Options<string> =>
  Options.mapEffect(Options.text(name), (value) => (value.trim() === "" ? refuse(`--${name} is empty; give a path`) : Effect.succeed(value)))

/**
 * `option`, or `fallback` when the command line does not give it — which `--help` shows as
 * "default: `shown`".
 *
 * @since 0.3.0
 * @category combinators
 */
export const withDefault = <A>(option: Options.Options<A>, fallback: A, shown: string = String(fallback)): Options.Options<A> =>
  option.pipe(
    Options.map((value) => ({ value })),
    Options.withDefault(Option.some(shown)),
    Options.map((parsed) => (Option.isOption(parsed) ? fallback : parsed.value))
  )
