// Screens are chosen by location.hash; app.js holds the table of screens and gives it here. A screen that shows
// the queue's state registers a refresh, so that a finished sync re-renders what is on screen.

import { $$ } from './ui.js';

let router = async () => {};
const refreshers = {};

export function setRouter(route) {
  router = route;
}

export function route() {
  return router();
}

/** Goes to a screen; renders it even when the hash is already that one (no hashchange then). */
export function go(hash) {
  if (location.hash === hash) router();
  else location.hash = hash;
}

export function currentScreen() {
  const visible = $$('[data-screen]').find((s) => !s.hidden);
  return visible ? visible.dataset.screen : null;
}

export function onRefresh(screen, render) {
  refreshers[screen] = render;
}

export function refreshCurrent() {
  const render = refreshers[currentScreen()];
  if (render) render();
}
