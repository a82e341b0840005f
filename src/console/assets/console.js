// The console's one script, served from /console/assets/ (the CSP allows no inline scripts). Pages work
// without it; it marks the nav entry of the current page and asks before a form marked data-confirm is sent.
document.documentElement.dataset.script = 'loaded';
for (const link of document.querySelectorAll('nav.pages a')) {
  if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
}
document.addEventListener('submit', (event) => {
  const question = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
