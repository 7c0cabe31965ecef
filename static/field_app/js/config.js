// The configuration the server renders into the shell (field_app/views.py `_config`, in a json_script block:
// the CSP forbids inline scripts): the API's URLs, the labels of codes, and every sentence the app shows, already
// translated into the language the portal is set to (i18n.js).

export const config = JSON.parse(document.getElementById('fa-config').textContent);

/** Labels of the "tidak tersalurkan" reasons, by code. */
export const REASONS = Object.fromEntries(config.reasons);

/** The label of a member's relationship code (as the aid API gives it). */
export function relationship(code) {
  return config.relationships[String(code)] || '';
}
