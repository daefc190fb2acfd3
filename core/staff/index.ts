// The staff console's domain: accounts and roles, what each may see, passwords, second factors, invitations, sessions.
export { STAFF_ROLES, ROLE_LABELS, isStaffRole, staffActor, staffDisplayName, type StaffRole, type StaffUser } from './types.ts';
export { staffInCouncil, staffMaySeeService, staffMaySeeBinding, visibleBindings, hasRole } from './scope.ts';
export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { currentTotp, verifyTotp, totpEnrolment, groupedSecret, TOTP_KEY_ENV } from './totp.ts';
export {
  createStaffAccount,
  invite,
  openInvitation,
  setPasswordFromInvitation,
  pendingTotpSecret,
  confirmTotpFromInvitation,
  disableStaffAccount,
  StaffAccountError,
  INVITATION_DAYS,
} from './accounts.ts';
export {
  SESSION_COOKIE,
  STAFF_PATH,
  signInStaff,
  startSession,
  readSession,
  signOut,
  signOutEverywhere,
  checkStaffCsrf,
  loadStaffSession,
  requireStaff,
  type StaffSession,
  type StaffState,
} from './sessions.ts';
export { checkPassword, checkCode, signInLimited, MAX_FAILED_ATTEMPTS, ATTEMPT_WINDOW_MINUTES } from './sign-in.ts';
export { listStaffUsers, upsertOidcStaffUser, type OidcStaffUserInput } from './staff-users-repo.ts';
export { readOverview, type Overview, type BindingFigures, type ServiceFigures } from './overview.ts';
export {
  findCases,
  loadCase,
  addCaseNote,
  addCaseDocument,
  updateCaseTask,
  closeCase,
  caseDocument,
  servicesFor,
  staffCaseActor,
  CASE_STATUSES,
  PAGE_SIZE,
  COUNT_LIMIT,
  type CaseQuery,
  type CaseSearchResult,
  type CasePage,
} from './cases.ts';
