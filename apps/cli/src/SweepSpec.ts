/**
 * What `descent sweep` tries: a grid of `descent train` settings (`--grid eta=0.5,1,3`, every
 * combination of every `--grid`), settings shared by all of them (`--set cost=cross-entropy`),
 * and the seeds each combination runs with — and the names, folders and `descent train`
 * arguments of each combination (a point).
 *
 * A key is a `descent train` flag without its dashes; a value is written as after that flag,
 * except that layer sizes are joined by `-` (`--grid layers=784-30-10,784-100-10`), since commas
 * separate a grid's values.
 *
 * Not for: running the points or ranking them (see `commands/Sweep`).
 *
 * @since 0.4.0
 */
import { Effect } from "effect"

/**
 * The `descent train` flags a sweep may set or vary: everything that shapes a run but its seed,
 * its data and its validation split (one per sweep: points are compared on the same images), and
 * the flags of how it is run.
 *
 * @since 0.4.0
 * @category keys
 */
export const keys = [
  "layers", "activation", "output", "cost", "precision", "init", "eta", "eta-decay", "schedule", "decay-every", "eta-min", "warmup",
  "optimizer", "momentum", "beta1", "beta2", "epsilon", "weight-decay", "l2", "batch-size", "epochs", "subset", "augment", "augment-strength"
] as const

// Settings that are switches: `augment=true` gives `--augment`, `augment=false` nothing.
const switches: ReadonlyArray<Key> = ["augment"]

/**
 * @since 0.4.0
 * @category models
 */
export type Key = (typeof keys)[number]

/**
 * One setting: a key and its value, as written.
 *
 * @since 0.4.0
 * @category models
 */
export interface Setting {
  readonly key: Key
  readonly value: string
}

/**
 * @since 0.4.0
 * @category models
 */
export interface Axis {
  readonly key: Key
  readonly values: ReadonlyArray<string>
}

const keyOf = (flag: string, key: string): Effect.Effect<Key, string> =>
  (keys as ReadonlyArray<string>).includes(key)
    ? Effect.succeed(key as Key)
    : Effect.fail(
      ["seed", "seeds", "data", "validation", "out", "resume", "json", "jobs", "threads", "max-memory"].includes(key)
        ? `--${flag} ${key}=…: ${key} is the sweep's own (give descent sweep --${key === "seed" ? "seeds" : key} once)`
        : `--${flag} ${key}=…: ${key} is not a setting a sweep can ${flag === "grid" ? "vary" : "set"}; give one of ${keys.join(", ")}`
    )

const split = (flag: string, text: string): Effect.Effect<readonly [Key, string], string> => {
  const at = text.indexOf("=")
  if (at <= 0 || at === text.length - 1) {
    return Effect.fail(`--${flag} ${text}: give a setting and ${flag === "grid" ? "its values" : "its value"}, like ${flag === "grid" ? "eta=0.5,1,3" : "cost=cross-entropy"}`)
  }
  return Effect.map(keyOf(flag, text.slice(0, at).trim()), (key) => [key, text.slice(at + 1).trim()] as const)
}

/**
 * "eta=0.5,1,3" as an axis of the grid, or why not.
 *
 * @since 0.4.0
 * @category parsing
 */
export const parseAxis = (text: string): Effect.Effect<Axis, string> =>
  Effect.flatMap(split("grid", text), ([key, list]) => {
    const values = list.split(",").map((value) => value.trim())
    if (values.some((value) => value === "")) return Effect.fail(`--grid ${text}: a value is empty; separate the values by single commas`)
    if (new Set(values).size !== values.length) return Effect.fail(`--grid ${text}: each value once`)
    if (switches.includes(key) && values.some((value) => value !== "true" && value !== "false")) {
      return Effect.fail(`--grid ${text}: ${key} is a switch: give true, false or both (--grid ${key}=false,true)`)
    }
    return Effect.succeed({ key, values })
  })

/**
 * "cost=cross-entropy" as a setting shared by every point, or why not.
 *
 * @since 0.4.0
 * @category parsing
 */
export const parseSetting = (text: string): Effect.Effect<Setting, string> =>
  Effect.flatMap(split("set", text), ([key, value]) =>
    value.includes(",") && key !== "layers"
      ? Effect.fail(`--set ${text}: one value (to try several, use --grid)`)
      : switches.includes(key) && value !== "true" && value !== "false"
      ? Effect.fail(`--set ${text}: ${key} is a switch: give true or false`)
      : Effect.succeed({ key, value: key === "layers" ? value.replace(/,/g, "-") : value })
  )

/**
 * Every combination of the axes' values, the first axis changing slowest.
 *
 * @since 0.4.0
 * @category points
 */
export const points = (axes: ReadonlyArray<Axis>): ReadonlyArray<ReadonlyArray<Setting>> =>
  axes.reduce<ReadonlyArray<ReadonlyArray<Setting>>>(
    (combinations, axis) => combinations.flatMap((combination) => axis.values.map((value) => [...combination, { key: axis.key, value }])),
    [[]]
  )

/**
 * A point's settings as `descent train` flags (layer sizes joined by commas again).
 *
 * @since 0.4.0
 * @category points
 */
export const argsOf = (settings: ReadonlyArray<Setting>): ReadonlyArray<string> =>
  settings.flatMap(({ key, value }) =>
    switches.includes(key) ? (value === "true" ? [`--${key}`] : []) : [`--${key}`, key === "layers" ? value.replace(/-/g, ",") : value]
  )

/**
 * A point's settings as people read them: "eta=0.5 optimizer=adam" (or "(the base settings)").
 *
 * @since 0.4.0
 * @category points
 */
export const labelOf = (settings: ReadonlyArray<Setting>): string =>
  settings.length === 0 ? "(the base settings)" : settings.map(({ key, value }) => `${key}=${value}`).join(" ")

/**
 * The folder of point `index` (from 0) of `count`: its number, then its settings, in characters
 * every file system and shell takes ("03_eta-0.5_optimizer-adam").
 *
 * @since 0.4.0
 * @category points
 */
export const folderOf = (index: number, count: number, settings: ReadonlyArray<Setting>): string =>
  [String(index + 1).padStart(String(count).length, "0"), ...settings.map(({ key, value }) => `${key}-${value}`)]
    .join("_")
    .replace(/[^A-Za-z0-9._-]/g, "-")

/**
 * "1,2,3" as the seeds every point runs with (one or more), or why not.
 *
 * @since 0.4.0
 * @category parsing
 */
export const parseSeeds = (text: string): Effect.Effect<ReadonlyArray<number>, string> => {
  const parts = text.split(",").map((part) => part.trim())
  const seeds = parts.map(Number)
  if (parts.some((part) => !/^-?\d+$/.test(part)) || !seeds.every((seed) => Number.isSafeInteger(seed) && seed >= -0x80000000 && seed <= 0x7fffffff)) {
    return Effect.fail(`--seeds ${text}: give 32-bit integers separated by commas, like 1,2,3`)
  }
  if (new Set(seeds).size !== seeds.length) return Effect.fail(`--seeds ${text}: each seed once`)
  return Effect.succeed(seeds)
}
