"""HTML to PDF bytes to files: WeasyPrint, the URL fetcher, fit checks, imposition, writing."""
