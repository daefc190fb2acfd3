// Imported first by the CLI: on a Node.js older than the supported lines, say which version is needed (and how to get
// it) instead of failing later on a native binding built for another Node.

export const SUPPORTED_NODE_LINES = [24, 26] as const;

/** Why this Node.js cannot run the hub, or null when it can. */
export function unsupportedNodeMessage(version: string): string | null {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= SUPPORTED_NODE_LINES[0]) return null;
  return (
    `Closeloop needs Node.js ${SUPPORTED_NODE_LINES.join(' or ')} (LTS); this is Node.js ${version}, which no longer gets security fixes.\n` +
    `Install Node.js ${SUPPORTED_NODE_LINES[0]}, or in this shell run \`source .ci/use-node.sh && use_node ${SUPPORTED_NODE_LINES[0]}\` ` +
    '(it fetches Node.js from the npm registry), then `npm ci && npm start` again.\n'
  );
}

const problem = unsupportedNodeMessage(process.versions.node);
if (problem) {
  process.stderr.write(problem);
  process.exit(1);
}
