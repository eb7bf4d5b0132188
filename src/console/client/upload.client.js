// Upload: files and dropped folders (their structure kept) into the chosen
// folder; one progress bar per file and one overall; files over 16 MiB in
// parts sent in parallel; anything that is not audio listed as skipped.
(() => {
  const section = document.querySelector("section.upload");
  if (!section) return;
  const csrf = document.getElementById("main").dataset.csrf;
  const prefix = section.dataset.prefix;
  const audio = new Set(section.dataset.extensions.split(","));
  const list = document.getElementById("upload-list");
  const overall = document.getElementById("overall");
  const summary = document.getElementById("upload-summary");
  const MULTIPART_OVER = 16 * 1024 * 1024;
  const PART_SIZE = 8 * 1024 * 1024;
  const PARALLEL_PARTS = 3;
  const path = (key) => key.split("/").map(encodeURIComponent).join("/");
  let total = 0;
  let sent = 0;
  let done = 0;
  let skipped = 0;
  let failed = 0;

  function row(name, text) {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = text ? `${name} — ${text}` : name;
    li.append(label);
    list.append(li);
    return { li, label };
  }

  function send(method, url, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        let json = {};
        try { json = JSON.parse(xhr.responseText); } catch {}
        xhr.status < 300 ? resolve(json) : reject(new Error(json.error ?? `HTTP ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error("network error"));
      xhr.send(body);
    });
  }

  async function json(url, body) {
    const res = await fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const out = await res.json();
    if (!res.ok) throw new Error(out.error ?? `HTTP ${res.status}`);
    return out;
  }

  async function multipart(key, file, progress) {
    const { uploadId } = await json("/ui/api/multipart", { key });
    const count = Math.ceil(file.size / PART_SIZE);
    const loaded = new Array(count).fill(0);
    const parts = [];
    let nextPart = 0;
    async function worker() {
      while (nextPart < count) {
        const i = nextPart++;
        const blob = file.slice(i * PART_SIZE, Math.min(file.size, (i + 1) * PART_SIZE));
        const url = `/ui/api/multipart/${encodeURIComponent(uploadId)}/${i + 1}?key=${encodeURIComponent(key)}`;
        const { etag } = await send("PUT", url, blob, (n) => {
          loaded[i] = n;
          progress(loaded.reduce((a, b) => a + b, 0));
        });
        parts[i] = { partNumber: i + 1, etag };
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
      await json(`/ui/api/multipart/${encodeURIComponent(uploadId)}/complete`, { key, parts });
    } catch (e) {
      fetch(`/ui/api/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`, { method: "DELETE", headers: { "X-CSRF-Token": csrf } });
      throw e;
    }
  }

  function refresh() {
    overall.value = total === 0 ? 0 : sent / total;
    summary.textContent = `${done} uploaded, ${skipped} skipped${failed ? `, ${failed} failed` : ""}.`;
  }

  async function uploadAll(entries) {
    const queue = [];
    for (const { file, rel } of entries) {
      const name = rel.split("/").pop();
      const dot = name.lastIndexOf(".");
      const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
      if (!audio.has(ext)) {
        skipped++;
        row(rel, `skipped: ${ext ? `.${ext} is not an audio file` : "no audio file extension"}`).li.classList.add("skipped");
        continue;
      }
      queue.push({ file, rel });
      total += file.size;
    }
    refresh();
    for (const { file, rel } of queue) {
      const { li, label } = row(rel, "");
      const bar = document.createElement("progress");
      bar.max = Math.max(1, file.size);
      bar.value = 0;
      bar.setAttribute("aria-label", `Progress of ${rel}`);
      li.append(bar);
      let mine = 0;
      const progress = (n) => {
        sent += n - mine;
        mine = n;
        bar.value = n;
        refresh();
      };
      const key = prefix + rel;
      try {
        if (file.size > MULTIPART_OVER) await multipart(key, file, progress);
        else await send("PUT", `/ui/api/objects/${path(key)}`, file, progress);
        progress(file.size);
        done++;
        label.textContent = `${rel} — uploaded`;
      } catch (e) {
        failed++;
        label.textContent = `${rel} — failed: ${e.message}`;
      }
      refresh();
    }
  }

  // A dropped folder arrives as entries to walk; its path inside the drop is kept.
  async function walk(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file, rel: entry.fullPath.replace(/^\//, "") });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, out);
      }
    }
  }

  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const entries = [];
    for (const item of [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry()).filter(Boolean)) await walk(item, entries);
    uploadAll(entries);
  });
  const fileInput = document.getElementById("file-input");
  const folderInput = document.getElementById("folder-input");
  document.getElementById("choose-files").addEventListener("click", () => fileInput.click());
  document.getElementById("choose-folder").addEventListener("click", () => folderInput.click());
  const picked = (input) => () => {
    uploadAll([...input.files].map((file) => ({ file, rel: file.webkitRelativePath || file.name })));
    input.value = "";
  };
  fileInput.addEventListener("change", picked(fileInput));
  folderInput.addEventListener("change", picked(folderInput));
})();
