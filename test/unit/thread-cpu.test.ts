import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { processCpuSeconds, threadCpuSeconds } from "~/lib/thread-cpu.server";

// The import report's CPU seconds per stage (issue 15's growth exponents) are the importing thread's own: work done
// meanwhile by another thread (the staging and sweep threads) must not count in them, and waiting is not CPU.
describe("threadCpuSeconds", () => {
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    let x = 0;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    return x;
  };

  it("counts this thread's work and not its waiting", async () => {
    const t0 = threadCpuSeconds();
    busy(150);
    const worked = threadCpuSeconds() - t0;
    expect(worked).toBeGreaterThan(0.01);
    expect(worked).toBeLessThan(0.3);
    const t1 = threadCpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(threadCpuSeconds() - t1).toBeLessThan(0.05);
  });

  it("leaves out another thread's work, which the process's total counts", async () => {
    const thread = threadCpuSeconds();
    const process = processCpuSeconds();
    const worker = new Worker(
      "const until = performance.now() + 400; let x = 0; while (performance.now() < until) x += Math.sqrt(x + 1);",
      { eval: true },
    );
    await new Promise((resolve, reject) => worker.on("exit", resolve).on("error", reject));
    const ownCpu = threadCpuSeconds() - thread;
    const everyThread = processCpuSeconds() - process;
    // the worker's 400 ms loop ran on the other core (or shared this one): it is in the process's total only
    expect(everyThread - ownCpu).toBeGreaterThan(0.1);
    expect(ownCpu).toBeLessThan(0.15);
  });
});
