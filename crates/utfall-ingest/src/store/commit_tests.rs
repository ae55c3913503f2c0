//! The commit by hand: small staged tables in a temporary folder, merged on their natural key,
//! compacted past [`MAX_PARTS`], their replaced files retired and removed by the next change.
//! Every expected value is written out.

use std::collections::BTreeSet;

use arrow::array::{AsArray, Int64Array, StringArray};
use arrow::datatypes::Int64Type;
use utfall_model::catalog::Column;

use super::*;

/// A table of `(id, value)` rows with `id` as its natural key (or none).
fn items(key: &[&str]) -> Table {
    Table {
        name: "items".into(),
        columns: vec![
            Column {
                name: "id".into(),
                ty: ColumnType::Text,
                nullable: false,
            },
            Column {
                name: "value".into(),
                ty: ColumnType::Integer,
                nullable: true,
            },
        ],
        default_time: None,
        key: key.iter().map(|k| k.to_string()).collect(),
        custom: true,
    }
}

fn batch(table: &Table, rows: &[(&str, i64)]) -> RecordBatch {
    let ids = StringArray::from_iter_values(rows.iter().map(|(id, _)| *id));
    let values = Int64Array::from_iter_values(rows.iter().map(|(_, value)| *value));
    RecordBatch::try_new(schema(table), vec![Arc::new(ids), Arc::new(values)]).unwrap()
}

fn record(id: &str) -> ImportRecord {
    ImportRecord {
        id: id.into(),
        file: format!("{id}.csv"),
        sha256: String::new(),
        preset: "generic".into(),
        tables: vec!["items".into()],
        read: 0,
        imported: 0,
        duplicates: 0,
        rejected: 0,
        quarantine: None,
        at: "2026-03-01T00:00:00Z".into(),
        size: None,
    }
}

/// One change named `id`: each write is a writer of its own (one part), given as the order of
/// its first row in the change (from 1: stored rows have order 0) and its rows.
fn commit(
    store: &DataStore,
    id: &str,
    table: &Table,
    writes: &[(u64, &[(&str, i64)])],
) -> MergeCounts {
    let staging = store.stage(id).unwrap();
    let staged = writes
        .iter()
        .map(|(first_order, rows)| {
            let mut writer = staging.writer(table);
            writer.write(&batch(table, rows), *first_order).unwrap();
            writer.finish().unwrap()
        })
        .collect();
    let counts = store.commit(staging, staged, None, record(id)).unwrap();
    assert_eq!(counts.len(), 1, "one table");
    counts[0]
}

/// The table's rows as read back, sorted.
fn rows(store: &DataStore, table: &Table) -> Vec<(String, i64)> {
    let batch = store.read_table(table).unwrap();
    let ids = batch.column(0).as_string::<i32>();
    let values = batch.column(1).as_primitive::<Int64Type>();
    let mut rows: Vec<(String, i64)> = (0..batch.num_rows())
        .map(|i| (ids.value(i).to_string(), values.value(i)))
        .collect();
    rows.sort();
    rows
}

fn owned(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(id, v)| (id.to_string(), *v)).collect()
}

/// Every file under the data folder but the manifest and the lock, relative to it.
fn files_on_disk(store: &DataStore) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                if relative != MANIFEST && relative != LOCK {
                    out.insert(relative.replace('\\', "/"));
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(store.root(), store.root(), &mut out);
    out
}

/// The files the manifest names: the tables' parts and the import log's quarantines, and the
/// retired files.
fn named(manifest: &Manifest) -> (BTreeSet<String>, BTreeSet<String>) {
    let current = manifest
        .tables
        .values()
        .flat_map(TableFile::files)
        .chain(
            manifest
                .imports
                .iter()
                .filter_map(|i| i.quarantine.as_deref()),
        )
        .map(str::to_string)
        .collect();
    (current, manifest.retired.iter().cloned().collect())
}

