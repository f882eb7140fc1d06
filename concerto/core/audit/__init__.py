"""The audit log: who changed what, in which organisation. The ground floor of the kernel: it imports no
other kernel package but the organisations tree, so that every other one (accounts, verification,
participation, spaces...) can write to it without an import cycle."""
