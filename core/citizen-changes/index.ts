// Citizen-visible changes: the one module that says what a change the citizen can see writes, and decides once (at
// submission) how the citizen is told. Every change leaves, in the same transaction as the change itself:
//   - one or more timeline entries (the tracking page shows those visible to the citizen);
//   - when an entry is visible and the process has a channel, the citizen's message (one pending message per process
//     gathers the updates of the combine window);
//   - an audit entry, for what a back office, an admin or an operator did.
//
//   change            timeline kind(s)            message                 audit action
//   submission        submitted                   'submitted' (after the  none: the process row is the record
//                                                 confirmation window)
//   delivery          received                    joins a waiting         none: delivery_attempts is the record
//                                                 'submitted', else update
//   note              note                        update, if public       note.added
//   task update       task (+ note if private,    update                  task.updated
//                     + status when it moves)
//   closing           status                      update                  process.closed
//   council document  document                    update, if visible      document.added
//   citizen's message message ("You sent…")       none (they sent it)     message.sent
//
// The submission writer, the delivery record and adding a note are fused, prepared, batched statements on the hot path:
// they embed the fragments of citizen-changes-repo.ts. Everything else calls recordCitizenChange.
export { decideChannel, type CitizenContact } from './channel.ts';
export { recordCitizenChange, auditActor, actorData, type CitizenChange, type CitizenChangeDeps, type TimelineEntry, type TimelineKind } from './record.ts';
export {
  timelineEntrySql,
  citizenMessageSql,
  messageUpdate,
  auditEntrySql,
  type TimelineEntrySql,
  type CitizenMessageSql,
  type AuditEntrySql,
} from './citizen-changes-repo.ts';