/// The data folder holds exactly the current files and the retired ones.
fn assert_disk_is_manifest(store: &DataStore) {
    let (current, retired) = named(&store.manifest().unwrap());
    assert!(current.is_disjoint(&retired), "a current file is retired");
    let expected: BTreeSet<String> = current.union(&retired).cloned().collect();
    assert_eq!(files_on_disk(store), expected);
}

/// The part files of `items`, in the manifest's order.
fn part_files_of(manifest: &Manifest) -> Vec<String> {
    manifest.tables["items"]
        .files()
        .map(str::to_string)
        .collect()
}

fn part_files(store: &DataStore) -> Vec<String> {
    part_files_of(&store.manifest().unwrap())
}

#[test]
fn a_later_import_replaces_rows_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    let first = commit(
        &store,
        "t1",
        &table,
        &[(1, &[("a", 1), ("b", 2), ("c", 3)])],
    );
    assert_eq!(
        first,
        MergeCounts {
            inserted: 3,
            duplicates: 0,
            replaced: 0,
            within_file: 0,
        }
    );
    let first_parts = part_files(&store);
    assert_eq!(first_parts.len(), 1);
    assert!(store.manifest().unwrap().retired.is_empty());

    // `b` is restated, `d` is new.
    let second = commit(&store, "t2", &table, &[(1, &[("b", 20), ("d", 4)])]);
    assert_eq!(
        second,
        MergeCounts {
            inserted: 1,
            duplicates: 1,
            replaced: 1,
            within_file: 0,
        }
    );
    assert_eq!(
        rows(&store, &table),
        owned(&[("a", 1), ("b", 20), ("c", 3), ("d", 4)])
    );
    let manifest = store.manifest().unwrap();
    let file = &manifest.tables["items"];
    assert_eq!(file.rows, 4);
    // The first part lost `b`: rewritten with `a` and `c`, beside the new part's two rows.
    let part_rows: Vec<u64> = file.parts.iter().map(|p| p.rows).collect();
    assert_eq!(part_rows, [2, 2]);
    assert!(!file.files().any(|f| f == first_parts[0]));
    // The replaced part stays on disk, retired, until the next change.
    assert_eq!(manifest.retired, first_parts);
    assert!(store.root().join(&first_parts[0]).exists());
    assert_disk_is_manifest(&store);
    let log: Vec<&str> = manifest.imports.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(log, ["t1", "t2"]);
    assert_eq!(manifest.imports[1].duplicates, 1);
}

#[test]
fn retired_files_are_removed_by_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    commit(&store, "t1", &table, &[(1, &[("a", 1), ("b", 2)])]);
    let first_parts = part_files(&store);
    commit(&store, "t2", &table, &[(1, &[("a", 10)])]);
    let retired = store.manifest().unwrap().retired;
    assert_eq!(retired, first_parts);
    assert!(store.root().join(&retired[0]).exists());

    // A change that replaces nothing still removes what the one before retired.
    let third = commit(&store, "t3", &table, &[(1, &[("c", 3)])]);
    assert_eq!(third.inserted, 1);
    assert_eq!(third.duplicates, 0);
    assert!(!store.root().join(&retired[0]).exists());
    let manifest = store.manifest().unwrap();
    assert!(manifest.retired.is_empty());
    assert_disk_is_manifest(&store);
    assert_eq!(
        rows(&store, &table),
        owned(&[("a", 10), ("b", 2), ("c", 3)])
    );
    // No staging is left behind.
    assert!(
        std::fs::read_dir(store.root().join(STAGING_DIR))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn exact_duplicates_within_one_commit_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    let counts = commit(
        &store,
        "t1",
        &table,
        &[(1, &[("x", 1), ("x", 1), ("y", 2), ("x", 1)])],
    );
    assert_eq!(
        counts,
        MergeCounts {
            inserted: 2,
            duplicates: 2,
            replaced: 0,
            within_file: 2,
        }
    );
    assert_eq!(rows(&store, &table), owned(&[("x", 1), ("y", 2)]));
    let manifest = store.manifest().unwrap();
    assert_eq!(manifest.tables["items"].rows, 2);
    // The staged part that lost rows is rewritten; it was never named, so nothing is retired.
    assert!(manifest.retired.is_empty());
    assert_disk_is_manifest(&store);
}

