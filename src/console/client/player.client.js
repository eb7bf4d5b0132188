// The player bar: every "Play" button on the page queues its track list
// (the album, or the search results) and starts at that track.
(() => {
  const audio = document.getElementById("audio");
  const toggle = document.getElementById("player-toggle");
  const prev = document.getElementById("player-prev");
  const next = document.getElementById("player-next");
  const title = document.getElementById("now-title");
  const artist = document.getElementById("now-artist");
  let queue = [];
  let index = -1;

  function load(i) {
    const button = queue[i];
    if (!button) return;
    index = i;
    audio.src = button.dataset.src;
    title.textContent = button.dataset.title;
    artist.textContent = button.dataset.artist;
    document.title = `${button.dataset.title} · rockboxd-s3`;
    prev.disabled = index === 0;
    next.disabled = index === queue.length - 1;
    toggle.disabled = false;
    audio.play().catch(() => {});
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.play");
    if (!button) return;
    const list = button.closest("ol") ?? document;
    queue = [...list.querySelectorAll("button.play")];
    load(queue.indexOf(button));
  });
  toggle.addEventListener("click", () => (audio.paused ? audio.play() : audio.pause()));
  prev.addEventListener("click", () => load(index - 1));
  next.addEventListener("click", () => load(index + 1));
  audio.addEventListener("ended", () => load(index + 1));
  audio.addEventListener("play", () => (toggle.textContent = "❚❚"));
  audio.addEventListener("pause", () => (toggle.textContent = "▶"));
})();
