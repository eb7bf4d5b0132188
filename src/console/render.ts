/** A whole page: the doctype, then what hono/jsx rendered (every value escaped). */
import { html } from "hono/html";
import type { Child } from "hono/jsx";

export function renderPage(node: Child) {
  return html`<!doctype html>${node}`;
}
