// Which back offices (bindings: configured connector instances) the service delivers to — the council's own and shared
// ones — and a "Check connection" button per binding that runs its connector's own check (keys, codes, Alloy's design
// and attribute codes…) and says in plain English what it found. Each check is in the audit log.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { insertAuditEvent } from '../../../governance/audit-repo.ts';
import { checkConfiguredBinding } from '../../../plugins/check-bindings.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { sameDefinition, sendDesignerPage, servicePath } from './designer-page.ts';

interface BindingChoice {
  name: string;
  connector: string;
  description?: string;
  shared: boolean;
}

interface CheckOutcome {
  binding: string;
  ok: boolean;
  /** The connector has no check of its own: its settings were checked, not the back office. */
  settingsOnly: boolean;
  problems: string[];
}

export function mountBinding(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:serviceId/binding', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    showPage(ctx, draft, null);
  });

  router.post('/services/:serviceId/binding', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const offered = choicesFor(hub, draft).map((c) => c.name);
    const body = formBody(ctx);
    const ticked = new Set(offered.filter((name) => body[`binding:${name}`]));
    // Kept in their order; bindings this page does not offer (named in YAML by hand) are left as they are.
    const current = draft.definition.bindings ?? [];
    const bindings = [...current.filter((b) => !offered.includes(b) || ticked.has(b)), ...offered.filter((b) => ticked.has(b) && !current.includes(b))];
    if (!sameDefinition(bindings, current)) {
      const words = bindings.length ? `set the back offices to ${bindings.map((b) => `“${b}”`).join(', ')}` : 'removed every back office';
      await editDraft(hub, editorOf(ctx), draft.serviceId, revision, words, (d) => {
        if (bindings.length || d.bindings !== undefined) d.bindings = bindings;
      });
    }
    ctx.redirect(`${servicePath(draft.serviceId, '/binding')}?saved=1`);
  });

  router.post('/services/:serviceId/binding/:binding/check', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const name = ctx.params.binding!;
    if (!choicesFor(hub, draft).some((c) => c.name === name)) throw new NotFoundError('There is no such back office for this service.');
    const result = await checkConfiguredBinding(hub, name);
    const outcome: CheckOutcome = {
      binding: name,
      ok: result.problems.length === 0,
      settingsOnly: !result.checked,
      problems: result.problems.map(plainProblem),
    };
    const { actor } = editorOf(ctx);
    await insertAuditEvent(hub.db, {
      actor,
      action: 'binding.checked',
      target: name,
      detail: { service: draft.serviceId, ok: outcome.ok, problems: outcome.problems },
    });
    showPage(ctx, draft, outcome);
  });

  function showPage(ctx: Koa.Context, draft: WorkingDraft, check: CheckOutcome | null) {
    const chosen = new Set(draft.definition.bindings ?? []);
    const choices = choicesFor(hub, draft);
    sendDesignerPage(
      ctx,
      hub,
      draft,
      'binding.njk',
      {
        title: `Back offices – ${draft.definition.title}`,
        saved: ctx.query.saved === '1' && !check,
        action: servicePath(draft.serviceId, '/binding'),
        items: choices.map((c) => ({
          name: `binding:${c.name}`,
          value: 'yes',
          id: `binding-${c.name}`,
          checked: chosen.has(c.name),
          text: c.name,
          hint: { text: `${c.description ? `${c.description}. ` : ''}Connector: ${c.connector}${c.shared ? ' (shared by every council)' : ''}` },
        })),
        choices: choices.map((c) => ({ ...c, checkAction: servicePath(draft.serviceId, `/binding/${c.name}/check`) })),
        unknown: [...chosen].filter((b) => !choices.some((c) => c.name === b)),
        // closeloop.yaml's serviceBindings replaces what the definition names (one folder of services, several deployments).
        overriddenBy: hub.config.serviceBindings[draft.serviceId] ?? null,
        check,
        checkProblems: check && !check.ok ? check.problems.map((text) => ({ text, href: `#check-${check.binding}` })) : undefined,
      },
      check && !check.ok ? 422 : 200,
    );
  }
}

/** The bindings this service may deliver to: its council's own, and those shared by every council. */
function choicesFor(hub: Hub, draft: WorkingDraft): BindingChoice[] {
  return Object.entries(hub.config.bindings)
    .filter(([, b]) => b.council === undefined || b.council === draft.council)
    .map(([name, b]) => ({ name, connector: b.connector, shared: b.council === undefined, ...(b.description ? { description: b.description } : {}) }));
}

/** The connector's words, made a sentence a council admin can act on. */
function plainProblem(problem: string): string {
  const text = problem.replace(/^back office check( failed)?: /, (_, failed: string | undefined) => (failed ? 'The check could not finish: ' : ''));
  return text.charAt(0).toUpperCase() + text.slice(1);
}
