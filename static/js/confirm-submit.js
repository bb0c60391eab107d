// Forms marked data-confirm="question" ask before they are sent (replaces inline onsubmit
// handlers, which the Content-Security-Policy forbids).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
