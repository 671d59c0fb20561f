"""Publishing: the chart theme, chart and table export, display in notebooks."""
