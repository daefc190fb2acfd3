// Alloy Query Syntax (AQS) bodies the connector sends: items of the binding's design in its collection, filtered.

export type AqsNode = { type: string; properties?: Record<string, unknown>; children?: AqsNode[] };

export function itemsQuery(designCode: string, collectionCode: string, filters: AqsNode[]): AqsNode {
  const where = filters.length === 1 ? filters : filters.length ? [{ type: 'And', children: filters }] : [];
  return {
    type: 'Query',
    properties: { dodiCode: designCode, collectionCode: [collectionCode], attributes: ['all'] },
    ...(where.length ? { children: where } : {}),
  };
}

export function equalsAttribute(attributeCode: string, value: string): AqsNode {
  return {
    type: 'Equals',
    children: [
      { type: 'Attribute', properties: { attributeCode } },
      { type: 'String', properties: { value: [value] } },
    ],
  };
}

/** Any of the conditions (a single one stands alone). */
export function anyOf(nodes: AqsNode[]): AqsNode {
  return nodes.length === 1 ? nodes[0]! : { type: 'Or', children: nodes };
}

/** Items edited after `since` (an ISO date). */
export function editedAfter(since: string): AqsNode {
  return {
    type: 'GreaterThan',
    children: [
      { type: 'ItemProperty', properties: { itemPropertyName: 'lastEditDate' } },
      { type: 'DateTime', properties: { value: [since] } },
    ],
  };
}
