"""Document rendering shared by the generators (``qh-kit[render]``): sandboxed HTML
templates in folders, PDF through WeasyPrint with packaged fonts and a fetcher that serves
only packaged assets, ATS-readable DOCX, Markdown, and the headers a file is sent with.

Importing this module loads WeasyPrint (which needs Pango); services that never render do
not install the extra and never import it.
"""

from qh.kit.render.docx import DocxWriter
from qh.kit.render.fetcher import ASSET_ORIGIN, AssetFetcher, AssetRefused
from qh.kit.render.files import MEDIA_TYPES, content_disposition, markdown_escape, safe_filename
from qh.kit.render.i18n import MONTHS, PRESENT, DocumentLanguage, format_date, format_period
from qh.kit.render.pdf import PDF_OPTIONS, PdfRenderer, RenderedPdf
from qh.kit.render.templates import (
    KIT_ASSETS,
    PAGE_SIZES,
    DocumentTemplate,
    PageSize,
    TemplateLibrary,
    TemplateManifest,
)

__all__ = [
    "ASSET_ORIGIN",
    "KIT_ASSETS",
    "MEDIA_TYPES",
    "MONTHS",
    "PAGE_SIZES",
    "PDF_OPTIONS",
    "PRESENT",
    "AssetFetcher",
    "AssetRefused",
    "DocumentLanguage",
    "DocumentTemplate",
    "DocxWriter",
    "PageSize",
    "PdfRenderer",
    "RenderedPdf",
    "TemplateLibrary",
    "TemplateManifest",
    "content_disposition",
    "format_date",
    "format_period",
    "markdown_escape",
    "safe_filename",
]
