// The event types a subscription may ask for, and the timeline entries each comes from (migration 020's trigger).
export const EVENT_TYPES = ['process.submitted', 'process.status_changed', 'task.updated', 'note.added', 'citizen.message', 'document.added'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What each event means, for the console's checkboxes and the API's docs. */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'process.submitted': 'A citizen sent a form',
  'process.status_changed': 'A case moved to another status (closed, completed…)',
  'task.updated': "A case's task changed (status or target date)",
  'note.added': 'A public note was added (private notes are never sent)',
  'citizen.message': 'A citizen sent a message or evidence from their tracking page',
  'document.added': 'The council added a document the citizen can see (private documents are never sent)',
};
