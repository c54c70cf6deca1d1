"""Report stage: the versioned JSON report and its Markdown and self-contained HTML renderings."""

from .build import SCHEMA_VERSION, build_report, write_reports
from .render import render_html, render_markdown

__all__ = ["SCHEMA_VERSION", "build_report", "render_html", "render_markdown", "write_reports"]
