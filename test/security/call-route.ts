// Calls a route's action with JSON bodies in a child process and prints [{status, body}] as one JSON line: a request
// that would hang (as POST /api/power with α = 1e-16 did) is killed by the test's time limit instead of hanging it.
const [route, bodies] = [process.argv[2], JSON.parse(process.argv[3]) as unknown[]];
const mod = (await import(`~/routes/${route}`)) as {
  action: (args: { request: Request; params: object; context: object }) => Promise<Response>;
};
const out = [];
for (const body of bodies) {
  const res = await mod.action({
    request: new Request("http://localhost/api", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    }),
    params: {},
    context: {},
  });
  out.push({ status: res.status, body: (await res.json()) as unknown });
}
process.stdout.write(JSON.stringify(out) + "\n");
export {};
