// Files: delete after a confirmation, and "Copy link" (a presigned GET valid 7 days).
(() => {
  const csrf = document.getElementById("main").dataset.csrf;
  const path = (key) => key.split("/").map(encodeURIComponent).join("/");
  const box = document.getElementById("link-box");
  const field = document.getElementById("link");
  const status = document.getElementById("link-status");

  async function remove(button, url, what) {
    if (!confirm(`Delete ${what}? This cannot be undone.`)) return;
    button.disabled = true;
    const res = await fetch(url, { method: "DELETE", headers: { "X-CSRF-Token": csrf } });
    if (res.ok) button.closest("tr").remove();
    else {
      button.disabled = false;
      alert(`Could not delete ${what}: ${(await res.json().catch(() => ({}))).error ?? res.status}`);
    }
  }

  async function copyLink(key) {
    const res = await fetch(`/ui/api/link/${path(key)}`);
    if (!res.ok) return;
    const { url } = await res.json();
    box.hidden = false;
    field.value = url;
    // Plain HTTP on a LAN address has no clipboard API: the link is left selected to copy by hand.
    field.focus();
    field.select();
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(url);
      status.textContent = "Copied to the clipboard.";
    } catch {
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  }

  document.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if (b.classList.contains("delete-file")) remove(b, `/ui/api/objects/${path(b.dataset.key)}`, b.dataset.key);
    else if (b.classList.contains("delete-folder")) remove(b, `/ui/api/folders/${path(b.dataset.prefix)}`, `the folder ${b.dataset.prefix} and everything in it`);
    else if (b.classList.contains("copy-link")) copyLink(b.dataset.key);
  });
})();
