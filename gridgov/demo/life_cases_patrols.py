"""Recent work on the demo street: residents' requests in every state and patrol routes with
patrols, so that the dashboards and the request lists show something on the first visit.

Everything goes through the services (located, audited, state machine respected). The
content comes from the seed; the times are relative to the moment of loading (requests
opened in the last days, patrols in the last weeks), so that ages and deadlines look live.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from gridgov.cases.models import CaseCategory, Channel
from gridgov.cases.selectors import dispatchable
from gridgov.cases.services import (
    case_create,
    case_dispatch,
    case_resolve,
    case_respond,
    case_start,
    case_take,
)
from gridgov.grids.models import Grid, Kind
from gridgov.patrols.services import patrol_record, route_create
from gridgov.people.models import Household, Member, MemberKind, OrgKind, PartyOrganisation

TITLES = {
    "consultation": [
        "咨询医保报销流程",
        "咨询老年人优待证办理",
        "咨询居住证续签",
        "咨询垃圾分类时间",
    ],
    "sanitation": ["楼道堆放杂物", "垃圾桶满溢", "绿化带有积水", "小区门口有建筑垃圾"],
    "repair": ["楼道灯不亮", "单元门禁损坏", "化粪池井盖松动", "电梯异响"],
    "neighbour_dispute": ["楼上漏水影响楼下", "噪音扰民", "公共区域停车纠纷"],
    "safety_hazard": ["电动车楼道充电", "消防通道被占", "围墙破损"],
    "micro_wish": ["独居老人想换个新灯泡", "留守儿童想要一套课外书", "想学用智能手机挂号"],
}
ANSWERS = ["已电话回复，说明了办理流程", "已登记，网格员今天上门查看", "已转支部处理"]
REQUESTS = 60


def build_cases_patrols(*, seed: int, acting_user=None) -> dict[str, int]:
    """The street's recent requests and patrols; their counts."""
    rng = random.Random(seed * 31 + 7)
    now = timezone.now()
    categories = {c.code: c for c in CaseCategory.objects.filter(active=True)}
    members: dict[int, list[Member]] = defaultdict(list)
    # Requests go to members who may be dispatched (cases.selectors.dispatchable).
    for m in dispatchable(
        Member.objects.filter(building__isnull=False).exclude(kind=MemberKind.APPLICANT)
    ).order_by("id"):
        members[m.community_id].append(m)
    households = list(
        Household.objects.filter(building__isnull=False)
        .prefetch_related("residents")
        .order_by("id")
    )
    cases = 0
    for _ in range(REQUESTS if categories and households else 0):
        code = rng.choice(sorted(set(TITLES) & set(categories)))
        home = rng.choice(households)
        requester = next(iter(home.residents.all()), None)
        case = case_create(
            acting_user=acting_user,
            category=categories[code],
            channel=rng.choice([Channel.WINDOW, Channel.PHONE, Channel.ONLINE]),
            title=rng.choice(TITLES[code]),
            requester_name=requester.name if requester else "居民",
            requester=requester,
            location=home.location,
            address=home.address,
            at=now - dt.timedelta(hours=rng.uniform(0.2, 240)),
        )
        cases += 1
        roll = rng.random()
        if roll < 0.08:
            continue  # not answered yet: the dashboard's first work item
        case = case_respond(case=case, acting_user=acting_user, note=rng.choice(ANSWERS))
        helpers = members.get(case.community_id, [])
        if roll < 0.3 or not helpers:
            continue
        member = rng.choice(helpers)
        if case.category.kind != "micro_wish":
            case = case_dispatch(case=case, member=member, acting_user=acting_user)
        case = case_take(case=case, member=member, acting_user=acting_user)
        if roll > 0.55:
            case = case_start(case=case, acting_user=acting_user)
        if roll > 0.75:
            case_resolve(case=case, acting_user=acting_user, note="已处理完毕，居民确认")
    return {"requests": cases, **_patrols(rng, now.date(), acting_user)}


def _patrols(rng: random.Random, today: dt.date, acting_user) -> dict[str, int]:
    """A weekly route around the inside of each compound that has a branch; most were
    walked in the last three weeks, some are overdue."""
    branch_grids = PartyOrganisation.objects.filter(kind=OrgKind.COMPOUND_BRANCH).values("grid")
    routes = patrols = 0
    for grid in Grid.objects.filter(pk__in=branch_grids, kind=Kind.RESIDENTIAL).order_by("code"):
        polygon = shapely.from_wkb(bytes(grid.geom.wkb))
        inner = polygon.buffer(-0.0002)  # about 20 m inside the compound's edge
        if inner.is_empty:
            continue
        ring = shapely.LineString(shapely.get_exterior_ring(shapely.get_geometry(inner, 0)).coords)
        team = list(
            Member.objects.filter(compound=grid)
            .exclude(kind=MemberKind.APPLICANT)
            .order_by("id")[:4]
        )
        route = route_create(
            acting_user=acting_user,
            grid=grid,
            name=f"{grid.name}巡逻线",
            line=GEOSGeometry(ring.wkt, srid=4326),
            schedule="weekly",
            team=team,
        )
        routes += 1
        if team and rng.random() < 0.8:
            patrol_record(
                route=route,
                walked_on=today - dt.timedelta(days=rng.randint(0, 20)),
                members=team[:2],
                acting_user=acting_user,
                notes="例行巡逻",
                findings=[],
            )
            patrols += 1
    return {"patrol_routes": routes, "patrols": patrols}
