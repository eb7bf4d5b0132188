// New music appears without a reload: when the library's counts change,
// the albums grid is fetched again and swapped in (the player keeps playing).
(() => {
  const section = document.getElementById("library-albums");
  if (!section) return;
  let seen = null;
  async function poll() {
    try {
      const res = await fetch("/ui/api/library");
      if (res.ok) {
        const now = JSON.stringify(await res.json());
        if (seen !== null && now !== seen) {
          const page = await fetch(location.href, { headers: { Accept: "text/html" } });
          const doc = new DOMParser().parseFromString(await page.text(), "text/html");
          const fresh = doc.getElementById("library-albums");
          if (fresh) section.replaceChildren(...fresh.childNodes);
        }
        seen = now;
      }
    } finally {
      setTimeout(poll, 2000);
    }
  }
  poll();
})();
