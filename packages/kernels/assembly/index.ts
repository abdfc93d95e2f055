// The kernels module: the loops (kernels.ts) and the jobs that share layer 1's out between
// threads (jobs.ts).
export * from "./kernels"
export * from "./jobs"
