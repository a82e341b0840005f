// The document forms of the mapping test page and the partner's validate form (no inline scripts under the
// console's CSP): a chosen file is read into the form's text box and checked against the largest document the
// hub takes (data-max-bytes) before anything is sent. Its bytes are decoded as the intake decodes EDI: UTF-8
// when they are valid UTF-8, else Latin-1 (windows-1252, the browser's nearest), so an X12 or EDIFACT file in
// Latin-1 keeps its accented letters.
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
      const bytes = new Uint8Array(reader.result);
      let text;
      let encoding = 'UTF-8';
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = new TextDecoder('windows-1252').decode(bytes);
        encoding = 'Latin-1';
      }
      box.value = text;
      if (note) note.textContent = `Read ${file.name} (${file.size} bytes, ${encoding}) into the text box.`;
    });
    reader.addEventListener('error', () => {
      if (note) note.textContent = `${file.name} could not be read.`;
    });
    reader.readAsArrayBuffer(file);
  });
}
