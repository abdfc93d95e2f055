// Layer 1's loops as jobs split between threads that share one memory — bit for bit what one
// thread computes, because no sum is split: a job hands each thread whole sums.
//
// Layer 1's neurons are cut into panels, one per thread: panel t is neurons [from, from+width)
// of the layer, its transposed weights and their gradient (rows=inputs, cols=width) a block of
// memory of its own. Thread t alone reads and writes its panel, so its weights stay in its
// core's cache from batch to batch, and no two threads ever write one cache line of them.
// (Splitting the columns of one matrix instead was slower than one thread: the cores' prefetch
// kept pulling each other's lines.) With one thread the one panel is the whole layer.
//
// - `layer1Load`: each thread loads a range of examples' pixels (an example is one thread's).
// - `layer1Forward`: each thread sums its panel's neurons for every example — and, for a sigmoid
//   layer, takes their sigmoids.
// - `layer1Gradient`, `layer1Step`, `layer1StepAll`: each thread sums its panel's weights' (and
//   biases') gradient over every example, then steps the weights. A weight's sum is the same in
//   any panel.
// - `layer1Optimise`: each thread takes an optimiser's step (optimisers.ts) of its panel's
//   weights, with their state, which sits beside them in the panel. The rules are element-wise:
//   any cut of the entries gives the same bits.
//
// One thread (the caller, thread 0) runs the host's code and hands out jobs; the others sit in
// `serve`. A job is published by bumping `generation`; each helper does its part and counts
// down `pending`; the caller does its own part and waits for `pending` to reach 0. Waiting
// spins first (the gap between two jobs of a batch is a few microseconds of the host's work)
// and only then sleeps on the futex, so an idle helper costs nothing for long. With one
// thread a job is a plain call: nothing is published and nobody waits.
//
// A job block works in one precision (`describe`'s f32): the loops' f64 or f32 version.
import { sigmoidRows } from "./activations"
import { forward, gradient, loadPixels, step, stepRange, sumColumns } from "./kernels"
import { optimise } from "./optimisers"

/** A job in memory: how it is shared out, and the workspace's buffers (byte offsets). */
@unmanaged class Job {
  /** Bumped once per job; helpers wait for it to change. */
  generation: i32
  /** Helpers still working on the current job. */
  pending: i32
  /** Helpers asleep on `generation` (notified only when there are some). */
  sleepers: i32
  /** 1 while the caller sleeps on `pending`. */
  callerAsleep: i32
  kind: i32
  threads: i32
  /** 1: the workspace's numbers are f32, else f64. */
  f32: bool
  m: i32
  loaded: i32
  shrink: f64
  eta: f64
  mean: f64
  /** The rule of `layer1Optimise` (optimisers.ts's MOMENTUM…ADAM), its L2 and its factors. */
  optimizer: i32
  coupled: bool
  l2: f64
  f1: f64
  f2: f64
  f3: f64
  f4: f64
  f5: f64
  f6: f64
  f7: f64
  // Layer 1 and the batch, as `forward`, `gradient` and `step` take them.
  /** Per thread, a `Panel`. */
  panels: usize
  /** The layer's width in the delta rows (its neurons rounded up to a whole vector). */
  stride: i32
  nOut: i32
  nIn: i32
  bias: usize
  /** Where layer 1's bias gradient goes (the job of the gradient sums it, each thread its panel's). */
  biasGradient: usize
  index: usize
  counts: usize
  masks: usize
  dense: usize
  raw: usize
  values: usize
  z: usize
  /** Layer 1's activations (rows=examples, cols=nOut), written by `layer1Forward` for a
   * sigmoid layer; else the host applies the layer's activation. */
  a: usize
  sigmoid: bool
  delta: usize
  /** One union list and one touched mask row per thread, `unionBytes`/`touchedBytes` apart. */
  unions: usize
  touched: usize
}

