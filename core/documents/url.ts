// Where a process's document can be fetched through the API (back offices follow it with their key).

export function documentUrl(publicBaseUrl: string, processId: string, documentId: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/api/v1/processes/${processId}/documents/${documentId}`;
}
