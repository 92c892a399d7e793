"""The cast of the domain tests (cases, notices, service, points …): staff of C1, C2 and K1,
members with logins in C1 and C2 whose reporting C1/C2 confirmed, and accounts with no
role."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.accounts.models import StaffRole
from tests.factories import MemberFactory, StaffFactory, UserFactory
from tests.world.tree import IN_B1, IN_B3, IN_B4, Tree


@dataclass
class Cast:
    c1_staff: object  # community secretary of C1 (username c1sec)
    c2_staff: object  # community secretary of C2 (c2sec)
    k1_staff: object  # branch secretary of compound K1 (k1sec)
    k1_leader: object  # grid leader of compound K1: reads, keeps nothing (k1leader)
    resident: object  # a resident's own account, no role (resident)
    stranger: object  # another resident's account (stranger)
    nobody: object  # a signed-in user with no member record and no role (nobody)
    wang: object  # 王芳, member in B1 (C1) with a login (wang); reporting confirmed
    li: object  # 李强, member in B3 (C1) with a login (li); reporting confirmed
    zhao: object  # 赵敏, member in B4 (C2) with a login (zhao); reporting confirmed


def build_cast(tree: Tree) -> Cast:
    def staff(username, role, grid):
        return StaffFactory(username=username, role=role, grid=grid)

    def member(name, username, location):
        user = UserFactory(username=username)
        return MemberFactory(name=name, location=location, user=user, confirmed=True)

    return Cast(
        c1_staff=staff("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        c2_staff=staff("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        k1_staff=staff("k1sec", StaffRole.BRANCH_SECRETARY, tree.k1),
        k1_leader=staff("k1leader", StaffRole.GRID_LEADER, tree.k1),
        resident=UserFactory(username="resident"),
        stranger=UserFactory(username="stranger"),
        nobody=UserFactory(username="nobody"),
        wang=member("王芳", "wang", IN_B1),
        li=member("李强", "li", IN_B3),
        zhao=member("赵敏", "zhao", IN_B4),
    )
