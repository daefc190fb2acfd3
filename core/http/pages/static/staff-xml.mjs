// The mapping editor's live preview: as the admin changes a row's form, the XML for sample answers and its XSD result
// are fetched for the unsaved form (nothing is stored) and replace the preview. Without JavaScript the preview shows
// what was saved, after each save. The lookup checkbox reveals its table (GOV.UK's conditional reveal; a component
// already started by another script is left alone).
import { createAll, Checkboxes } from '/assets/govuk-frontend.min.js';

createAll(Checkboxes, undefined, { onError: () => {} });

const form = document.querySelector('form[data-xml-preview]');
const target = document.querySelector('[data-xml-preview-target]');
if (form && target) {
  let timer = null;
  let latest = 0;
  const refresh = async () => {
    const asked = ++latest;
    const body = new URLSearchParams(new FormData(form));
    try {
      const res = await fetch(form.dataset.xmlPreview, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        credentials: 'same-origin',
      });
      if (!res.ok || asked !== latest) return;
      target.innerHTML = await res.text();
    } catch {
      // The saved preview stays; saving still works.
    }
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  };
  form.addEventListener('change', soon);
  form.addEventListener('input', soon);
}
