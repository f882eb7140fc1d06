"""`action_label(code)`: an audit action in words (« Note interne ajoutée au signalement »), never a code."""

from concerto.core import registry
from concerto.core.audit.labels import KERNEL_ACTION_LABELS, SUFFIX_ACTION_LABELS


def action_labels() -> dict:
    """Every known action code -> its lazy label: the kernel's, then each component's manifest."""
    labels = dict(KERNEL_ACTION_LABELS)
    for manifest in registry.components():
        labels.update(manifest.audit_labels)
    return labels


def action_label(code: str):
    """The label of CODE; a category action of a component takes the shared category label; an unknown code
    (an entry written by an older version) is shown as it is rather than hidden."""
    labels = action_labels()
    if code in labels:
        return labels[code]
    for suffix, label in SUFFIX_ACTION_LABELS.items():
        if code.endswith(suffix):
            return label
    return code
