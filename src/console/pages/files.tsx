/** The Files view (SPEC §9): the bucket as folders, delete, "Copy link". */
import type { ListPage } from "../../store/listing.ts";
import { BASE } from "../routing.ts";
import { bytes } from "./format.ts";

export const FILES_PER_PAGE = 200;

function filesHref(prefix: string, after = ""): string {
  return `${BASE}/files?prefix=${encodeURIComponent(prefix)}${after ? `&after=${encodeURIComponent(after)}` : ""}`;
}

function Crumbs(props: { prefix: string }) {
  const parts = props.prefix.split("/").filter(Boolean);
  return (
    <nav aria-label="Folder" class="crumbs">
      <a href={filesHref("")}>music</a>
      {parts.map((p, i) => (
        <>
          {" / "}
          <a href={filesHref(`${parts.slice(0, i + 1).join("/")}/`)}>{p}</a>
        </>
      ))}
    </nav>
  );
}

export function FilesView(props: { prefix: string; page: ListPage }) {
  const { prefix, page } = props;
  const name = (key: string) => key.slice(prefix.length);
  return (
    <section class="files">
      <h1>Files</h1>
      <Crumbs prefix={prefix} />
      <p>
        <a href={`${BASE}/upload?prefix=${encodeURIComponent(prefix)}`}>Upload here</a>
      </p>
      <div id="link-box" class="link-box" hidden>
        <label for="link">Link (valid 7 days)</label>
        <input id="link" readonly />
        <span id="link-status" aria-live="polite"></span>
      </div>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {page.commonPrefixes.map((p) => (
            <tr>
              <td>
                <a href={filesHref(p)}>{name(p)}</a>
              </td>
              <td>folder</td>
              <td class="actions">
                <button type="button" class="danger delete-folder" data-prefix={p} aria-label={`Delete folder ${name(p)}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {page.objects
            .filter((o) => o.key !== prefix)
            .map((o) => (
              <tr>
                <td>{name(o.key)}</td>
                <td>{bytes(o.size)}</td>
                <td class="actions">
                  <button type="button" class="copy-link" data-key={o.key} aria-label={`Copy link to ${name(o.key)}`}>
                    Copy link
                  </button>{" "}
                  <button type="button" class="danger delete-file" data-key={o.key} aria-label={`Delete ${name(o.key)}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      {page.commonPrefixes.length + page.objects.length === 0 ? <p class="empty">This folder is empty.</p> : null}
      {page.isTruncated && page.last ? (
        <nav class="pager" aria-label="Pages">
          <a href={filesHref(prefix, page.last)}>Next page</a>
        </nav>
      ) : null}
    </section>
  );
}
