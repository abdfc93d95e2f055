/**
 * The runs of `descent train --seeds`, side by side. Each seed's run is a descent process of its
 * own — the very command that trains that seed alone (`descent train … --seed S --out
 * ROOT/seed-S`, or `--resume ROOT/seed-S`) — so each result is, bit for bit, the one it would be
 * alone, and as many run at once as the memory limit allows (each is given its share of it), up
 * to twice the machine's cores: with 3 seeds on 2 cores all 3 run, which ends sooner than 2 and
 * then 1.
 *
 * Progress: each run's epochs as they end, on stdout, marked with the seed (with `--json`, each
 * epoch's object with a `seed` field). Ctrl-C (or SIGTERM) is passed on to every run once: each
 * stops after its batch and keeps its checkpoint, and `--resume ROOT` continues them all. Each
 * run is started in its own process group, so a terminal's Ctrl-C reaches them only through
 * here, once.
 *
 * Not for: one run (see `TrainRun`) or the summary of the seeds (see `commands/Train`).
 *
 * @since 0.3.0
 */
import type { Memory } from "@descent/core"
import { spawn } from "node:child_process"
import { availableParallelism } from "node:os"
import { Effect } from "effect"
import { Interrupted, SeedFailed } from "./CliError.js"
import * as Invocation from "./Invocation.js"
import * as Output from "./Output.js"

/**
 * One seed's run: the `descent train` arguments that run it alone. `label` names it in
 * progress lines and failures ("seed 3" by default; `descent sweep` adds its settings), and
 * `fields` go into each epoch's JSON object (`{ seed }` by default).
 *
 * @since 0.3.0
 * @category models
 */
export interface Job {
  readonly seed: number
  readonly args: ReadonlyArray<string>
  readonly epochs: number
  readonly label?: string
  readonly fields?: Readonly<Record<string, unknown>>
}

const labelOf = (job: Job): string => job.label ?? `seed ${job.seed}`

/**
 * How many of `jobs` runs to have going at once: all of them, if the limit holds that many runs
 * of `perRun` bytes, and at most twice the machine's cores.
 *
 * @since 0.3.0
 * @category scheduling
 */
export const concurrency = (jobs: number, perRun: number, limit: Memory.Limit): number =>
  Math.max(1, Math.min(jobs, 2 * availableParallelism(), Math.floor(limit.bytes / perRun)))

type Ended = { readonly job: number; readonly code: number | null; readonly lastError: string }

/**
 * Runs every job, `at` at a time, each given `--max-memory` of `share` bytes, and prints their
 * epochs as they come; fails when one failed (the first, by seed order) or when stopped.
 * `resume` is the command that continues all of them.
 *
 * @since 0.3.0
 * @category running
 */
export const runAll = (
  jobs: ReadonlyArray<Job>,
  options: { readonly at: number; readonly share: number; readonly json: boolean; readonly resume: string }
): Effect.Effect<void, SeedFailed | Interrupted, Output.Output> =>
  Effect.flatMap(Output.Output, (output) =>
    Effect.async<ReadonlyArray<Ended>>((resume) => {
      const [command, ...prefix] = Invocation.argv()
      const children = new Map<number, ReturnType<typeof spawn>>() // by job's index
      const ended: Array<Ended> = []
      let next = 0
      let stopping = false
      const startNext = () => {
        while (!stopping && children.size < options.at && next < jobs.length) {
          const index = next++
          const job = jobs[index]!
          const child = spawn(command, [...prefix, "train", ...job.args, "--json", "--max-memory", `${Math.floor(options.share / (1024 * 1024))}M`], {
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
            env: { ...process.env, NO_COLOR: "1" }
          })
          children.set(index, child)
          let out = ""
          let err = ""
          child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
            out += chunk
            let newline: number
            while ((newline = out.indexOf("\n")) !== -1) {
              const text = out.slice(0, newline)
              out = out.slice(newline + 1)
              if (text.trim() === "") continue
              const metrics = JSON.parse(text) as Record<string, unknown>
              if (options.json) output.stdout(JSON.stringify({ ...(job.fields ?? { seed: job.seed }), ...metrics }))
              else output.stdout(`${labelOf(job)}  ${Output.epochLine(metrics as never, job.epochs)}`)
            }
          })
          child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
          child.on("close", (code) => {
            children.delete(index)
            const lines = err.trim().split("\n").filter((line) => line.startsWith("descent: "))
            ended.push({ job: index, code, lastError: lines[lines.length - 1]?.replace(/^descent: /, "") ?? "" })
            if (children.size === 0 && (stopping || next === jobs.length)) finish()
            else startNext()
          })
        }
      }
      // A signal to this process goes on, once, to every run going.
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return
        stopping = true
        output.stderr(`${signal}: stopping every run after its current batch`)
        for (const child of children.values()) child.kill(signal)
        if (children.size === 0) finish()
      }
      const finish = () => {
        process.off("SIGINT", stop)
        process.off("SIGTERM", stop)
        resume(Effect.succeed(ended))
      }
      process.on("SIGINT", stop)
      process.on("SIGTERM", stop)
      startNext()
      if (jobs.length === 0) finish()
      return Effect.sync(() => {
        for (const child of children.values()) child.kill("SIGKILL")
      })
    })
  ).pipe(
    Effect.flatMap((ended): Effect.Effect<void, SeedFailed | Interrupted> => {
      const inOrder = [...ended].sort((a, b) => a.job - b.job)
      if (inOrder.some((e) => e.code === 130 || e.code === 143) || inOrder.length < jobs.length) {
        return Effect.fail(new Interrupted({ resume: options.resume, kept: "each run's last completed checkpoint is kept" }))
      }
      const failed = inOrder.find((e) => e.code !== 0)
      return failed === undefined
        ? Effect.void
        : Effect.fail(new SeedFailed({ message: `${labelOf(jobs[failed.job]!)}: ${failed.lastError || `its run ended with exit code ${failed.code}`}` }))
    })
  )
