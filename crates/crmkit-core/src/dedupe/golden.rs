//! Golden records: one record per cluster, by survivorship rules, keeping every alternate value.
