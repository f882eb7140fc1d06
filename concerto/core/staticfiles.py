"""The production storage of static files: WhiteNoise's compressed manifest storage (hashed names, gzip and
brotli copies, served with a one-year cache), tolerant of one thing only: a source map that a vendored
package names but does not ship.

`xstatic-leaflet-markercluster` ends `leaflet.markercluster.js` with `//# sourceMappingURL=leaflet.markercluster.js.map`
and ships no such file, so the manifest storage, which rewrites every reference to its hashed name, stopped
`collectstatic` and, with it, every page (a `{% static %}` missing from the manifest is an error when DEBUG is
off). A source map only helps a developer's tools; a comment naming a file that does not exist is dropped
from the collected copy (the browser's tools would ask for it and get a 404). Every other missing reference
(an image or a font named by a stylesheet, a source map that exists) still fails `collectstatic`: those are
real defects.
"""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        converter = super().url_converter(name, hashed_files, template)
        if not template or "sourceMappingURL" not in template:
            return converter

        def source_map_converter(matchobj):
            try:
                return converter(matchobj)
            except ValueError:
                # Django's manifest storage says "The file ... could not be found" with a ValueError.
                logger.info("%s names a source map that is not shipped (%s): reference dropped",
                            name, matchobj["url"])
                return ""

        return source_map_converter
