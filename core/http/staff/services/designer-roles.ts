// Who may design services, in a file of its own so that every designer page can import it without importing the
// designer's index (which imports them all).
import type { StaffRole } from '../../../staff/index.ts';

/** Who may design services. Caseworkers and auditors may not (their links are not shown; the pages are 404 to them). */
export const DESIGNER_ROLES: StaffRole[] = ['operator', 'council-admin', 'service-editor'];
