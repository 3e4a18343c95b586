import { performance } from "node:perf_hooks";
import { Random } from "../seed/random";
import { fitBgNbd, fitGammaGamma } from "~/planning/clv";

// npm run bench (CLV): fitting BG/NBD + Gamma-Gamma by maximum likelihood on 25,000 customers simulated from known
// parameters (39-week calibration, CDNOW-like); medians of 3 fits, and the parameters recovered.
const rng = new Random(2024);
const random = rng.next;
const gamma = (shape: number, scale: number) => rng.gamma(shape, scale);
const truth = { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4, p: 6, q: 4, v: 15 };
const customers = Array.from({ length: 25_000 }, () => {
  const T = 39 - random() * 12;
  const lambda = gamma(truth.r, 1 / truth.alpha);
  const ga = gamma(truth.a, 1);
  const p = ga / (ga + gamma(truth.b, 1));
  let t = 0;
  let x = 0;
  let tx = 0;
  for (;;) {
    t += -Math.log(1 - random()) / lambda;
    if (t > T) break;
    x++;
    tx = t;
    if (random() < p) break;
  }
  const nu = gamma(truth.q, 1 / truth.v);
  const m = x > 0 ? Array.from({ length: x }, () => gamma(truth.p, 1 / nu)).reduce((a, b) => a + b, 0) / x : 0;
  return { x, tx, T, m };
});
const times: number[] = [];
let fitted = fitBgNbd(customers);
let gg = fitGammaGamma(customers.filter((c) => c.x > 0));
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  fitted = fitBgNbd(customers);
  gg = fitGammaGamma(customers.filter((c) => c.x > 0));
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(
  `\nCLV benchmark: BG/NBD + Gamma-Gamma fit on 25,000 simulated customers: median ${times[1].toFixed(2)} s (runs ${times.map((t) => t.toFixed(2)).join(", ")})`,
);
console.log(
  `  recovered r ${fitted.r.toFixed(3)} (true ${truth.r}), α ${fitted.alpha.toFixed(2)} (${truth.alpha}), a ${fitted.a.toFixed(3)} (${truth.a}), b ${fitted.b.toFixed(2)} (${truth.b}); p ${gg.p.toFixed(2)} (${truth.p}), q ${gg.q.toFixed(2)} (${truth.q}), v ${gg.v.toFixed(2)} (${truth.v})`,
);
