/**
 * `--max-memory SIZE`, on every command that reads data, models or images: the memory the
 * command may take. What the work would need — a network and its batches, a data set from its
 * headers, a model file from its size, a picture from its dimensions — is estimated before it
 * starts and refused, with this flag named, when it is more; running out of memory is never how
 * a problem is found.
 *
 * @since 0.3.0
 */
import { Memory } from "@descent/core"
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"

/**
 * The memory the process itself takes before any work: Node, Effect and descent's code
 * (about 70 MB measured on Node 20), with room to spare.
 *
 * @since 0.3.0
 * @category constants
 */
export const baseline = 100 * 1024 * 1024

const shown = "2G"

/**
 * The limit a user gave, with how to raise it.
 *
 * @since 0.3.0
 * @category constructors
 */
export const limit = (bytes: number): Memory.Limit =>
  Memory.limit(bytes, "raise it with --max-memory SIZE (like --max-memory 8G), if the machine has that much to spare")

/**
 * The part of `limit` left once `used` bytes are spoken for (by the process and a network or
 * a model), for the next thing to be checked against; its advice says where the rest went.
 *
 * @since 0.3.0
 * @category constructors
 */
export const remaining = (whole: Memory.Limit, used: number, usedBy: string): Memory.Limit =>
  Memory.limit(
    Math.max(0, whole.bytes - used),
    `of the --max-memory ${Memory.format(whole.bytes)}, descent and ${usedBy} take ${Memory.format(used)}; ${whole.raise}`
  )

/**
 * The `--max-memory` option, parsed into a `Memory.Limit`.
 *
 * @since 0.3.0
 * @category flags
 */
export const option: Options.Options<Memory.Limit> = Options.text("max-memory").pipe(
  Options.withPseudoName("SIZE"),
  Options.withDescription(
    "The most memory the command may take, like 512M, 2G or 8G (a plain number is in MiB). Work that would need more is refused before it starts, saying how much it needs."
  ),
  // @effect/cli shows a default in --help when it is an Option: the placeholder stands for it.
  Options.withDefault(Option.some(shown)),
  Options.mapEffect((given) => {
    const text = Option.isOption(given) ? shown : given
    const bytes = Memory.parse(text)
    if (bytes === undefined) {
      return Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--max-memory ${text}: give a size like 512M, 2G or 8G`)))
    }
    if (bytes < baseline) {
      return Effect.fail(
        ValidationError.invalidValue(HelpDoc.p(`--max-memory ${text}: descent itself takes about ${Memory.format(baseline)}; give more`))
      )
    }
    return Effect.succeed(limit(bytes))
  })
)
