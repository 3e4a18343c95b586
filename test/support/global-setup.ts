// The tests run the CLI and the server as users do, compiled (dist/): build them once, before any test, when stale.
export async function setup(): Promise<void> {
  const scripts = new URL("../../scripts/", import.meta.url).href;
  const { isStale } = (await import(`${scripts}stale.mjs`)) as { isStale: () => boolean };
  if (isStale()) await ((await import(`${scripts}build-node.mjs`)) as { buildNode: () => Promise<void> }).buildNode();
}
