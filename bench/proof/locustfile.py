"""The load proof's users (locust, run by bench/proof/load.py).

Three kinds of user, each waiting PROOF_WAIT ("2-6" seconds) between requests, as people
and city systems do:
- GridLeader (1 in 4): signs in at /accounts/login/ as the demo grid leader (CSRF token
  from the form), then opens the dashboard of the grid they lead, /map/grid/<code>/;
- Resident (1 in 4): the public finder, /find/?q=<a household address of the demo>;
  it must name a building;
- CitySystem (2 in 4): with the API key, /api/v1/locate/ at household points (the answer
  must name the household's building), /api/v1/grids/?level=1, the Open311 service list.

PROOF_FIXTURES names the JSON bench/proof/dbtools.py fixtures wrote.
"""

from __future__ import annotations

import json
import os
import random
import re
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

FIX = json.load(open(os.environ["PROOF_FIXTURES"]))
LOW, HIGH = (float(x) for x in os.environ.get("PROOF_WAIT", "2-6").split("-"))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class GridLeader(FastHttpUser):
    weight = 1
    wait_time = between(LOW, HIGH)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login (form)")
        token = TOKEN.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            name="login (post)",
            allow_redirects=False,
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": FIX["leader"]["username"],
                "password": FIX["password"],
                "next": "/",
            },
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login answered {r.status_code}, not a redirect")

    @task
    def dashboard(self):
        with self.client.get(
            f"/map/grid/{FIX['leader']['grid']}/", name="grid dashboard", catch_response=True
        ) as r:
            if r.status_code == 200 and FIX["leader"]["grid"] not in (r.text or ""):
                r.failure("dashboard without its grid")


class Resident(FastHttpUser):
    weight = 1
    wait_time = between(LOW, HIGH)

    @task
    def finder(self):
        q = random.choice(FIX["addresses"])
        with self.client.get(
            f"/find/?{urlencode({'q': q})}", name="finder /find/?q=", catch_response=True
        ) as r:
            if r.status_code == 200 and "finder-building" not in (r.text or ""):
                r.failure("finder found no building")


class CitySystem(FastHttpUser):
    weight = 2
    wait_time = between(LOW, HIGH)

    def on_start(self):
        self.headers = {"X-Api-Key": FIX["key"]}

    @task(3)
    def locate(self):
        lon, lat, building = random.choice(FIX["points"])
        with self.client.get(
            f"/api/v1/locate/?lon={lon}&lat={lat}",
            headers=self.headers,
            name="/api/v1/locate/",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                found = ((r.json() or {}).get("building") or {}).get("code")
                if found != building:
                    r.failure(f"located in {found}, not {building}")

    @task(1)
    def grids(self):
        self.client.get(
            "/api/v1/grids/?level=1", headers=self.headers, name="/api/v1/grids/?level=1"
        )

    @task(1)
    def services(self):
        self.client.get(
            "/open311/v2/services.json", headers=self.headers, name="/open311/v2/services.json"
        )
