"""The kernel's audit actions in words, for the audit log page (codes stay in the database and the exports).

A component declares the labels of its own actions in its manifest (`ComponentManifest.audit_labels`);
`concerto.core.backoffice.audit_labels.action_label` reads both. A test (core/tests/test_audit_labels.py)
finds every action code written anywhere and fails on one without a label.
"""

from django.utils.translation import gettext_lazy as _

KERNEL_ACTION_LABELS = {
    "space.created": _("Space created"),
    "space.updated": _("Space changed"),
    "space.published": _("Space published"),
    "space.unpublished": _("Space back to draft"),
    "space.archived": _("Space archived"),
    "step.created": _("Step added"),
    "step.updated": _("Step changed"),
    "step.deleted": _("Step deleted"),
    "component.added": _("Component added"),
    "component.settings_updated": _("Component settings changed"),
    "component.published": _("Component published"),
    "component.unpublished": _("Component unpublished"),
    "role.granted": _("Role given"),
    "role.revoked": _("Role removed"),
    "organisation.updated": _("Organisation settings changed"),
    "verification.granted": _("Resident verified"),
    "verification.revoked": _("Resident verification revoked"),
    "verification.census_uploaded": _("Census list uploaded"),
    "verification.census_deleted": _("Census list deleted"),
    "verification.franceconnect_not_listed": _("FranceConnect identity not found on the census list"),
    "verification.methods_changed": _("Verification methods changed"),
    "verification.letters_printed": _("Code letters printed"),
    "verification.letter_cancelled": _("Code letter cancelled"),
    "account.deleted": _("Account deleted"),
    "account.demographics_withdrawn": _("Consent to statistics withdrawn"),
    "account.exported": _("Personal data downloaded"),
    "account.profile_updated": _("Profile changed"),
    "account.second_factor_reset": _("Second factor reset"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "api_token.revoked_on_enrolment": _("API token revoked when the second factor was set up"),
    "comment.created": _("Comment posted"),
    "component.deleted": _("Component deleted"),
    "component.moved": _("Component moved"),
    "follow.added": _("Follow started"),
    "follow.removed": _("Follow stopped"),
    "moderation.dismissed": _("Moderation report dismissed"),
    "moderation.hidden": _("Contribution hidden by moderation"),
    "moderation.reported": _("Contribution reported to moderators"),
    "moderation.restored": _("Contribution shown again"),
    "privacy.retention_purged": _("Expired personal data deleted"),
    "role.activated": _("Role activated"),
    "role.enrolment_link_sent": _("Role invitation link sent"),
    "territory.boundaries_imported": _("Commune boundaries imported"),
    # Chat channels (concerto/channels): a person wrote STOP (or used the platform's opt-out).
    "channels.stopped": _("Chat messages stopped by the person"),
    "channels.connected": _("Chat channel connected"),
    "channels.updated": _("Chat channel changed"),
    "channels.deactivated": _("Chat channel deactivated"),
    "channels.checked": _("Chat channel token tested"),
    "channels.ticket_opened": _("Conversation with an agent asked for"),
    "channels.ticket_replied": _("Agent's answer sent in the chat"),
    "channels.ticket_closed": _("Conversation with an agent closed"),
    "channels.link_code_created": _("Code to link a chat asked for"),
    "channels.linked": _("Chat linked to an account"),
    "channels.unlinked": _("Chat unlinked from its account"),
    "channels.test_queued": _("Test message to a chat channel asked for"),
    "channels.tested": _("Outcome of a chat channel's test message"),
    "channels.subscribed": _("Chat subscription started"),
    "channels.subscription_changed": _("Chat subscription changed"),
    "channels.unsubscribed": _("Chat subscription stopped"),
    "channels.broadcast_sent": _("Chat broadcast sent"),
    # Following a place, and email digests (concerto/core/participation).
    "follow.place_added": _("Place followed"),
    "follow.place_removed": _("Place no longer followed"),
    "participation.digest_set": _("Email digest frequency chosen"),
    "participation.digest_unsubscribed": _("Email digest stopped from the email's link"),
    # Newsletters (concerto/core/participation/newsletters.py).
    "participation.newsletter_created": _("Newsletter written"),
    "participation.newsletter_updated": _("Newsletter changed"),
    "participation.newsletter_tested": _("Newsletter test sent"),
    "participation.newsletter_sent": _("Newsletter sent"),
    "participation.newsletter_unsubscribed": _("Newsletters stopped from the email's link"),
    # Decisions and actions (concerto/core/accountability).
    "decision.created": _("Decision recorded"),
    "decision.updated": _("Decision changed"),
    "decision.archived": _("Decision archived"),
    "decision.restored": _("Decision restored"),
    "decision.deleted": _("Decision deleted"),
    "decision.linked": _("Contribution linked to a decision"),
    "decision.unlinked": _("Contribution unlinked from a decision"),
    "action.created": _("Action added"),
    "action.updated": _("Action changed"),
    "action.progress_added": _("Action update published"),
    "action.photo_added": _("Action photo added"),
    "action.deleted": _("Action deleted"),
    "population.imported": _("Population table imported"),
}

# Actions some components write under their own name, for the kernel's shared categories
# ("reports.category_created"): the label of the end of the code, when the component gives none.
SUFFIX_ACTION_LABELS = {
    ".category_created": _("Category created"),
    ".category_updated": _("Category changed"),
    ".category_deleted": _("Category deleted"),
    # Background jobs (concerto.core.jobs) write "<kind>_requested" and "<kind>_failed".
    "_requested": _("Background job requested"),
    "_failed": _("Background job failed"),
}
