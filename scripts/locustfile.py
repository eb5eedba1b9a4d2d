"""Locust users of the load test (run by scripts/loadtest.py, which seeds the accounts and the
sessions this file reads).

Four kinds of virtual user, each logged in with a session prepared by loadtest.py (one account
per NGO admin, so an NGO's submission has one editor; the other accounts are shared):

- NGOSubmitter: an NGO admin opening the five-expectation editor and saving it (a draft, or an
  amendment once it is submitted).
- MunicipalOfficer: municipal staff opening their inbox and answering one of the cases.
- ProgrammeAttendee: an NGO member registering for, and cancelling at, a programme with few seats.
- Coordinator: a coordinator reading the national and sub-region reports.

Every write that gets a success response is appended to the results file (LOADTEST_RESULTS) as
one JSON line; loadtest.py checks afterwards that each of them is in the database.
"""

import html
import itertools
import json
import os
import random
import re
import threading
import uuid

from locust import HttpUser, between, task

SESSIONS = json.loads(open(os.environ["LOADTEST_SESSIONS"], encoding="utf-8").read())  # noqa: SIM115
RESULTS = os.environ["LOADTEST_RESULTS"]
_results_lock = threading.Lock()
_counters = {kind: itertools.count() for kind in SESSIONS["accounts"]}

INPUT = re.compile(r"<input\b[^>]*>", re.S)
ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
SELECTED = re.compile(r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b', re.S)
CASE_LINK = re.compile(r'href="(/surveys/cases/(\d+)/)"')
SUBREGION_LINK = re.compile(r'href="(/reports/subregions/[^"/]+/)')


def record(kind, **data):
    """Append one successful write to the results file."""
    line = json.dumps({"kind": kind, **data}, ensure_ascii=False)
    with _results_lock, open(RESULTS, "a", encoding="utf-8") as results:
        results.write(line + "\n")


def form_fields(page, action=None):
    """The fields of the form posting to ``action`` (or of the whole page): inputs, textareas
    and the selected option of each select, as a dict of name → value."""
    if action is not None:
        start = page.find(f'action="{action}"')
        if start < 0:
            return {}
        page = page[page.rfind("<form", 0, start) : page.find("</form>", start)]
    fields = {}
    for tag in INPUT.findall(page):
        attrs = dict(ATTR.findall(tag))
        if "name" not in attrs or attrs.get("type") in ("submit", "button", "checkbox"):
            continue
        fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for name, text in TEXTAREA.findall(page):
        fields[name] = html.unescape(text.lstrip("\n"))
    for name, options in SELECT.findall(page):
        chosen = SELECTED.search(options)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    return fields


class PortalUser(HttpUser):
    """A user signed in with one of the prepared sessions of its kind."""

    abstract = True
    kind = ""
    wait_time = between(0.5, 2.0)

    def on_start(self):
        accounts = SESSIONS["accounts"][self.kind]
        self.account = accounts[next(_counters[self.kind]) % len(accounts)]
        self.client.cookies.set("sessionid", self.account["session"])

    def get(self, url, name=None):
        with self.client.get(url, name=name or url, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"GET {url}: {response.status_code}")
            return response

    def post(self, url, data, name, *, redirects=False):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            url, data=data, name=name, allow_redirects=redirects, catch_response=True
        ) as response:
            if response.status_code >= 500:
                response.failure(f"POST {url}: {response.status_code}")
            else:
                response.success()
            return response


class NGOSubmitter(PortalUser):
    """An NGO admin editing the NGO's five expectations and saving them."""

    kind = "ngo_admin"
    weight = 3

    @task
    def save_submission(self):
        editor = self.account["editor"]
        page = self.get(editor, name="/surveys/[code]/ngo/[slug]/").text
        data = form_fields(page, action=editor)
        if "version" not in data:
            return
        token = uuid.uuid4().hex[:10]
        rank = random.randrange(5)
        data[f"form-{rank}-title"] = f"Yük testi {token}"
        data[f"form-{rank}-description"] = f"Yük testi açıklaması {token}"
        for index in range(5):
            if not data.get(f"form-{index}-category"):
                data[f"form-{index}-category"] = self.account["category"]
            if not data.get(f"form-{index}-title"):
                data[f"form-{index}-title"] = f"Beklenti {index + 1}"
            if not data.get(f"form-{index}-description"):
                data[f"form-{index}-description"] = "Açıklama."
        data["save"] = "1"
        response = self.post(editor, data, "/surveys/[code]/ngo/[slug]/ (save)")
        if response.status_code == 302:
            record("submission", ngo=self.account["ngo"], rank=rank + 1, token=token)


class MunicipalOfficer(PortalUser):
    """Municipal staff answering cases from their inbox."""

    kind = "staff"
    weight = 2

    @task
    def answer_case(self):
        inbox = self.get("/surveys/inbox/?page=1", name="/surveys/inbox/").text
        cases = CASE_LINK.findall(inbox)
        if not cases:
            return
        url, pk = random.choice(cases)
        page = self.get(url, name="/surveys/cases/[pk]/").text
        answer_url = f"/surveys/cases/{pk}/answer/"
        data = form_fields(page, action=answer_url)
        if "review_version" not in data:
            return
        token = uuid.uuid4().hex[:10]
        data["text"] = f"Yük testi yanıtı {token}: talebiniz inceleniyor."
        response = self.post(answer_url, data, "/surveys/cases/[pk]/answer/")
        if response.status_code == 302:
            record("answer", case=int(pk), token=token)


class ProgrammeAttendee(PortalUser):
    """An NGO member registering for a programme with few seats, and cancelling again."""

    kind = "member"
    weight = 3

    @task
    def register_or_cancel(self):
        event = SESSIONS["event"]
        page = self.get(f"/events/{event}/", name="/events/[slug]/").text
        if f'action="/events/{event}/register/cancel/"' in page:
            url, action = f"/events/{event}/register/cancel/", "cancel"
        else:
            url, action = f"/events/{event}/register/", "register"
        data = form_fields(page, action=url)
        response = self.post(url, data, f"/events/[slug]/{action}", redirects=True)
        redirected = response.history and response.history[0].status_code == 302
        if redirected and "alert-success" in response.text:
            record("registration", event=event, user=self.account["email"], action=action)


class Coordinator(PortalUser):
    """A coordinator reading the national report and drilling into a sub-region."""

    kind = "coordinator"
    weight = 1

    @task
    def read_reports(self):
        page = self.get("/reports/", name="/reports/").text
        links = SUBREGION_LINK.findall(page)
        if links:
            self.get(random.choice(links), name="/reports/subregions/[code]/")
