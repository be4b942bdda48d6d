"""The permissions each role holds. Synced into Django auth groups after every migrate."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission

from accounts.models import Role

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.GROUP: [],
    Role.VERIFIER: [
        "applications.view_application",
        "applications.change_application",
        "applications.verify_application",
        "applications.view_scheme",
        "applications.view_flag",
        "applications.change_flag",
        "applications.view_applicationdocument",
        "applications.view_applicationstatuschange",
        "applications.view_memberlistimport",
        "applications.add_memberlistimport",
        "groups.view_group",
        "groups.change_group",
        "groups.view_member",
        "groups.change_member",
        "groups.view_bank",
        "regions.view_province",
        "regions.view_regency",
        # Reports on the use of each tahap: the verifier accepts or returns them (change).
        "disbursements.view_usagereport",
        "disbursements.change_usagereport",
        "disbursements.view_reportreceipt",
        "disbursements.view_reportphoto",
        "disbursements.view_attendanceday",
        "disbursements.view_usagereportstatuschange",
        "disbursements.view_treasuryreturn",
        "disbursements.change_treasuryreturn",
        "disbursements.view_tranche",
        # Corrections of a funded group's account and members' identity: propose, and confirm or reject
        # another officer's proposal (never their own: corrections.services and the database refuse it).
        "corrections.view_correction",
        "corrections.add_correction",
        "corrections.confirm_correction",
        "corrections.view_correctionstatuschange",
        # Training in their region: invite groups, keep attendance.
        "training.view_trainingevent",
        "training.invite_groups",
        "training.record_attendance",
        "training.view_invitation",
        "training.view_participant",
        "training.view_attendance",
        "training.view_attendanceimport",
        # Mentoring in their region: share out the caseload, review visits whose photos were far off.
        "mentoring.view_caseassignment",
        "mentoring.assign_mentors",
        "mentoring.view_visit",
        "mentoring.review_location",
        "mentoring.view_visitproblem",
        "mentoring.view_checklistitem",
        # Objections and complaints of their region (never the sensitive ones: grievances.models).
        "grievances.view_ticket",
        "grievances.handle_ticket",
        "grievances.view_tickethistory",
        # Payment verification in their region: results, the sampled payments, and the follow-up list
        # where they record a call or a visit.
        "payment_checks.view_verificationdraw",
        "payment_checks.view_drawstratum",
        "payment_checks.view_sampledpayment",
        "payment_checks.view_followupcase",
        "payment_checks.record_follow_up",
        "payment_checks.view_respondent",
        "payment_checks.view_samplestatuschange",
        "payment_checks.view_followuprecord",
        # Business outcomes of their region's funded groups (rounds are written by the ketua or mentor).
        "outcomes.view_outcometerms",
        "outcomes.view_monitoringround",
        "outcomes.view_roundstatuschange",
    ],
    Role.APPROVER: [
        "applications.view_application",
        "applications.change_application",
        "applications.approve_application",
        "applications.view_scheme",
        "applications.view_schemequota",
        "applications.view_flag",
        "applications.view_applicationdocument",
        "applications.view_applicationstatuschange",
        "groups.view_group",
        "groups.view_member",
        "regions.view_province",
        "regions.view_regency",
    ],
    Role.FINANCE: [
        "applications.view_application",
        "applications.view_scheme",
        "groups.view_group",
        "groups.view_bank",
        "disbursements.view_tranche",
        "disbursements.change_tranche",
        "disbursements.view_paymentbatch",
        "disbursements.add_paymentbatch",
        "disbursements.change_paymentbatch",
        "disbursements.view_paymentbatchline",
        "disbursements.view_ledgerentry",
        "disbursements.view_reconciliationexception",
        "disbursements.change_reconciliationexception",
        "disbursements.resolve_reconciliationexception",
        # Finance sees why an account changed before a re-issued tahap goes out again.
        "corrections.view_correction",
        "corrections.view_correctionstatuschange",
    ],
    Role.DIRECTOR: [
        "applications.view_application",
        "applications.view_scheme",
        "applications.view_schemequota",
        "groups.view_group",
        "disbursements.view_tranche",
        "disbursements.view_paymentbatch",
        "disbursements.view_paymentbatchline",
        "disbursements.view_ledgerentry",
        "disbursements.view_reconciliationexception",
        "disbursements.view_usagereport",
        "disbursements.view_reportreceipt",
        "disbursements.view_reportphoto",
        "disbursements.view_attendanceday",
        "disbursements.view_treasuryreturn",
        "dashboards.view_dashboard",
        "training.view_trainingevent",
        "mentoring.view_caseassignment",
        "mentoring.view_visit",
        "grievances.view_ticket",
        "grievances.view_tickethistory",
        "payment_checks.view_verificationdraw",
        "payment_checks.view_drawstratum",
        "payment_checks.view_sampledpayment",
        "payment_checks.view_followupcase",
        "payment_checks.view_samplingplan",
        "outcomes.view_outcometerms",
        "outcomes.view_monitoringround",
        "outcomes.view_roundstatuschange",
    ],
    # Field mentors: their caseload's visits (on /pendampingan/, scoped to the caseload), and training
    # attendance for their region.
    Role.MENTOR: [
        "groups.view_group",
        "training.view_trainingevent",
        "training.record_attendance",
        "training.view_participant",
        "training.view_attendance",
        "mentoring.view_caseassignment",
        "mentoring.view_visit",
        "mentoring.view_visitproblem",
        "outcomes.view_monitoringround",
    ],
    # The national integrity team: sensitive complaints (pungli, officer misconduct), nowhere else.
    Role.INTEGRITY: [
        "grievances.view_ticket",
        "grievances.handle_ticket",
        "grievances.view_sensitive_ticket",
        "grievances.view_tickethistory",
        "applications.view_application",
        "groups.view_group",
    ],
}


# The portal administrator manages schemes, quotas, users and reference data: every permission of the
# portal's own apps ("app.*"), and no more (Django's own auth/session tables stay superuser-only).
ROLE_PERMISSIONS[Role.ADMIN] = [
    "accounts.*",
    "notifications.*",
    "applications.*",
    "groups.*",
    "disbursements.*",
    "corrections.*",
    "regions.*",
    "dashboards.*",
    "audit.*",
    "training.*",
    "mentoring.*",
    "payment_checks.*",
    # Each scheme's monitoring months and inclusion targets are the administrator's to set.
    "outcomes.*",
    # Partner systems' API clients and keys (the admin also requires a national scope).
    "partners.*",
    # Partners' webhook subscriptions, their delivery log and redelivery (national scope too).
    "webhooks.*",
    # Categories are the administrator's; tickets are read only, and never the sensitive ones (those are
    # the integrity team's alone, hence no "grievances.*").
    "grievances.view_category",
    "grievances.add_category",
    "grievances.change_category",
    "grievances.view_ticket",
    "grievances.view_tickethistory",
    "auth.view_group",
]


def roles_sync() -> None:
    """Create one auth group per role and give it exactly the permissions listed above."""
    # post_migrate reaches apps one by one; make sure every app's permissions exist already.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        auth_group, _created = AuthGroup.objects.get_or_create(name=role.value)
        auth_group.permissions.set([p for dotted in codenames for p in _permissions(dotted)])


def _permissions(dotted: str) -> list[Permission]:
    """``app.codename`` names one permission; ``app.*`` every permission of that app."""
    app_label, codename = dotted.split(".")
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    return list(permissions if codename == "*" else permissions.filter(codename=codename))
