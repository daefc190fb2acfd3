// "Select an address" with many addresses: accessible-autocomplete turns the select into a box that narrows the list as
// the citizen types ("12" or "flat"). The select stays in the page (hidden) and is what the form posts; without
// JavaScript it is the plain select.
const select = document.querySelector('select[data-module="closeloop-address-autocomplete"]');
const autocomplete = window.accessibleAutocomplete;
if (select && autocomplete) {
  autocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: '',
    showAllValues: true,
    tNoResults: () => 'No address matches',
  });
}
