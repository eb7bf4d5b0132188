// Search as you type: the server renders the results (escaped), this swaps them in.
(() => {
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const albums = document.getElementById("library-albums");
  if (!input || !results) return;
  let timer = 0;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value;
      const mine = ++latest;
      const res = await fetch(`/ui/search?fragment=1&q=${encodeURIComponent(q)}`, { headers: { Accept: "text/html" } });
      if (!res.ok || mine !== latest) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      results.replaceChildren(...doc.body.childNodes);
      if (albums) albums.hidden = q.trim() !== "";
      history.replaceState(null, "", q.trim() ? `/ui/search?q=${encodeURIComponent(q)}` : location.pathname);
    }, 150);
  });
  input.form?.addEventListener("submit", (e) => e.preventDefault());
})();