const FORWARD: i32 = 1
const LOAD: i32 = 2
const GRADIENT: i32 = 3
const STEP: i32 = 4
const STEP_ALL: i32 = 5
const QUIT: i32 = 6
const GRADIENT_STEP: i32 = 7
const GRADIENT_STEP_ALL: i32 = 8
const OPTIMISE: i32 = 9

/** Spins before sleeping: a few milliseconds at most, far longer than a batch's gap. */
const SPINS: i32 = 1 << 16

/**
 * Neurons [from, from+width) of layer 1, their transposed weights wt and gradient gt, and an
 * optimiser's state of those weights, laid out as they are (s1, s2: 0 when it keeps none).
 */
@unmanaged class Panel {
  from: i32
  width: i32
  wt: usize
  gt: usize
  s1: usize
  s2: usize
}

/** Bytes of the job block (`describe` fills it) and of one panel, for the host's allocation. */
export function jobBytes(): i32 {
  return offsetof<Job>()
}
export function panelBytes(): i32 {
  return offsetof<Panel>()
}

/** Bytes apart of the per-thread union lists and touched rows, for `nIn` inputs. */
export function unionBytes(nIn: i32): i32 {
  return (nIn * 4 + 15) & ~15
}
export function touchedBytes(nIn: i32): i32 {
  return (((nIn + 15) >> 4) * 4 + 15) & ~15
}

/**
 * Sets up the job block at `at` for a workspace: its buffers and its thread count; `panels`
 * holds one `Panel` per thread (see `describePanel`).
 */
export function describe(
  at: usize, threads: i32, f32: bool, panels: usize, stride: i32, nOut: i32, nIn: i32, bias: usize, biasGradient: usize,
  index: usize, counts: usize, masks: usize, dense: usize, raw: usize, values: usize, z: usize,
  a: usize, delta: usize, unions: usize, touched: usize
): void {
  memory.fill(at, 0, offsetof<Job>())
  const job = changetype<Job>(at)
  job.threads = threads
  job.f32 = f32
  job.panels = panels
  job.stride = stride
  job.nOut = nOut
  job.nIn = nIn
  job.bias = bias
  job.biasGradient = biasGradient
  job.index = index
  job.counts = counts
  job.masks = masks
  job.dense = dense
  job.raw = raw
  job.values = values
  job.z = z
  job.a = a
  job.delta = delta
  job.unions = unions
  job.touched = touched
}

/** Panel `thread` of the job block at `at`: neurons [from, from+width), wt and gt, s1 and s2. */
export function describePanel(at: usize, thread: i32, from: i32, width: i32, wt: usize, gt: usize, s1: usize, s2: usize): void {
  const panel = changetype<Panel>(changetype<Job>(at).panels + <usize>thread * offsetof<Panel>())
  panel.from = from
  panel.width = width
  panel.wt = wt
  panel.gt = gt
  panel.s1 = s1
  panel.s2 = s2
}

/** Loads m byte images from `raw`, clearing what the last `loaded` left (see `loadPixels`). */
export function layer1Load(at: usize, m: i32, loaded: i32): void {
  const job = changetype<Job>(at)
  job.m = m
  job.loaded = loaded
  run(at, LOAD)
}

/**
 * z of layer 1 for the m examples loaded (by `layer1Load`, or by the host and `scanInputs`),
 * and with `sigmoid` its activations a = σ(z) too.
 */
export function layer1Forward(at: usize, m: i32, sigmoid: bool): void {
  const job = changetype<Job>(at)
  job.m = m
  job.sigmoid = sigmoid
  run(at, FORWARD)
}

/** Layer 1's weight gradient of the m examples, summed into gt (see `gradient`). */
export function layer1Gradient(at: usize, m: i32): void {
  changetype<Job>(at).m = m
  run(at, GRADIENT)
}

/**
 * `layer1Gradient` then `layer1Step` (or, with `all`, `layer1StepAll`) in one job: each thread
 * steps its panel while its gradient is still in cache, and nobody waits in between.
 */
