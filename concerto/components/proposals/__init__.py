"""Proposals (ideas): residents submit, support and discuss ideas; the collectivité answers each one.

Decisions worth knowing (see also the manifest's settings):
- A proposal is published when submitted (no pre-moderation); moderators hide it afterwards if needed,
  and a hidden proposal leaves every list, the map, the API and the exports.
- Its author may change it until its first support or comment, or an official answer; after that the
  page says why not. Withdrawing keeps it visible, marked withdrawn, with its supports; it takes no new
  support and leaves the contributions ledger.
- One support per participant and proposal (a unique constraint decides between simultaneous clicks);
  nobody supports their own proposal; `supports_per_participant` (per step) caps supports per component.
- `support_count` and `comment_count` are columns kept in step with each support and comment in the same
  transaction (F expressions; comments through signals on the kernel's Comment), so lists sort on them.
- Erasing an account keeps its proposals and supports, without the person: counts and reached thresholds
  do not change after the fact. Exports and the API hold no email; the API shows the author's public name,
  as the page does; the exports leave authors out.
"""
