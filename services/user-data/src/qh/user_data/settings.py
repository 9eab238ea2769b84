"""Settings of the user-data service (env ``QH_USER_DATA_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

from qh.kit.llm import LLMServiceSettings
from qh.kit.settings import MiB


class UserDataSettings(LLMServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the user-data service can be told beyond the platform's common settings."""

    max_items_per_section: int = 100
    """Items one section of a profile may hold; one more answers 409."""

    import_max_bytes: int = 2 * MiB
    """The largest JSON Resume document ``POST /me/import`` accepts (larger answers 413)."""

    archive_max_bytes: int = 16 * MiB
    """The largest LinkedIn archive (ZIP) ``POST /me/import?format=linkedin`` accepts (413)."""

    archive_max_entries: int = 2000
    """Files an archive may hold (LinkedIn's complete export has a few hundred)."""

    archive_max_expanded_bytes: int = 64 * MiB
    """What the archive may expand to: checked on the sizes its directory declares before
    anything is read, and counted again while the files are read."""

    resume_file_max_bytes: int = 10 * MiB
    """The largest resume file (PDF, DOCX, TXT) ``POST /me/import?format=file`` accepts (413)."""

    resume_file_max_pages: int = 20
    """Pages of a PDF resume that may be read; more answers 413."""

    resume_file_max_seconds: float = 20.0
    """How long reading a resume file's text may take (a slower file answers 422)."""

    default_phone_region: str | None = None
    """ISO 3166 region used to read a phone number written without ``+`` when the profile
    has no country; unset means such numbers are refused."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_items_per_section < 1:
            raise ValueError("max_items_per_section must be at least 1")
        if self.import_max_bytes < 1024:
            raise ValueError("import_max_bytes must be at least 1024")
        if self.archive_max_bytes < 1024 or self.archive_max_expanded_bytes < 1024:
            raise ValueError("archive_max_bytes and archive_max_expanded_bytes must be >= 1024")
        if self.archive_max_entries < 1:
            raise ValueError("archive_max_entries must be at least 1")
