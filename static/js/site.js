// Progressive enhancement only: every page works without this file.
// Filters apply as soon as an option changes, instead of waiting for the button.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.matches("input[type=checkbox], select")) {
    form.requestSubmit();
  }
});
