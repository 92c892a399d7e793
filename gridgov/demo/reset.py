"""Remove all governance data (for load_demo --reset), children before parents."""

from django.contrib.auth import get_user_model
from django.db import transaction

from gridgov.accounts.models import Assignment
from gridgov.demo.builder import DEMO_USERS
from gridgov.grids.models import Grid, GridRole, Level, Street
from gridgov.people.models import (
    CoBuildingUnit,
    Household,
    Member,
    PartyOrganisation,
)


@transaction.atomic
def wipe() -> None:
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.demo.life import remove_photos
    from gridgov.grids.models import ServiceStation
    from gridgov.patrols.models import Patrol, PatrolRoute
    from gridgov.planning.models import BranchPlan, HouseholdTeam, MemberGroup
    from gridgov.points.services import points_reset_all
    from gridgov.posts.models import (
        MemberResource,
        PostAction,
        PostClaim,
        ServiceListEntry,
        ServicePost,
    )
    from gridgov.reporting.models import (
        CoBuildingAgreement,
        ReportEvent,
        ReportingDeadline,
        UnitReport,
    )
    from gridgov.service.models import Activity, SelfService, SignUp

    # Work records first (they refer to members, grids and ledger entries), then the ledger.
    remove_photos()  # the files of self-organised service, before their rows
    ServiceListEntry.objects.all().delete()
    MemberResource.objects.all().delete()
    PostAction.objects.all().delete()
    PostClaim.objects.all().delete()
    ServicePost.objects.all().delete()
    SignUp.objects.all().delete()
    Activity.objects.all().delete()
    SelfService.objects.all().delete()
    points_reset_all()
    ReportEvent.objects.all().delete()
    UnitReport.objects.all().delete()
    CoBuildingAgreement.objects.all().delete()
    ReportingDeadline.objects.all().delete()
    BranchPlan.objects.all().delete()
    MemberGroup.objects.all().delete()
    HouseholdTeam.objects.all().delete()
    ServiceStation.objects.all().delete()
    Patrol.objects.all().delete()  # findings cascade
    PatrolRoute.objects.all().delete()
    CaseEvent.objects.all().delete()  # the history is protected; a demo reset drops it
    Case.objects.update(duplicate_of=None)
    Case.objects.all().delete()
    GridRole.objects.all().delete()
    Assignment.objects.all().delete()
    PartyOrganisation.objects.update(secretary=None)
    Household.objects.all().delete()  # residents and their vulnerabilities cascade
    Member.objects.all().delete()
    PartyOrganisation.objects.all().delete()
    CoBuildingUnit.objects.all().delete()
    for level in (Level.BUILDING, Level.COMPOUND, Level.COMMUNITY):
        Grid.objects.filter(level=level).delete()
    Street.objects.all().delete()
    get_user_model().objects.filter(username__in=DEMO_USERS).delete()
