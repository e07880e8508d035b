//! A scanner report from a file to the store (GMVI-05), for the command line and the pages:
//! the reader runs on a blocking thread and hands findings over in batches through a bounded
//! channel, so that parsing and writing overlap and memory stays bounded; the store's
//! [`Importer`] keeps everything in one transaction. A fault on either side stops the other
//! and nothing is written.

use std::io::{BufReader, Read};

use chrono::NaiveDate;
use rempart_domain::cvss::Severity;
use rempart_domain::language::Language;
use rempart_interchange::scan::{self, Finding, ScanError, ScanFormat, ScanLimits};
use rempart_storage::scope::Scope;
use rempart_storage::vuln_import::{ImportReport, Importer, ScanImport};
use rempart_storage::{AuditContext, Store, StoreError};
use sha2::{Digest, Sha256};

/// Findings handed over at a time.
const BATCH: usize = 2_000;
/// Batches waiting in the channel: the reader is at most this far ahead.
const QUEUED: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ScanImportError {
    #[error("{0}")]
    Read(ScanError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl ScanImportError {
    pub fn message(&self, language: Language) -> String {
        match self {
            ScanImportError::Read(e) => e.message(language),
            ScanImportError::Store(e) => e.to_string(),
        }
    }
}

/// What to import, and for whom.
pub struct ScanFile<R> {
    pub reader: R,
    pub file_name: String,
    /// `None`: recognized from the first bytes.
    pub format: Option<ScanFormat>,
    pub org_id: i64,
    pub min_severity: Severity,
    pub today: NaiveDate,
}

/// Reads `file` into the store.
pub async fn import<R: Read + Send + 'static>(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    file: ScanFile<R>,
) -> Result<ImportReport, ScanImportError> {
    let mut reader = BufReader::with_capacity(256 * 1024, Hashing::new(file.reader));
    let format = match file.format {
        Some(f) => f,
        None => {
            let head = std::io::BufRead::fill_buf(&mut reader)
                .map_err(|e| ScanImportError::Read(ScanError::Io(e.to_string())))?;
            scan::detect(head).ok_or(ScanImportError::Read(ScanError::UnknownFormat))?
        }
    };
    let mut importer = Importer::begin(
        store,
        scope,
        ctx,
        ScanImport {
            org_id: file.org_id,
            format,
            file_name: file.file_name,
            min_severity: file.min_severity,
            policy: None,
            today: file.today,
        },
    )
    .await?;

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Finding>>(QUEUED);
    let reading = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut sink = |f: Finding| {
            batch.push(f);
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // The receiver is gone only when the store failed: stop reading.
                sender.blocking_send(full).map_err(|_| String::new())?;
            }
            Ok(())
        };
        let summary = scan::read(format, &mut reader, &ScanLimits::default(), &mut sink)?;
        if !batch.is_empty() {
            sender
                .blocking_send(batch)
                .map_err(|_| ScanError::Sink(String::new()))?;
        }
        // The digest covers what the reader consumed; the rest of the file too.
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| ScanError::Io(e.to_string()))?;
        let digest = reader.into_inner().finish();
        Ok::<_, ScanError>((summary, digest))
    });

    let mut stored: Result<(), StoreError> = Ok(());
    while let Some(batch) = receiver.recv().await {
        if let Err(e) = importer.add(batch).await {
            stored = Err(e);
            break;
        }
    }
    drop(receiver);
    let read = reading
        .await
        .map_err(|e| ScanImportError::Read(ScanError::Io(e.to_string())))?;
    // A store fault first: the reader then only saw its channel closed.
    stored?;
    let (summary, digest) = read.map_err(ScanImportError::Read)?;
    Ok(importer
        .finish(&summary.scopes, summary.hosts, &digest)
        .await?)
}

/// Hashes what passes through, so that the file is read once.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
        }
    }

    fn finish(self) -> String {
        hex::encode(self.hash.finalize())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}
