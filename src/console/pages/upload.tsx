/** The Upload view (SPEC §9): a drop zone, "Choose files", progress per file and overall. */
import { BASE } from "../routing.ts";

export function UploadView(props: { prefix: string; extensions: readonly string[] }) {
  return (
    <section class="upload" data-prefix={props.prefix} data-extensions={props.extensions.join(",")}>
      <h1>Upload</h1>
      <p>
        {"Into "}
        <a href={`${BASE}/files?prefix=${encodeURIComponent(props.prefix)}`}>{props.prefix === "" ? "the top of the bucket" : props.prefix}</a>
        {". Folders keep their structure."}
      </p>
      <div id="drop" class="drop" tabindex={0} role="region" aria-label="Drop audio files or folders here">
        <p>Drop audio files or folders here</p>
        <p class="actions">
          <button type="button" id="choose-files">Choose files</button> <button type="button" id="choose-folder">Choose a folder</button>
        </p>
        <input type="file" id="file-input" multiple hidden aria-label="Files to upload" />
        <input type="file" id="folder-input" webkitdirectory="" multiple hidden aria-label="Folder to upload" />
      </div>
      <label for="overall">Overall progress</label>
      <progress id="overall" max={1} value={0}></progress>
      <p id="upload-summary" aria-live="polite"></p>
      <ul id="upload-list" class="uploads" aria-label="Uploads"></ul>
    </section>
  );
}
