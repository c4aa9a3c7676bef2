/**
 * happy-dom does not load frames and reports every blob: iframe through the runner's own console
 * (captured before the test starts); those lines are noise in these tests, so they are dropped.
 */
const NOISE = 'Iframe page loading is disabled';

function quiet(target: Console): void {
  const original = target.error.bind(target);
  target.error = (...args: unknown[]) => {
    if (args.some((a) => String(a).includes(NOISE))) return;
    original(...args);
  };
}

export async function quietIframeLoading(): Promise<void> {
  quiet(console);
  const consoleModule = 'node:console';
  try {
    const mod = (await import(/* @vite-ignore */ consoleModule)) as { default?: Console };
    if (mod.default && mod.default !== console) quiet(mod.default);
  } catch {
    // Not in Node: nothing else to quiet.
  }
}
