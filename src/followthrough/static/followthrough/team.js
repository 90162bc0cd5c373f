// The team page's "Copy link" button: shown only where this script runs (the link stays
// selectable by hand without it). The clipboard API needs a secure context; elsewhere
// the older select-and-copy command is tried.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
  }
});
document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch (error) {
    field.focus();
    field.select();
    copied = document.execCommand && document.execCommand("copy");
  }
  if (status) {
    status.textContent = copied ? "Copied." : "Select the link and copy it (Ctrl+C or ⌘C).";
  }
});