#[test]
fn the_later_row_of_a_commit_wins_and_a_part_that_lost_every_row_goes() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    // Two writers of one change: the first's rows come later in the import (orders 10, 11)
    // than the second's (order 1), whatever order the writers finish in.
    let counts = commit(
        &store,
        "t1",
        &table,
        &[(10, &[("z", 5), ("w", 7)]), (1, &[("z", 3)])],
    );
    assert_eq!(
        counts,
        MergeCounts {
            inserted: 2,
            duplicates: 1,
            replaced: 0,
            within_file: 1,
        }
    );
    assert_eq!(rows(&store, &table), owned(&[("w", 7), ("z", 5)]));
    // The part of `z = 3` lost its only row: it is removed, not rewritten.
    let manifest = store.manifest().unwrap();
    let part_rows: Vec<u64> = manifest.tables["items"]
        .parts
        .iter()
        .map(|p| p.rows)
        .collect();
    assert_eq!(part_rows, [2]);
    assert!(manifest.retired.is_empty());
    assert_disk_is_manifest(&store);
}

#[test]
fn a_table_without_a_key_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&[]);
    commit(&store, "t1", &table, &[(1, &[("a", 1), ("a", 1)])]);
    let counts = commit(&store, "t2", &table, &[(1, &[("a", 1)])]);
    assert_eq!(
        counts,
        MergeCounts {
            inserted: 1,
            ..MergeCounts::default()
        }
    );
    assert_eq!(rows(&store, &table), owned(&[("a", 1), ("a", 1), ("a", 1)]));
}

#[test]
fn compaction_past_eight_parts_keeps_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    // Eight imports of one row each: eight parts, the most a table keeps uncompacted.
    let ids = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"];
    for (i, id) in ids.into_iter().enumerate() {
        commit(
            &store,
            &format!("t{i}"),
            &table,
            &[(1, &[(id, i as i64 + 1)])],
        );
    }
    assert_eq!(MAX_PARTS, 8);
    let eight = part_files(&store);
    assert_eq!(eight.len(), 8);
    assert!(store.manifest().unwrap().retired.is_empty());
    assert_disk_is_manifest(&store);

    // The ninth part makes nine small ones: they are written into one.
    let counts = commit(&store, "t8", &table, &[(1, &[("k9", 9)])]);
    assert_eq!(counts.inserted, 1);
    let manifest = store.manifest().unwrap();
    let file = &manifest.tables["items"];
    assert_eq!(file.parts.len(), 1);
    assert_eq!(file.parts[0].rows, 9);
    assert_eq!(file.rows, 9);
    assert_eq!(
        rows(&store, &table),
        owned(&[
            ("k1", 1),
            ("k2", 2),
            ("k3", 3),
            ("k4", 4),
            ("k5", 5),
            ("k6", 6),
            ("k7", 7),
            ("k8", 8),
            ("k9", 9),
        ])
    );
    // Retired: the eight earlier parts and this change's own small part.
    assert_eq!(manifest.retired.len(), 9);
    for part in &eight {
        assert!(manifest.retired.contains(part), "{part} is retired");
    }
    assert_disk_is_manifest(&store);

    // The next change removes them, and its merge reads the compacted part.
    let counts = commit(&store, "t9", &table, &[(1, &[("k1", 100)])]);
    assert_eq!(counts.replaced, 1);
    assert_eq!(counts.inserted, 0);
    for part in &manifest.retired {
        assert!(!store.root().join(part).exists(), "{part} is removed");
    }
    let after = store.manifest().unwrap();
    assert_eq!(after.retired, part_files_of(&manifest));
    assert_disk_is_manifest(&store);
    let expected = owned(&[
        ("k1", 100),
        ("k2", 2),
        ("k3", 3),
        ("k4", 4),
        ("k5", 5),
        ("k6", 6),
        ("k7", 7),
        ("k8", 8),
        ("k9", 9),
    ]);
    assert_eq!(rows(&store, &table), expected);
    assert_eq!(after.tables["items"].rows, 9);
}

