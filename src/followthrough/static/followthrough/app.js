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

// Today's one-click actions swap the list; keyboard focus then goes to the row that took
// the acted-on row's place (the next one), or to the message with its Undo after the last.
let actedRow = null;
// The list is one form: the clicked button is the submit event's submitter.
document.addEventListener("htmx:beforeRequest", (event) => {
  const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  const source = (trigger && trigger.submitter) || event.target;
  const row = source.closest && source.closest("#today-list [data-row]");
  const rows = [...document.querySelectorAll("#today-list [data-row]")];
  actedRow = row ? rows.indexOf(row) : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const list = document.getElementById("today-list");
  if (actedRow === null || !list) {
    return;
  }
  const rows = list.querySelectorAll("[data-row]");
  const target = rows[Math.min(actedRow, rows.length - 1)] || list.querySelector(".answer button");
  actedRow = null;
  if (target) {
    target.focus();
  }
});
