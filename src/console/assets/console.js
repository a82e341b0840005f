// The console's one script, served from /console/assets/ (the CSP allows no inline scripts). Pages work
// without it; it marks the nav entry of the current page, asks before a form marked data-confirm is sent, and
// reloads a page that holds an element with data-refresh-seconds (a running job's page) after that many seconds.
document.documentElement.dataset.script = 'loaded';
for (const link of document.querySelectorAll('nav.pages a')) {
  if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
}
document.addEventListener('submit', (event) => {
  const question = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
const refresh = document.querySelector('[data-refresh-seconds]');
if (refresh) {
  const seconds = Number(refresh.getAttribute('data-refresh-seconds'));
  if (seconds > 0) setTimeout(() => location.reload(), seconds * 1000);
}
