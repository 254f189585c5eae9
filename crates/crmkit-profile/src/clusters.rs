//! The cluster size distribution of a dedupe result: from the clusters file `crmkit dedupe
//! --clusters` writes (`file,row,cluster,cluster_size,score,match_file,match_row`, .csv or
//! .xlsx), how many entities have 1, 2, 3, … records. Counted by polars.

use std::path::Path;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crmkit_core::read::{Book, ReadOptions};

use crate::profile::{bucket_rows, Bucket};
use crate::{Error, Result};

/// The cluster sizes of a dedupe result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSizes {
    /// The clusters file.
    pub file: String,
    /// Records (rows of the clusters file).
    pub records: usize,
    /// Entities (distinct clusters).
    pub entities: usize,
    /// Records in clusters of two or more.
    pub duplicate_records: usize,
    /// How many entities have each size, by size.
    pub sizes: Vec<Bucket>,
}

impl ClusterSizes {
    /// Reads a clusters file (.csv or .xlsx, as `crmkit dedupe --clusters` writes it).
    pub fn load(path: &Path) -> Result<ClusterSizes> {
        let mut book = Book::open(path, &ReadOptions::default())?;
        let grid = book.grid(None)?;
        let file = path.display().to_string();
        let bad = |message: String| Error::Clusters {
            file: file.clone(),
            message,
        };
        let mut rows = grid.rows.iter();
        let header = rows
            .next()
            .ok_or_else(|| bad("文件是空的; 应为 crmkit dedupe --clusters 写出的文件".into()))?;
        let at = header.cells.iter().position(|h| h.trim() == "cluster").ok_or_else(|| {
            bad(format!(
                "第 {} 行没有 cluster 列; 应为 crmkit dedupe --clusters 写出的文件 (表头 file,row,cluster,cluster_size,...)",
                header.number
            ))
        })?;
        let ids: Vec<Option<&str>> = rows
            .map(|r| r.cells.get(at).map(str::trim).filter(|s| !s.is_empty()))
            .collect();
        let frame = DataFrame::new(ids.len(), vec![Column::new("cluster".into(), ids)])?;
        ClusterSizes::from_frame(&frame, file)
    }

    /// The distribution over a frame with a string column `cluster`, one row per record.
    pub fn from_frame(frame: &DataFrame, file: String) -> Result<ClusterSizes> {
        let per_cluster = frame
            .clone()
            .lazy()
            .select([col("cluster")])
            .drop_nulls(None)
            .group_by([col("cluster")])
            .agg([len().cast(DataType::UInt64).alias("size")]);
        let out = per_cluster
            .group_by([col("size")])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .sort(["size"], SortMultipleOptions::default())
            .collect()?;
        let sizes = bucket_rows(&out)?;
        let records = sizes.iter().map(|b| b.size * b.count).sum();
        let entities = sizes.iter().map(|b| b.count).sum();
        let duplicate_records = sizes
            .iter()
            .filter(|b| b.size > 1)
            .map(|b| b.size * b.count)
            .sum();
        Ok(ClusterSizes {
            file,
            records,
            entities,
            duplicate_records,
            sizes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ClusterSizes;
    use crate::profile::Bucket;
    use polars::prelude::*;

    #[test]
    fn sizes_from_cluster_ids() {
        let ids = ["a", "b", "a", "c", "a", "b", "d"];
        let frame = DataFrame::new(ids.len(), vec![Column::new("cluster".into(), ids)]).unwrap();
        let c = ClusterSizes::from_frame(&frame, "x".into()).unwrap();
        assert_eq!(c.records, 7);
        assert_eq!(c.entities, 4);
        assert_eq!(c.duplicate_records, 5);
        assert_eq!(
            c.sizes,
            [(1, 2), (2, 1), (3, 1)].map(|(size, count)| Bucket { size, count })
        );
    }

    #[test]
    fn a_file_without_a_cluster_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, "file,row\na.csv,2\n").unwrap();
        let e = ClusterSizes::load(&path).unwrap_err().to_string();
        assert!(e.contains("第 1 行没有 cluster 列"), "{e}");
    }
}
