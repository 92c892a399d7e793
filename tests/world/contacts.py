"""The contacts of building B1 as the finder shows them: its building leader, group leader
and deputy (each with or without a public phone), a member with no role, a member contact
area in 东湖花园 with its own leader, the community committee and compound branch, residents;
and a second compound named 西苑 (in 南山社区) so that "西苑1栋" is ambiguous."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.grids.models import Grid, Kind, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import Member, OrgKind, PartyOrganisation, Resident
from tests.factories import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MemberFactory,
    ResidentFactory,
    box,
)
from tests.world.tree import Tree

LEADER_PHONE = "13800001111"  # did not opt in: only 138****1111 may appear
LEADER_MASKED = "138****1111"
GROUP_PHONE = "13900002222"  # opted in: shown in full
DEPUTY_PHONE = "13700003333"  # did not opt in


@dataclass
class Contacts:
    leader: Member
    group_leader: Member
    deputy: Member
    other: Member  # a member living in the building with no role: not a contact
    residents: list[Resident]
    area: Grid  # 3-4栋党员联系区 in 东湖花园
    xiyuan2: Grid  # the second 西苑 (南山社区)
    xiyuan2_b1: Grid


def build_contacts(tree: Tree) -> Contacts:
    area = BuildingFactory(
        parent=tree.k1,
        code="100001001003",
        name="3-4栋党员联系区",
        kind=Kind.CONTACT_AREA,
        geom=box(113.101, 23.004, 113.105, 23.006),
    )
    xiyuan2 = CompoundFactory(
        parent=tree.c2, code="100002002", name="西苑", geom=box(113.1192, 23.001, 113.1199, 23.003)
    )
    xiyuan2_b1 = BuildingFactory(
        parent=xiyuan2,
        code="100002002001",
        name="1栋",
        geom=box(113.1193, 23.0015, 113.1198, 23.0025),
    )
    leader = MemberFactory(
        name="王楼长",
        phone=LEADER_PHONE,
        phone_public=False,
        specialty="水电维修",
        pledge="有事您找我，件件有回音",
        address="东湖花园1栋2单元301室（私密）",
    )
    group_leader = MemberFactory(
        name="李组长",
        phone=GROUP_PHONE,
        phone_public=True,
        specialty="法律咨询",
        pledge="邻里有需要，我一定到",
    )
    deputy = MemberFactory(name="赵副组长", phone=DEPUTY_PHONE, phone_public=False)
    other = MemberFactory(name="孙无职", phone="13600004444", phone_public=True)
    gridrole_assign(grid=tree.b1, member=leader, role=RoleKind.BUILDING_LEADER, acting_user=None)
    gridrole_assign(grid=tree.b1, member=group_leader, role=RoleKind.GROUP_LEADER, acting_user=None)
    gridrole_assign(grid=tree.b1, member=deputy, role=RoleKind.GROUP_DEPUTY, acting_user=None)
    area_leader = MemberFactory(
        name="周联系人", phone="13500005555", location=Point(113.102, 23.005, srid=4326)
    )
    gridrole_assign(grid=area, member=area_leader, role=RoleKind.BUILDING_LEADER, acting_user=None)
    PartyOrganisation.objects.create(
        kind=OrgKind.COMMUNITY_COMMITTEE, name="东湖社区党委", grid=tree.c1
    )
    PartyOrganisation.objects.create(
        kind=OrgKind.COMPOUND_BRANCH, name="东湖花园党支部", grid=tree.k1
    )
    household = HouseholdFactory(address="东湖花园1栋1单元101室")
    residents = [
        ResidentFactory(household=household, name="钱居民", phone="13311112222"),
        ResidentFactory(household=household, name="吴老人", phone="13322223333"),
    ]
    return Contacts(leader, group_leader, deputy, other, residents, area, xiyuan2, xiyuan2_b1)
