import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli";

// #12 item 1: no search or solve can run for ever. α = 1e-16 made `mdeAt` double its bracket for ever (qt = ∞, so
// power is always 0) and hung the server; now every search has a cap and a finite-bracket check, and inputs outside the
// range where the maths is exact are a 400 that says why.

/** POSTs each body to the route's action in a child process with a time limit; the answers, or a failure if it hung. */
function post(route: string, bodies: unknown[]): { status: number; body: { error?: string } }[] {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "test/security/call-route.ts", route, JSON.stringify(bodies)],
    { cwd: ROOT, encoding: "utf8", timeout: 30_000 },
  );
  expect(run.signal, "the request did not end within 30 s").toBeNull();
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe("solver caps", () => {
  it("answers the issue's hanging requests, a power too close to 1 and an overflowing effect with a 400 saying why", () => {
    const answers = post("api.power", [
      { metric: "mean", sd: 1, n: 100, alpha: 1e-16 },
      { metric: "mean", sd: 1, n: 100, alpha: 1e-15, arms: 10 },
      { metric: "mean", sd: 1, n: 100, alpha: 5e-10, arms: 10 },
      { metric: "proportion", baseline: 0.1, mde: 0.01, power: 1 - 1e-12 },
      { metric: "mean", mean: 1e300, sd: 1, mde: 1e12, relative: true },
    ]);
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    for (const a of answers.slice(0, 3)) expect(a.body.error).toMatch(/alpha.*1e-10/);
    expect(answers[3].body.error).toMatch(/power must be at most/);
    expect(answers[4].body.error).toMatch(/effect of Infinity/);
  });

  it("refuses result sets whose sums overflow the variance", () => {
    const [answer] = post("api.analyze", [
      {
        metric: "mean",
        arms: [
          { name: "c", n: 2, sum: 2e150, sumSquares: 4e300 },
          { name: "t", n: 2, sum: 2, sumSquares: 4 },
        ],
      },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/1e100|1e200/);
  });

  it("sweeps extreme inputs through every solver under a time limit: each ends, finite or refused with a reason", () => {
    // a child process, so that a search that never ends is killed at the limit instead of hanging the test
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/security/solver-sweep.ts"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.signal, `the sweep was killed at the time limit:\n${run.stderr}`).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      calls: number;
      slowest: { ms: number; what: string };
      failures: string[];
      failureCount: number;
    };
    expect(out.failures).toEqual([]);
    expect(out.calls).toBeGreaterThan(5_000);
    expect(out.slowest.ms, out.slowest.what).toBeLessThan(3_000);
  }, 90_000);
});