export function layer1GradientStep(at: usize, m: i32, shrink: f64, eta: f64, mean: f64, all: bool): void {
  changetype<Job>(at).m = m
  setStep(at, shrink, eta, mean)
  run(at, all ? GRADIENT_STEP_ALL : GRADIENT_STEP)
}

/** One step of the rows the last gradient touched (see `step`). */
export function layer1Step(at: usize, shrink: f64, eta: f64, mean: f64): void {
  setStep(at, shrink, eta, mean)
  run(at, STEP)
}

/** One step of every weight of layer 1 (a decaying step: see `step`). */
export function layer1StepAll(at: usize, shrink: f64, eta: f64, mean: f64): void {
  setStep(at, shrink, eta, mean)
  run(at, STEP_ALL)
}

/**
 * One step of an optimiser's rule (`kind`, with its factors, as optimisers.ts's `optimise`
 * takes them) of every weight of layer 1, each thread its panel's, from the summed gradient
 * (cleared after).
 */
export function layer1Optimise(
  at: usize, kind: i32, mean: f64, eta: f64, l2: f64, coupled: bool,
  f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64
): void {
  const job = changetype<Job>(at)
  job.optimizer = kind
  job.mean = mean
  job.eta = eta
  job.l2 = l2
  job.coupled = coupled
  job.f1 = f1
  job.f2 = f2
  job.f3 = f3
  job.f4 = f4
  job.f5 = f5
  job.f6 = f6
  job.f7 = f7
  run(at, OPTIMISE)
}

/** Tells the helpers to leave `serve`. */
export function quit(at: usize): void {
  const job = changetype<Job>(at)
  job.kind = QUIT
  atomic.add<i32>(at + offsetof<Job>("generation"), 1)
  atomic.notify(at + offsetof<Job>("generation"))
}

/**
 * A helper's loop: waits for jobs on the block at `at` and does part `thread` of each, until
 * `quit`. Starts from generation 0, a fresh block's, so no job published before the helper
 * arrives is missed (the caller waits for it).
 */
export function serve(at: usize, thread: i32): void {
  const job = changetype<Job>(at)
  const generation = at + offsetof<Job>("generation")
  const pending = at + offsetof<Job>("pending")
  let seen = 0
  while (true) {
    let spins = 0
    while (atomic.load<i32>(generation) == seen) {
      if (++spins < SPINS) continue
      atomic.add<i32>(at + offsetof<Job>("sleepers"), 1)
      atomic.wait<i32>(generation, seen, -1)
      atomic.sub<i32>(at + offsetof<Job>("sleepers"), 1)
      spins = 0
    }
    seen = atomic.load<i32>(generation)
    const kind = job.kind
    if (kind == QUIT) return
    work(job, kind, thread)
    if (atomic.sub<i32>(pending, 1) == 1 && atomic.load<i32>(at + offsetof<Job>("callerAsleep")) != 0) {
      atomic.notify(pending, 1)
    }
  }
}

// @ts-ignore: decorator
@inline function setStep(at: usize, shrink: f64, eta: f64, mean: f64): void {
  const job = changetype<Job>(at)
  job.shrink = shrink
  job.eta = eta
  job.mean = mean
}

/** Publishes a job, does the caller's part (0), and waits for the helpers' parts. */
function run(at: usize, kind: i32): void {
  const job = changetype<Job>(at)
  job.kind = kind
  const helpers = job.threads - 1
  if (helpers == 0) {
    work(job, kind, 0)
    return
  }
  const pending = at + offsetof<Job>("pending")
  atomic.store<i32>(pending, helpers)
  atomic.add<i32>(at + offsetof<Job>("generation"), 1)
  if (atomic.load<i32>(at + offsetof<Job>("sleepers")) > 0) atomic.notify(at + offsetof<Job>("generation"))
  work(job, kind, 0)
  let spins = 0
  while (true) {
    const left = atomic.load<i32>(pending)
    if (left == 0) break
    if (++spins < SPINS) continue
    atomic.store<i32>(at + offsetof<Job>("callerAsleep"), 1)
    atomic.wait<i32>(pending, left, -1)
    atomic.store<i32>(at + offsetof<Job>("callerAsleep"), 0)
    spins = 0
  }
}