#[test]
fn compaction_within_one_commit_of_many_writers() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    // Ten writers of one change (ten parts); the last restates `a`.
    let writes: Vec<(u64, Vec<(&str, i64)>)> = vec![
        (1, vec![("a", 1)]),
        (2, vec![("b", 2)]),
        (3, vec![("c", 3)]),
        (4, vec![("d", 4)]),
        (5, vec![("e", 5)]),
        (6, vec![("f", 6)]),
        (7, vec![("g", 7)]),
        (8, vec![("h", 8)]),
        (9, vec![("i", 9)]),
        (10, vec![("a", 10)]),
    ];
    let writes: Vec<(u64, &[(&str, i64)])> = writes.iter().map(|(o, r)| (*o, &r[..])).collect();
    let counts = commit(&store, "t1", &table, &writes);
    assert_eq!(
        counts,
        MergeCounts {
            inserted: 9,
            duplicates: 1,
            replaced: 0,
            within_file: 1,
        }
    );
    let manifest = store.manifest().unwrap();
    // Nine parts survive the merge (`a = 1`'s is removed), more than eight: one compacted.
    assert_eq!(manifest.tables["items"].parts.len(), 1);
    assert_eq!(manifest.tables["items"].rows, 9);
    assert_eq!(manifest.retired.len(), 9);
    assert_disk_is_manifest(&store);
    assert_eq!(
        rows(&store, &table),
        owned(&[
            ("a", 10),
            ("b", 2),
            ("c", 3),
            ("d", 4),
            ("e", 5),
            ("f", 6),
            ("g", 7),
            ("h", 8),
            ("i", 9),
        ])
    );
}

/// A store with two imports of `items` and a quarantine: the second restated `b` (so the first
/// part is retired) and rejected a record.
fn two_imports(store: &DataStore, table: &Table) {
    commit(store, "t1", table, &[(1, &[("a", 1), ("b", 2)])]);
    let staging = store.stage("t2").unwrap();
    let mut writer = staging.writer(table);
    writer.write(&batch(table, &[("b", 20)]), 1).unwrap();
    let staged = vec![writer.finish().unwrap()];
    let quarantine = staging.path("quarantine.csv");
    std::fs::write(&quarantine, "file,line,column,reason,record\n").unwrap();
    store
        .commit(staging, staged, Some(quarantine), record("t2"))
        .unwrap();
}

#[test]
fn clear_removes_every_table_and_the_next_change_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::new(dir.path().join("data"));
    let table = items(&["id"]);
    two_imports(&store, &table);
    let before = store.manifest().unwrap();
    let retired_before = before.retired.clone();
    assert_eq!(retired_before.len(), 1);
    let quarantine = before.imports[1].quarantine.clone().unwrap();
    assert_eq!(quarantine, "_quarantine/t2.csv");

    store.clear().unwrap();
    let manifest = store.manifest().unwrap();
    assert!(manifest.tables.is_empty());
    assert!(manifest.imports.is_empty(), "the import log is reset");
    assert_eq!(store.read_table(&table).unwrap().num_rows(), 0);
    assert!(store.table_paths().unwrap().is_empty());
    // Retired: what the old manifest named; what it had retired is gone.
    let mut expected: Vec<String> = part_files_of(&before);
    expected.push(quarantine.clone());
    assert_eq!(manifest.retired, expected);
    assert!(!store.root().join(&retired_before[0]).exists());
    for file in &expected {
        assert!(
            store.root().join(file).exists(),
            "{file} stays until the next change"
        );
    }
    assert_disk_is_manifest(&store);

    // The next change removes them; the same rows import again as new.
    let counts = commit(&store, "t3", &table, &[(1, &[("b", 20)])]);
    assert_eq!(counts.inserted, 1);
    assert_eq!(counts.replaced, 0);
    for file in &expected {
        assert!(!store.root().join(file).exists(), "{file} is removed");
    }
    let after = store.manifest().unwrap();
    assert!(after.retired.is_empty());
    assert_eq!(after.imports.len(), 1);
    assert_disk_is_manifest(&store);
    assert_eq!(rows(&store, &table), owned(&[("b", 20)]));
}

