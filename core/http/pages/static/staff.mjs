// Progressive enhancement for the staff console: GOV.UK Frontend's and MOJ Frontend's components. Every page works
// without it.
import { createAll, Button, ErrorSummary, NotificationBanner, SkipLink } from '/assets/govuk-frontend.min.js';
import { initAll } from '/assets/moj/all.bundle.mjs';

for (const Component of [Button, ErrorSummary, NotificationBanner, SkipLink]) createAll(Component);
initAll();

// The designer's Messages page: its previews follow what is typed.
if (document.querySelector('[data-message-preview]')) import('/assets/closeloop/designer-messages.mjs');
