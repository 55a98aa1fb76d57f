"""Static files in production: WhiteNoise's compressed files with content-hashed names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """As WhiteNoise's, except that a stylesheet bundled by a third-party app may name a file the
    app does not ship (viewflow's Roboto CSS names font files its package leaves out): such a
    reference is left as written instead of failing `collectstatic`. Our own files stay strict."""

    LENIENT = ("viewflow/",)

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)
        if not name.startswith(self.LENIENT):
            return convert

        def convert_or_keep(matchobj):
            try:
                return convert(matchobj)
            except ValueError:  # the file it names is not there
                return matchobj["matched"]

        return convert_or_keep
