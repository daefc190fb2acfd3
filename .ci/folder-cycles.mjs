// Fails when the folders of core/ depend on each other in a cycle (npm run lint:cycles, part of npm run lint).
// dependency-cruiser reads and resolves every import (type-only ones too: they couple folders as much); this script
// then collapses the modules into core's parts — each folder directly under core/, and each file at core/'s top level
// (hub.ts, cli.ts …) on its own — and reports every strongly connected group with the imports that close it.
// Why not dependency-cruiser's own folder-scoped `circular` rule: it sees no cycle through core/'s top-level files (a
// folder → core/hub.ts → that folder), and it names folders but not the imports to change.
import { relative } from 'node:path';
import { cruise } from 'dependency-cruiser';

const ROOT = 'core';

/** The part of core/ a module belongs to: core/<folder> or core/<file>; null outside core/. */
function partOf(path) {
  const match = /^core\/([^/]+)(\/)?/.exec(path);
  return match ? `core/${match[1]}` : null;
}

const { output } = await cruise([ROOT], {
  tsPreCompilationDeps: true,
  tsConfig: { fileName: 'tsconfig.json' },
  doNotFollow: { path: ['node_modules'] },
  exclude: { path: ['\\.test\\.ts$'] },
});

/** part → part → the imports (`from → to`) that make the edge, for the message. */
const edges = new Map();
for (const module of output.modules) {
  const from = partOf(relative('.', module.source));
  if (!from) continue;
  for (const dep of module.dependencies) {
    const to = partOf(relative('.', dep.resolved));
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const targets = edges.get(from);
    if (!targets.has(to)) targets.set(to, []);
    targets.get(to).push(`${module.source} → ${dep.resolved}${dep.dependencyTypes.includes('type-only') ? ' (type only)' : ''}`);
  }
}

const cycles = stronglyConnected([...new Set([...edges.keys(), ...[...edges.values()].flatMap((t) => [...t.keys()])])], (n) => [
  ...(edges.get(n)?.keys() ?? []),
]).filter((group) => group.length > 1);

if (!cycles.length) {
  console.log(`No cycle between the parts of ${ROOT}/ (${output.summary.totalCruised} modules).`);
} else {
  for (const group of cycles) {
    const members = new Set(group);
    console.error(`Cycle between ${group.join(', ')}:`);
    for (const from of group) {
      for (const [to, imports] of edges.get(from) ?? []) {
        if (!members.has(to)) continue;
        console.error(`  ${from} → ${to}:`);
        for (const line of imports) console.error(`    ${line}`);
      }
    }
  }
  console.error(`\n${cycles.length} group(s) of ${ROOT}/'s parts in a cycle: a part may use another only if that one never uses it back, even through others.`);
  process.exitCode = 1;
}

/** Tarjan's algorithm: the strongly connected components of a directed graph, each sorted by name. */
function stronglyConnected(nodes, next) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!indices.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), indices.get(to)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      groups.push(group.sort());
    }
  };
  for (const node of nodes.sort()) if (!indices.has(node)) visit(node);
  return groups;
}
