"""A person's PIPL rights from the command line: a copy of their data, or erasure."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.people.models import Member, Resident
from gridgov.privacy.services import member_erase, person_export, resident_erase


class Command(BaseCommand):
    help = ("export: write everything held about one resident or member as JSON; "
            "erase: delete a resident / anonymise a member (docs/PRIVACY.md).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--resident", type=int, help="resident id")
        who.add_argument("--member", type=int, help="member id")
        parser.add_argument("-o", "--output", type=Path, help="export: file (default stdout)")
        parser.add_argument("--reason", default="", help="erase: why (required)")
        parser.add_argument("--yes", action="store_true", help="erase: confirm")

    def handle(self, *args, **opts):
        model, pk = (Resident, opts["resident"]) if opts["resident"] else (Member, opts["member"])
        person = model.objects.filter(pk=pk).first()
        if person is None:
            raise CommandError(f"no {model._meta.model_name} with id {pk}")
        kw = {"resident": person} if model is Resident else {"member": person}
        try:
            if opts["action"] == "export":
                text = json.dumps(person_export(acting_user=None, **kw), ensure_ascii=False,
                                  indent=1)
                if opts["output"]:
                    opts["output"].write_text(text, encoding="utf-8")
                    self.stdout.write(f"written: {opts['output']}")
                else:
                    self.stdout.write(text)
                return
            if not opts["yes"]:
                raise CommandError("erase cannot be undone: add --yes to confirm")
            erase = resident_erase if model is Resident else member_erase
            done = erase(acting_user=None, reason=opts["reason"], **kw)
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        self.stdout.write(f"erased {model._meta.model_name} {pk}: {done}")
