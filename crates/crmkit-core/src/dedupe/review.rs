//! The review queue: uncertain pairs in a workbook for a person to decide, and their decisions.
