// The time zone lists: a search box that narrows the long <select> to the zones whose
// name holds what is typed, and, on a new account or workspace (`data-timezone-browser`),
// the browser's own zone chosen to begin with. Without this script the list still works
// (grouped by region) and starts at UTC.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-timezone]")) {
    if ("timezoneBrowser" in select.dataset) {
      let zone = "UTC";
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
      } catch (error) {
        zone = "UTC";
      }
      if ([...select.options].some((option) => option.value === zone)) {
        select.value = zone;
      }
    }
    const search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Search: a city or region";
    search.setAttribute("aria-label", "Search the time zones");
    search.setAttribute("aria-controls", select.id);
    search.autocomplete = "off";
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase().replaceAll("_", " ");
      let first = null;
      for (const option of select.options) {
        const text = `${option.parentElement.label || ""} ${option.text} ${option.value}`
          .toLowerCase()
          .replaceAll("_", " ");
        option.hidden = words !== "" && !text.includes(words);
        if (!option.hidden && first === null) {
          first = option;
        }
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = [...group.children].every((option) => option.hidden);
      }
      const chosen = select.options[select.selectedIndex];
      if (first !== null && (!chosen || chosen.hidden)) {
        select.value = first.value;
      }
    });
    select.before(search);
  }
});
