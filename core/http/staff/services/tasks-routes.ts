// The tasks a case of the service starts with (shown to the citizen on the tracking page): add, change, remove and
// reorder them (move up/down buttons, no JavaScript needed). Every change is an edit of the working draft.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import type { TaskInput } from '../../../services/index.ts';
import { MAX_WORKING_DAYS } from '../../../calendar/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { errorSummary } from '../page-context.ts';
import { formBody } from '../form-body.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { hasUnusualCharacters, sameDefinition, sendDesignerPage, servicePath } from './designer-page.ts';

const KEY = /^[a-z][a-z0-9-]*$/;
const TITLE_MAX = 200;
const DESCRIPTION_MAX = 2000;
const KEY_MAX = 60;

interface TaskForm {
  title: string;
  key: string;
  description: string;
  /** The target's working days as typed; empty: no target. */
  targetDays: string;
  targetFrom: string;
}

const TARGET_FROM = ['submission', 'taskStart'] as const;

/** The form's fields for a task as it is (a new task: no target, counted from the submission if one is given). */
function formOf(task: TaskInput | null): TaskForm {
  return {
    title: task?.title ?? '',
    key: task?.key ?? '',
    description: task?.description ?? '',
    targetDays: task?.target ? String(task.target.workingDays) : '',
    targetFrom: task?.target?.from ?? 'submission',
  };
}

export function mountTasks(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);
  const tasksPath = (id: string, rest = '') => servicePath(id, `/tasks${rest}`);

  router.get('/services/:serviceId/tasks', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    sendDesignerPage(ctx, hub, draft, 'tasks.njk', {
      title: `Tasks – ${draft.definition.title}`,
      tasks: draft.definition.tasks.map((t, i) => ({ ...t, first: i === 0, last: i === draft.definition.tasks.length - 1 })),
      base: tasksPath(draft.serviceId),
    });
  });

  router.get('/services/:serviceId/tasks/add', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    showForm(ctx, draft, null, formOf(null), {});
  });

  router.post('/services/:serviceId/tasks/add', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const form = readForm(ctx);
    const { task, errors } = checkTask(form, draft.definition.tasks, null);
    if (!task) return showForm(ctx, draft, null, form, errors);
    await editDraft(hub, editorOf(ctx), draft.serviceId, revision, `added the task “${task.title}”`, (d) => {
      d.tasks.push(task);
    });
    ctx.redirect(tasksPath(draft.serviceId));
  });

  router.get('/services/:serviceId/tasks/:key/change', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const task = taskOf(draft, ctx.params.key!);
    showForm(ctx, draft, task.key, formOf(task), {});
  });

  router.post('/services/:serviceId/tasks/:key/change', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const old = taskOf(draft, ctx.params.key!);
    const form = readForm(ctx);
    const { task, errors } = checkTask(form, draft.definition.tasks, old.key);
    if (!task) return showForm(ctx, draft, old.key, form, errors);
    const index = draft.definition.tasks.indexOf(old);
    if (!sameDefinition(task, old)) {
      await editDraft(hub, editorOf(ctx), draft.serviceId, revision, `changed the task “${task.title}”`, (d) => {
        d.tasks[index] = task;
      });
    }
    ctx.redirect(tasksPath(draft.serviceId));
  });

  router.get('/services/:serviceId/tasks/:key/remove', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const task = taskOf(draft, ctx.params.key!);
    sendDesignerPage(ctx, hub, draft, 'task-remove.njk', {
      title: `Remove the task “${task.title}”?`,
      task,
      action: tasksPath(draft.serviceId, `/${task.key}/remove`),
      back: tasksPath(draft.serviceId),
    });
  });

  router.post('/services/:serviceId/tasks/:key/remove', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const task = taskOf(draft, ctx.params.key!);
    await editDraft(hub, editorOf(ctx), draft.serviceId, revision, `removed the task “${task.title}”`, (d) => {
      d.tasks = d.tasks.filter((t) => t.key !== task.key);
    });
    ctx.redirect(tasksPath(draft.serviceId));
  });

  router.post('/services/:serviceId/tasks/:key/move', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const task = taskOf(draft, ctx.params.key!);
    const direction = formBody(ctx).direction === 'up' ? -1 : 1;
    const from = draft.definition.tasks.indexOf(task);
    const to = from + direction;
    if (to >= 0 && to < draft.definition.tasks.length) {
      await editDraft(hub, editorOf(ctx), draft.serviceId, revision, `moved the task “${task.title}” ${direction < 0 ? 'up' : 'down'}`, (d) => {
        const [moved] = d.tasks.splice(from, 1);
        d.tasks.splice(to, 0, moved!);
      });
    }
    ctx.redirect(`${tasksPath(draft.serviceId)}#task-${task.key}`);
  });

  function showForm(ctx: Koa.Context, draft: WorkingDraft, key: string | null, form: TaskForm, errors: Partial<Record<keyof TaskForm, string>>) {
    sendDesignerPage(ctx, hub, draft, 'task-form.njk', {
      title: key ? 'Change the task' : 'Add a task',
      form,
      errors,
      errorSummary: errorSummary({
        title: errors.title,
        key: errors.key,
        description: errors.description,
        targetDays: errors.targetDays,
        targetFrom: errors.targetFrom,
      }),
      fromItems: [
        { value: 'submission', text: 'The day the citizen sends the form', checked: form.targetFrom === 'submission' },
        { value: 'taskStart', text: 'The day the task starts', checked: form.targetFrom === 'taskStart' },
      ],
      action: key ? tasksPath(draft.serviceId, `/${key}/change`) : tasksPath(draft.serviceId, '/add'),
      back: tasksPath(draft.serviceId),
    });
  }
}

