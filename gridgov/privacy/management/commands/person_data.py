"""A person's PIPL rights from the command line: a copy of their data, or erasure."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.people.models import Member, Resident
from gridgov.privacy.services import (
    member_erase,
    person_export,
    phone_erase,
    phone_export,
    resident_erase,
)


class Command(BaseCommand):
    help = (
        "export: write everything held about one resident, member or phone number as "
        "JSON; erase: delete a resident / anonymise a member / erase a number and the "
        "name given with it, wherever they lie (docs/PRIVACY.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--resident", type=int, help="resident id")
        who.add_argument("--member", type=int, help="member id")
        who.add_argument(
            "--phone", help="a phone number: someone known only by it (Open311 requests …)"
        )
        parser.add_argument("-o", "--output", type=Path, help="export: file (default stdout)")
        parser.add_argument("--reason", default="", help="erase: why (required)")
        parser.add_argument("--yes", action="store_true", help="erase: confirm")

    def handle(self, *args, **opts):
        try:
            if opts["phone"] is not None:
                what = f"phone {opts['phone']}"
                export = lambda: phone_export(acting_user=None, phone=opts["phone"])  # noqa: E731
                erase = lambda reason: phone_erase(  # noqa: E731
                    acting_user=None, phone=opts["phone"], reason=reason
                )
            else:
                model, pk = (
                    (Resident, opts["resident"])
                    if opts["resident"] is not None
                    else (Member, opts["member"])
                )
                person = model.objects.filter(pk=pk).first()
                if person is None:
                    raise CommandError(f"no {model._meta.model_name} with id {pk}")
                what = f"{model._meta.model_name} {pk}"
                kw = {"resident": person} if model is Resident else {"member": person}
                export = lambda: person_export(acting_user=None, **kw)  # noqa: E731
                erase_person = resident_erase if model is Resident else member_erase
                erase = lambda reason: erase_person(  # noqa: E731
                    acting_user=None, reason=reason, **kw
                )
            if opts["action"] == "export":
                text = json.dumps(export(), ensure_ascii=False, indent=1)
                if opts["output"]:
                    opts["output"].write_text(text, encoding="utf-8")
                    self.stdout.write(f"written: {opts['output']}")
                else:
                    self.stdout.write(text)
                return
            if not opts["yes"]:
                raise CommandError("erase cannot be undone: add --yes to confirm")
            done = erase(opts["reason"])
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        self.stdout.write(f"erased {what}: {json.dumps(done, ensure_ascii=False)}")
