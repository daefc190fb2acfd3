// The citizen's channel is decided once, when they submit, and stored with the process (`processes.channel`). Every later
// change (delivery, notes, tasks, closing, and whatever comes next) reads it from there: none decides again.
// (Migration 007 applied this same rule to the processes that existed before the column.)

/** How the citizen can be reached, as the submission's answers give it. */
export interface CitizenContact {
  name?: string;
  email?: string;
  phone?: string;
}

/**
 * The channel that will tell this citizen about their process, or null when none can: the service names none, the hub
 * has no channel of that name configured, or the citizen left neither an e-mail address nor a phone number.
 */
export function decideChannel(definition: { notify: { channel?: string } }, configured: ReadonlySet<string>, contact: CitizenContact): string | null {
  const channel = definition.notify.channel;
  if (!channel || !configured.has(channel)) return null;
  return contact.email || contact.phone ? channel : null;
}