#[test]
fn clear_of_an_empty_or_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = DataStore::new(dir.path().join("data"));
    missing.clear().unwrap();
    assert!(!missing.root().exists(), "nothing is created");

    let empty = DataStore::new(dir.path().join("empty"));
    std::fs::create_dir_all(empty.root()).unwrap();
    empty.clear().unwrap();
    empty.clear().unwrap();
    assert_eq!(
        empty.manifest().unwrap(),
        Manifest {
            version: MANIFEST_VERSION,
            ..Manifest::default()
        }
    );
    assert!(files_on_disk(&empty).is_empty());
}

/// Set in the child process of [`clear_killed_at_any_step_leaves_the_old_or_the_new_state`]:
/// the data folder it clears.
const CLEAR_CHILD: &str = "UTFALL_TEST_CLEAR_DIR";

/// `clear` aborted at each failpoint (in a child process: this test binary running only this
/// test) leaves the old manifest or the new one, every file it names readable, and the next
/// change cleans up.
#[test]
fn clear_killed_at_any_step_leaves_the_old_or_the_new_state() {
    if let Ok(dir) = std::env::var(CLEAR_CHILD) {
        DataStore::new(dir).clear().unwrap();
        return;
    }
    // The steps a clear passes (the manifest's replacement and the end of a change).
    let passed = [
        "after-manifest-temp-written",
        "after-manifest-renamed",
        "after-retired-removed",
        "after-staging-removed",
    ];
    let (_, module) = module_path!().split_once("::").unwrap();
    let this_test = format!("{module}::clear_killed_at_any_step_leaves_the_old_or_the_new_state");
    let table = items(&["id"]);
    for step in FAILPOINTS {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::new(dir.path().join("data"));
        two_imports(&store, &table);
        let before = store.manifest().unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([this_test.as_str(), "--exact", "--test-threads=1", "-q"])
            .env(FAILPOINT_VARIABLE, step)
            .env(CLEAR_CHILD, store.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(
            !status.success(),
            passed.contains(step),
            "`{step}`: the child should abort exactly at the steps a clear passes"
        );
        let after = store.manifest().unwrap();
        let cleared = after.tables.is_empty();
        // Only an abort before the manifest's rename leaves the old state.
        assert_eq!(cleared, *step != "after-manifest-temp-written", "`{step}`");
        if cleared {
            assert!(after.imports.is_empty(), "`{step}`");
        } else {
            assert_eq!(after, before, "`{step}`: the old state, or the new");
            assert_eq!(rows(&store, &table), owned(&[("a", 1), ("b", 20)]));
        }
        for file in after.tables.values().flat_map(TableFile::files) {
            assert!(store.root().join(file).exists(), "`{step}`: {file}");
        }
        // The next change finds a consistent folder and leaves only what its manifest names.
        commit(&store, "t3", &table, &[(1, &[("c", 3)])]);
        assert_disk_is_manifest(&store);
        let expected = if cleared {
            owned(&[("c", 3)])
        } else {
            owned(&[("a", 1), ("b", 20), ("c", 3)])
        };
        assert_eq!(rows(&store, &table), expected, "`{step}`");
    }
}
