// Small DOM helpers. Text always goes in through textContent (names and notes are never parsed as HTML).

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** el('div', {class: 'x', dataset: {id: 1}, onclick: fn}, 'text', child, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (value === null || value === undefined || value === false) return;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  });
  children.flat().forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  });
  return node;
}

export function icon(name) {
  return el('i', { class: `bi bi-${name}`, 'aria-hidden': 'true' });
}

export function showScreen(name) {
  $$('[data-screen]').forEach((section) => { section.hidden = section.dataset.screen !== name; });
  $$('[data-tab]').forEach((tab) => {
    const active = tab.dataset.tab === name || (name === 'households' && tab.dataset.tab === 'rounds')
      || (name === 'record' && tab.dataset.tab === 'rounds');
    tab.classList.toggle('active', active);
    if (active) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  });
  window.scrollTo(0, 0);
}

let toastTimer = null;
export function toast(message, kind = 'success') {
  const node = $('#toast');
  node.textContent = message;
  node.className = `fa-toast fa-toast-${kind}`;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 4000);
}

export function setAlert(node, message) {
  node.textContent = message || '';
  node.hidden = !message;
}
