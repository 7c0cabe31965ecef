// The periodic-task form of django-celery-beat (templates/admin/djcelery/change_periodictask_form.html): the
// chosen crontab's schedule in words under the field, as the library's inline script did, as a static file so
// that the CSP (script-src 'self') lets it run. Text goes in through textContent, never as HTML.
(function () {
  'use strict';

  var script = document.getElementById('periodic-task-overrides');
  var data = document.getElementById('readable-crontabs');
  var readable = data ? JSON.parse(data.textContent) : {};
  var label = (script && script.dataset.label) || 'Translation';

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  ready(function () {
    var row = document.querySelector('.field-crontab_translation');
    if (row) row.hidden = true;
    var select = document.getElementById('id_crontab');
    var help = document.querySelector('.field-crontab .help');
    if (!select || !help) return;
    var line = document.createElement('div');
    line.className = 'js-crontab-translation';
    help.appendChild(line);

    function update() {
      var text = readable[select.value];
      line.textContent = text ? label + ': ' + text : '';
      line.hidden = !text;
    }

    select.addEventListener('change', update);
    update();
  });
})();
