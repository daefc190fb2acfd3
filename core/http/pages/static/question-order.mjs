// Drag to reorder on the question builder's list (/staff/services/{id}/questions), an enhancement: without JavaScript,
// and for keyboard users, the "Move up" / "Move down" buttons do the same. A drop posts the new order (and which page
// each question is on) with the page's own CSRF token and draft revision, as an ordinary form, so the server answers as
// it does to the buttons: the list again, or the reason the order cannot be used.
const root = document.getElementById('question-pages');

if (root) {
  document.getElementById('drag-hint')?.classList.remove('govuk-!-display-none');
  let dragged = null;

  const questions = () => [...root.querySelectorAll('.closeloop-question')];

  const post = () => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = root.dataset.orderAction;
    const fields = {
      _csrf: root.dataset.csrf,
      revision: root.dataset.revision,
      order: questions()
        .map((q) => q.dataset.question)
        .join(','),
      pages: questions()
        .map((q) => q.closest('[data-page]').dataset.page)
        .join(','),
    };
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  };

  for (const item of questions()) {
    item.draggable = true;
    item.classList.add('closeloop-draggable');
    item.addEventListener('dragstart', (event) => {
      dragged = item;
      item.classList.add('closeloop-dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', item.dataset.question);
    });
    item.addEventListener('dragend', () => {
      item.classList.remove('closeloop-dragging');
      for (const q of questions()) q.classList.remove('closeloop-drop-target');
    });
    item.addEventListener('dragover', (event) => {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      item.classList.add('closeloop-drop-target');
    });
    item.addEventListener('dragleave', () => item.classList.remove('closeloop-drop-target'));
    item.addEventListener('drop', (event) => {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      // Dropped on a question: the dragged one takes its place (before it when coming from below, after it from above).
      const all = questions();
      const after = all.indexOf(dragged) < all.indexOf(item);
      item.parentElement.insertBefore(dragged, after ? item.nextSibling : item);
      dragged = null;
      post();
    });
  }
}
