"""docs/admin-paths.md is the admin as it is: the table generated from the live admin site must equal the
file. After an intended change, regenerate it: ``UPDATE_ADMIN_PATHS=1 make test ARGS=tests/test_admin_paths.py``
and review every new "can" in the diff."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.admin_paths import ROLES, admin_paths_markdown
from tests.money_world import build_money_world
from tests.test_admin_guards import _object

pytestmark = pytest.mark.django_db
DOC = Path(settings.BASE_DIR) / "docs" / "admin-paths.md"


def test_the_admin_paths_document_matches_the_admin(request, applicant, approver, finance):
    world = build_money_world(ketua=applicant, approver=approver, finance=finance)
    users = {role: request.getfixturevalue(fixture) for role, fixture in ROLES.items()}

    generated = admin_paths_markdown(users, lambda model: _object(world, model._meta.label))
    if os.environ.get("UPDATE_ADMIN_PATHS") == "1":
        DOC.write_text(generated, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == generated, (
        "docs/admin-paths.md differs from the admin: review the change, then "
        "UPDATE_ADMIN_PATHS=1 make test ARGS=tests/test_admin_paths.py"
    )
