// Progressive enhancement only: every page works without this file.
// Filters apply as soon as an option changes, instead of waiting for the button.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.matches("input[type=checkbox], select")) {
    form.requestSubmit();
  }
});

// On a phone the filter panel starts folded, so the results are on the first screen;
// it stays open when a filter is already chosen. Without JavaScript it is simply open.
const panel = document.querySelector("details[data-collapse-on-narrow]");
if (panel && window.matchMedia("(max-width: 959px)").matches) {
  const chosen = panel.querySelector("input:checked, input[type=search]:not([value='']), select option[selected]:not([value=''])");
  if (!chosen) panel.open = false;
}
