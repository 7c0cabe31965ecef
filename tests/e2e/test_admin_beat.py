"""The Admin adds a periodic task in Django admin (django-celery-beat) under the portal's CSP (issue 22 B9).

The library's form template ran an inline script, which `script-src 'self'` blocks: the crontab's reading in words
never appeared and the console reported the violation. templates/admin/djcelery/change_periodictask_form.html
serves it as a static file instead.
"""

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from playwright.sync_api import expect

from accounts.models import Role
from tests.e2e.conftest import login, screenshot
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Every CSP violation the page meets, from the browser's own event (the console says it too).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || 'inline'} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_admin_adds_a_periodic_task_without_csp_violations(page, live_server):
    UserFactory(username="e2e.admin.beat", role=Role.ADMIN)
    weekly = CrontabSchedule.objects.create(minute="30", hour="7", day_of_week="1", day_of_month="*")
    CrontabSchedule.objects.create(minute="0", hour="2", day_of_week="*", day_of_month="*")
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    login(page, live_server, "e2e.admin.beat", PASSWORD)
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    expect(page.locator("#periodictask_form")).to_be_visible()

    # The page's own script runs: the read-only "translation" row is hidden, and choosing a crontab shows its
    # schedule in words under the field.
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    help_text = page.locator(".field-crontab .help")
    page.select_option("#id_crontab", str(weekly.pk))
    expect(help_text).to_contain_text(weekly.human_readable)
    assert help_text.inner_text().endswith(f"Arti jadwal: {weekly.human_readable}")
    # The admin's own widgets work too: "Hari ini" and "Sekarang" fill the start (DateTimeShortcuts).
    page.locator(".field-start_time .datetimeshortcuts a", has_text="Hari ini").click()
    page.locator(".field-start_time .datetimeshortcuts a", has_text="Sekarang").click()
    expect(page.locator("#id_start_time_0")).not_to_have_value("")
    expect(page.locator("#id_start_time_1")).not_to_have_value("")
    screenshot(page, "admin_beat_add_periodic_task")

    page.fill("#id_name", "Uji tugas mingguan")
    page.select_option("#id_regtask", "core.tasks.anonymise_expired_records_task")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    task = PeriodicTask.objects.get(name="Uji tugas mingguan")
    assert (task.task, task.crontab_id) == ("core.tasks.anonymise_expired_records_task", weekly.pk)

    assert page.evaluate("window.__cspViolations") == []
    assert [text for text in console if "Content Security Policy" in text] == []
