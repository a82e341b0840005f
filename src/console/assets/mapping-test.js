// The document forms of the mapping test page and the partner's validate form (no inline scripts under the
// console's CSP): a chosen file is read into the form's text box, as UTF-8 text, and checked against the
// largest document the hub takes (data-max-bytes) before anything is sent.
for (const input of document.querySelectorAll('input[type=file][data-fills]')) {
  const form = input.form;
  const box = form?.querySelector(`textarea[name="${input.dataset.fills}"]`);
  const note = form?.querySelector('[data-testid=file-note]');
  if (!box) continue;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    const max = Number(box.dataset.maxBytes || '0');
    if (max && file.size > max) {
      if (note) note.textContent = `${file.name} is ${file.size} bytes; the hub takes documents up to ${max} bytes.`;
      input.value = '';
      return;
    }
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      box.value = String(reader.result ?? '');
      if (note) note.textContent = `Read ${file.name} (${file.size} bytes) into the text box.`;
    });
    reader.addEventListener('error', () => {
      if (note) note.textContent = `${file.name} could not be read.`;
    });
    reader.readAsText(file);
  });
}
