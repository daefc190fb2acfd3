// The designer's Messages page: the sample preview under each message follows what is typed, as the page shows it after
// "Preview without saving" (the server fills the same placeholders with the same sample details). Without JavaScript
// that button does the same.
const PLACEHOLDER = /\(\(([^()\s]*)\)\)/g;

for (const preview of document.querySelectorAll('[data-message-preview]')) {
  const kind = preview.dataset.kind;
  const values = JSON.parse(preview.dataset.values);
  const standard = JSON.parse(preview.dataset.standard);
  const fill = (text) => text.replace(PLACEHOLDER, (whole, name) => (Object.hasOwn(values, name) ? values[name] : whole));
  for (const part of ['subject', 'body', 'sms']) {
    const input = document.getElementById(`${kind}-${part}`);
    const shown = document.getElementById(`preview-${kind}-${part}`);
    if (!input || !shown) continue;
    input.addEventListener('input', () => {
      const text = fill(input.value.trim() || standard[part]);
      shown.textContent = part === 'subject' ? text.replace(/\s+/g, ' ').trim() : text;
    });
  }
}
