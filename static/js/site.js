// Progressive enhancement only: every page works without this file.
const wide = window.matchMedia("(min-width: 960px)");

// Beside the results, filters apply as soon as an option changes, instead of waiting for the
// button. On a phone, where they fold away over the results, the visitor ticks several and
// then presses "Apply filters".
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && wide.matches && event.target.matches("input[type=checkbox], select")) {
    form.requestSubmit();
  }
});

// A search form sends only what was chosen: no `q=` left blank, no `ordering=` for the
// default order, so that the URL it leads to is the one to share. (`formdata` does not
// bubble: it is caught on its way down.)
document.addEventListener(
  "formdata",
  (event) => {
    if (event.target.method !== "get") return;
    const entries = [...event.formData.entries()];
    for (const name of new Set(entries.map(([key]) => key))) event.formData.delete(name);
    for (const [name, value] of entries) {
      if (typeof value !== "string" || value.trim() !== "") event.formData.append(name, value);
    }
  },
  true,
);

// The filter panel is folded in the page, so that on a phone the results come first behind
// "Filters (2)"; on a wide screen it is a sidebar, open (site.css hides its summary there).
const panel = document.querySelector("details[data-filter-panel]");
if (panel) {
  const fit = () => {
    panel.open = wide.matches;
  };
  fit();
  wide.addEventListener("change", fit);
}
