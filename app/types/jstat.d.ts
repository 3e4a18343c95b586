// jStat 1.9 ships no types: the few functions the statistics modules use.
declare module "jstat" {
  type JStat = {
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
    studentt: { cdf(x: number, df: number): number; inv(p: number, df: number): number };
    ibeta(x: number, a: number, b: number): number;
    gammaln(x: number): number;
  };
  const jstat: { jStat: JStat };
  export default jstat;
}