/** Where thread t's share of `units` starts: ⌊units·t/threads⌋. */
// @ts-ignore: decorator
@inline function share(units: i32, thread: i32, threads: i32): i32 {
  return <i32>((<i64>units * thread) / threads)
}

/** Part `thread` of a job, in the job's precision. */
function work(job: Job, kind: i32, thread: i32): void {
  if (job.f32) workIn<f32>(job, kind, thread)
  else workIn<f64>(job, kind, thread)
}

function workIn<T>(job: Job, kind: i32, thread: i32): void {
  const threads = job.threads
  const nIn = job.nIn
  if (kind == LOAD) {
    // Examples [e0, e1) of the batch, and of the rows the last batch left.
    const rows = max(job.m, job.loaded)
    const e0 = share(rows, thread, threads), e1 = share(rows, thread + 1, threads)
    const line = <usize>nIn
    loadPixels<T>(
      job.raw + <usize>e0 * line, max(0, min(e1, job.m) - e0), nIn, job.values,
      job.index + <usize>e0 * (line << 2), job.counts + (<usize>e0 << 2),
      job.masks + <usize>e0 * (<usize>((nIn + 15) >> 4) << 2), job.dense + <usize>e0 * (line << alignof<T>()),
      max(0, min(e1, job.loaded) - e0)
    )
    return
  }
  const panel = changetype<Panel>(job.panels + <usize>thread * offsetof<Panel>())
  const from = panel.from, width = panel.width
  if (kind == OPTIMISE) {
    optimise<T>(
      job.optimizer, panel.wt, panel.gt, panel.s1, panel.s2, 0, nIn * width, <T>job.mean, <T>job.eta, <T>job.l2, job.coupled,
      <T>job.f1, <T>job.f2, <T>job.f3, <T>job.f4, <T>job.f5, <T>job.f6, <T>job.f7
    )
    return
  }
  if (kind == FORWARD) {
    const at = <usize>from << alignof<T>()
    const neurons = max(0, min(width, job.nOut - from))
    forward<T>(panel.wt, width, job.bias + at, neurons, job.index, job.counts, job.dense, nIn, job.m, job.z + at, job.nOut)
    if (job.sigmoid) sigmoidRows<T>(job.z + at, job.a + at, neurons, job.nOut, job.m)
    return
  }
  // The rows this thread's gradient marks in `touched` (every thread marks the same ones).
  const touched = job.touched + <usize>thread * <usize>touchedBytes(nIn)
  if (kind == GRADIENT || kind == GRADIENT_STEP || kind == GRADIENT_STEP_ALL) {
    const at = <usize>from << alignof<T>()
    sumColumns<T>(job.delta + at, max(0, min(width, job.nOut - from)), job.stride, job.m, job.biasGradient + at)
    gradient<T>(
      panel.gt, width, job.delta + (<usize>from << alignof<T>()), job.stride, job.dense, nIn, job.index, job.counts, job.masks, job.m,
      job.unions + <usize>thread * <usize>unionBytes(nIn), touched
    )
  }
  if (kind == STEP || kind == GRADIENT_STEP) {
    step<T>(panel.wt, panel.gt, width, touched, nIn, <T>job.shrink, <T>job.eta, <T>job.mean)
  } else if (kind == STEP_ALL || kind == GRADIENT_STEP_ALL) {
    stepRange<T>(panel.wt, panel.gt, 0, nIn * width, <T>job.shrink, <T>job.eta, <T>job.mean)
  }
}
