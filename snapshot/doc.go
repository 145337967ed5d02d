// Package snapshot is the on-disk contract between collection and analysis:
// a directory of Hive-partitioned Parquet files (one row per AWS API response
// page, raw JSON) plus manifest.json, the commit point and table of contents.
// It knows nothing about AWS services; FORMAT.md in this directory is the
// normative specification of format v1.
//
// Writing: Create a Writer, call Write from any number of goroutines, then
// Commit with the run's Metadata (or Abort). The Writer buffers rows within a
// memory budget, spills sorted runs to <dir>/.tmp/ and merges them at Commit,
// so every data file is sorted and byte-for-byte deterministic. It derives the
// manifest's files and per-call statuses from the rows it saw.
//
//	w, err := snapshot.Create(dir, snapshot.WithMemoryBudget(64<<20))
//	defer w.Abort() // no-op after a successful Commit
//	err = w.Write(ctx, row) // concurrently
//	m, err := w.Commit(ctx, snapshot.Metadata{...})
//
// Resuming: with WithJournal the Writer also keeps a durable journal of
// completed call units in <dir>/.tmp/journal (journal.go; FORMAT.md 6.1).
// Suspend ends an interrupted write keeping the journal; Resume reopens it
// and lists the units done; Leftover says what a directory holds (a
// *PartialError for an interrupted write, ErrCommitted for a snapshot) and
// Discard removes an interrupted write.
//
// Reading: Open checks the manifest (version, self-hash, structure);
// Snapshot.Rows streams one (service, operation) partition. The manifest's
// Call tells "collected and empty" from "failed" from "never collected".
//
// Verifying: Verify checks everything - manifest, every file's size, SHA-256
// and Parquet footer, that every member is a regular file or a real directory
// (never a link, FIFO, device or socket), and that nothing else is in the
// directory - and lists every problem with the file it concerns.
//
// Signing: GenerateKey and WriteKeyPair make an ed25519 key pair (text
// files); Sign writes manifest.json.sig; Verify with WithPublicKey requires a
// valid signature by that key. FORMAT.md section 10 specifies the files.
package snapshot
