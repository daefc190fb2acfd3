// Last-resort cleanup: if a chaos file dies before its after hooks (an uncaught error, SIGINT, SIGTERM from the test
// runner's timeout), every child process group and temp folder it made is still removed. The after hooks do the normal
// cleanup; these handlers only catch what they could not.
const handlers = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const h of [...handlers].reverse()) {
    try {
      h();
    } catch {
      // keep going: the others must still run
    }
  }
  handlers.clear();
}

/** Registers a synchronous cleanup; returns a function that unregisters it (call it once the normal cleanup ran). */
export function onExit(handler: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  handlers.add(handler);
  return () => handlers.delete(handler);
}