function taskOf(draft: WorkingDraft, key: string): TaskInput {
  const task = draft.definition.tasks.find((t) => t.key === key);
  if (!task) throw new NotFoundError('There is no such task. It may have been removed.');
  return task;
}

function readForm(ctx: Koa.Context): TaskForm {
  const body = formBody(ctx);
  return {
    title: (body.title ?? '').trim(),
    key: (body.key ?? '').trim(),
    description: (body.description ?? '').trim(),
    targetDays: (body.targetDays ?? '').trim(),
    targetFrom: (body.targetFrom ?? '').trim(),
  };
}

/** The task the form describes, or what to fix. An empty key is made from the title. */
function checkTask(form: TaskForm, tasks: TaskInput[], currentKey: string | null): { task?: TaskInput; errors: Partial<Record<keyof TaskForm, string>> } {
  const errors: Partial<Record<keyof TaskForm, string>> = {};
  const others = new Set(tasks.map((t) => t.key).filter((k) => k !== currentKey));
  if (!form.title) errors.title = 'Enter the task’s title';
  else if (form.title.length > TITLE_MAX) errors.title = `Title must be ${TITLE_MAX} characters or fewer`;
  else if (hasUnusualCharacters(form.title)) errors.title = 'Title must not contain control characters';
  if (form.description.length > DESCRIPTION_MAX) errors.description = `Description must be ${DESCRIPTION_MAX} characters or fewer`;
  else if (hasUnusualCharacters(form.description)) errors.description = 'Description must not contain control characters';
  let target: TaskInput['target'];
  if (form.targetDays) {
    const days = /^\d{1,3}$/.test(form.targetDays) ? Number(form.targetDays) : NaN;
    if (!(days >= 1 && days <= MAX_WORKING_DAYS)) errors.targetDays = `Target must be a whole number of working days from 1 to ${MAX_WORKING_DAYS}`;
    else if (!(TARGET_FROM as readonly string[]).includes(form.targetFrom)) errors.targetFrom = 'Select when the working days are counted from';
    else target = { workingDays: days, from: form.targetFrom as (typeof TARGET_FROM)[number] };
  }
  let key = form.key;
  if (!key && form.title) key = keyFromTitle(form.title, others);
  if (form.key) {
    if (form.key.length > KEY_MAX) errors.key = `Key must be ${KEY_MAX} characters or fewer`;
    else if (!KEY.test(form.key)) errors.key = 'Key must start with a lower-case letter and use only lower-case letters, digits and hyphens (-)';
    else if (others.has(form.key)) errors.key = `Another task already has the key “${form.key}”: enter a different key`;
  }
  if (Object.keys(errors).length) return { errors };
  return { task: { key, title: form.title, ...(form.description ? { description: form.description } : {}), ...(target ? { target } : {}) }, errors };
}

/** "Inspect the site" → "inspect-the-site"; made unique among the service's other tasks. */
export function keyFromTitle(title: string, taken: Set<string>): string {
  let base = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  if (!/^[a-z]/.test(base)) base = `task${base ? `-${base}` : ''}`;
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  return key;
}
