"""committees: arrives with its own issue; see ../shared/DESIGN.md."""
