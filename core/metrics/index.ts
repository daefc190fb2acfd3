// Operations: Prometheus metrics (per process and hub-wide), alerts, readiness.
export { processMetrics, observeHttpRequest, routeTemplate, METRIC_PREFIX } from './process-metrics.ts';
export { HubMetrics, readHubSnapshot, type HubSnapshot } from './hub-metrics.ts';
export { readAlerts, DEFAULT_PENDING_MINUTES, type BindingAlert, type AlertKind } from './alerts.ts';
export { readOverdueTasks, type OverdueAlert } from './overdue.ts';
export { checkReadiness, type Readiness } from './readiness.ts';
export { openServeOps, type ServeOps } from './serve-ops.ts';
