// Reads the Prometheus text format into a map: `name{a="1",b="2"}` (labels sorted) → value.
export type Samples = Map<string, number>;

export function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples.set(key(m[1]!, labels), Number(m[3]));
  }
  return samples;
}

/** The key of a sample: sample(s, 'closeloop_deliveries', { binding: 'x', status: 'dead' }). */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.get(
    key(
      name,
      Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .sort(),
    ),
  );
}

function key(name: string, labels: string[]): string {
  return labels.length ? `${name}{${labels.join(',')}}` : name;
}
