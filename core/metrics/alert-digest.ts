// The optional alert digest: every `alertDigest.intervalMinutes`, if any binding has dead or stale deliveries, one
// e-mail to the operators lists them (what, how many, how old, which ids to open). Nothing is sent when all is well.
// It names bindings and delivery ids only: never a citizen's answers or contact details. It goes out through a
// configured channel (alertDigest.channel) whose plugin sends operator messages, as the SMTP channel does.
import type { Hub } from '../hub.ts';
import { loadChannels } from '../plugins/channels.ts';
import { readAlerts, type BindingAlert } from './alerts.ts';

function age(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export function digestText(council: string, alerts: BindingAlert[], publicBaseUrl: string): string {
  const lines = alerts.map((a) =>
    a.kind === 'dead'
      ? `- ${a.binding}: ${a.count} dead deliver${a.count === 1 ? 'y' : 'ies'} (oldest ${age(a.oldestAgeSeconds)}); fix the cause, then replay them.`
      : `- ${a.binding}: ${a.count} deliver${a.count === 1 ? 'y' : 'ies'} not delivered after ${a.thresholdMinutes} min (oldest ${age(a.oldestAgeSeconds)}); is the back office or the worker stuck?`,
  );
  const ids = alerts.flatMap((a) => a.deliveryIds.map((id) => `  ${publicBaseUrl.replace(/\/$/, '')}/api/v1/admin/deliveries/${id}`));
  return [
    `Closeloop alerts for ${council}`,
    '',
    ...lines,
    '',
    'Oldest deliveries to look at (admin key needed):',
    ...ids,
    '',
    `All alerts: ${publicBaseUrl.replace(/\/$/, '')}/api/v1/admin/alerts`,
  ].join('\n');
}

/** Sends the digest if there is anything to report; returns the alerts it reported. */
export async function sendAlertDigest(hub: Hub): Promise<BindingAlert[]> {
  const { config } = hub;
  const digest = config.alertDigest;
  if (!digest) return [];
  const alerts = await readAlerts(hub.db, config);
  if (!alerts.length) return [];
  const runtime = (await loadChannels(hub)).get(digest.channel);
  if (!runtime?.channel.sendOperatorMessage) {
    throw new Error(`alertDigest.channel: channel "${digest.channel}" (${runtime?.channel.name ?? 'not configured'}) cannot send operator messages`);
  }
  const dead = alerts.filter((a) => a.kind === 'dead').reduce((n, a) => n + a.count, 0);
  const stale = alerts.filter((a) => a.kind === 'stale').reduce((n, a) => n + a.count, 0);
  await runtime.channel.sendOperatorMessage(
    {
      to: digest.to,
      from: digest.from,
      subject: `Closeloop: ${dead} dead, ${stale} stale deliveries (${config.council.name})`,
      text: digestText(config.council.name, alerts, config.server.publicBaseUrl),
    },
    runtime.context,
  );
  return alerts;
}
