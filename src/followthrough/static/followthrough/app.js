// Followthrough's own script: small enhancements; every page works without it.

// "Tick everyone on this page" boxes (data-check-all="FORM-ID"): hidden until this runs,
// they tick or untick the page's boxes that belong to that form.
function showCheckAll(root) {
  for (const box of root.querySelectorAll("input[data-check-all]")) {
    box.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", () => showCheckAll(document));
document.addEventListener("htmx:afterSwap", (event) => showCheckAll(event.target));
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) {
    return;
  }
  const form = box.dataset.checkAll;
  for (const row of document.querySelectorAll(`input[type=checkbox][form="${form}"]`)) {
    row.checked = box.checked;
  }
});
