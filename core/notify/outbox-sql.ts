// The notification outbox, as SQL that other statements embed so a change and its message commit together.

/**
 * SQL (a statement usable inside a CTE) that queues a citizen notification for a process, when a channel is given and the
 * citizen left contact details. Updates within the combine window join the pending message instead of making another.
 * With `from`, one message per row of that FROM clause (the other arguments then name its columns).
 */
export function NOTIFY_SQL(processId: string, contact: string, channel: string, text: string, windowSeconds: string, from?: string): string {
  return `insert into notifications (id, process_id, channel, kind, status, updates, not_before)
    select gen_random_uuid(), ${processId}, ${channel}::text, 'update', 'pending',
      jsonb_build_array(jsonb_build_object('text', ${text}::text, 'at', now())), now() + (${windowSeconds}::int * interval '1 second')
    ${from ? `from ${from}` : ''}
    where ${channel}::text is not null and ${processId} is not null and (${contact} ? 'email' or ${contact} ? 'phone')
    on conflict (process_id) where status = 'pending' and kind = 'update'
    do update set updates = notifications.updates || excluded.updates, updated_at = now()`;
}
