#!/usr/bin/env bash
# Refresh and compile the French catalogues (needs GNU gettext: apt-get install gettext).
# The project's own templates and kernel views have concerto/locale; each app keeps <app>/locale.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=concerto.settings PYTHONPATH="$PWD"
ADMIN="$PWD/.venv/bin/django-admin"
(cd concerto && "$ADMIN" makemessages -l fr --no-obsolete \
  --ignore='core/territory' --ignore='core/accounts' --ignore='core/spaces' --ignore='core/participation' --ignore='core/backoffice' --ignore='core/jobs' --ignore='core/opendata' --ignore='components/*' --ignore='api/*' --ignore='browser/*' --ignore='demo/*' \
  --ignore='*/tests/*' --ignore='testing.py' --ignore='conftest.py')
for app in concerto concerto/core/*/ concerto/components/*/ concerto/api concerto/demo; do
  [ -d "$app/locale" ] || continue
  (cd "$app" && "$ADMIN" compilemessages -l fr >/dev/null)
done
msgfmt --check-format -o concerto/locale_overrides/fr/LC_MESSAGES/django.mo concerto/locale_overrides/fr/LC_MESSAGES/django.po
echo "Catalogues compiled. Fill empty msgstr in concerto/locale/fr/LC_MESSAGES/django.po, then run again."
