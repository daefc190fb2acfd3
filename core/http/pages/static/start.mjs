// Progressive enhancement for citizen pages. govuk-frontend's components are started one by one: its radios and
// checkboxes set aria-expanded on the inputs, which ARIA does not allow on those roles (axe reports it), so their
// conditional reveals are handled below instead, with aria-controls only.
import { createAll, Button, ErrorSummary, NotificationBanner, SkipLink } from '/assets/govuk-frontend.min.js';

for (const Component of [Button, ErrorSummary, NotificationBanner, SkipLink]) createAll(Component);

const inputs = [...document.querySelectorAll('input[data-aria-controls]')];
const sync = () => {
  for (const input of inputs) {
    const target = document.getElementById(input.dataset.closeloopControls ?? '');
    if (!target) continue;
    const hidden = target.classList.contains('govuk-radios__conditional') ? 'govuk-radios__conditional--hidden' : 'govuk-checkboxes__conditional--hidden';
    target.classList.toggle(hidden, !input.checked);
  }
};
for (const input of inputs) {
  input.dataset.closeloopControls = input.getAttribute('data-aria-controls');
  input.setAttribute('aria-controls', input.dataset.closeloopControls);
  input.removeAttribute('data-aria-controls');
  input.addEventListener('change', sync);
}
sync();
window.addEventListener('pageshow', sync);
