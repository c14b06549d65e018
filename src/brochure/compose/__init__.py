"""Models to HTML: the composed brochure, its templates, charts, theme and QR code."""
