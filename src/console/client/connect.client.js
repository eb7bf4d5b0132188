// "Show secret": fetched only when asked, then put into the snippets.
(() => {
  const button = document.getElementById("show-secret");
  button?.addEventListener("click", async () => {
    const res = await fetch("/ui/api/secret");
    if (!res.ok) return;
    const { secretKey } = await res.json();
    document.getElementById("secret-key").textContent = secretKey;
    for (const pre of document.querySelectorAll("pre.snippet")) pre.textContent = pre.textContent.replaceAll("YOUR_SECRET_KEY", secretKey);
    button.hidden = true;
  });
})();
