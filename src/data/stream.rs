//! `[data] stream = true`: a set read from disk a block of examples at a time (HDF5 hyperslabs,
//! or pictures decoded per block), so no command needs the whole set in memory. A background
//! worker reads and assembles the batches of an epoch while the model trains on the previous
//! ones, through a bounded queue: memory holds the shuffle buffer and a few batches, whatever
//! the size of the file.
//!
//! Burn's `DataLoader` fetches examples one index at a time; a hyperslab read of a whole block
//! of consecutive examples is what makes HDF5 fast, so the worker here reads by blocks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::h5::Blocks;
use super::{Dataset, Scaling, images};
use burn::tensor::DType;

use crate::device::Placement;
use crate::nn::DataMatrix;
use crate::{Error, Result};

/// Batches the worker may have ready before the trainer takes them.
const QUEUE_DEPTH: usize = 4;

/// Values per read by default: 4 MB of f64.
const BLOCK_VALUES: usize = 1 << 19;
/// Values the shuffle buffer holds by default: 64 MB of f64.
const BUFFER_VALUES: usize = 1 << 23;

/// Examples per read for `n_x` features when the config does not say.
pub fn default_block(n_x: usize) -> usize {
    (BLOCK_VALUES / n_x.max(1)).clamp(1, 1 << 16)
}

/// Examples the shuffle buffer holds when the config does not say: 64 MB, at least one batch.
pub fn default_buffer(n_x: usize, batch: usize) -> usize {
    (BUFFER_VALUES / n_x.max(1)).max(batch)
}

/// Where a set's examples are: in memory, or on disk.
#[derive(Clone)]
pub enum Examples {
    Memory(Dataset),
    Stream(StreamSet),
}

impl Examples {
    pub fn n_x(&self) -> usize {
        match self {
            Examples::Memory(d) => d.n_x,
            Examples::Stream(s) => s.n_x,
        }
    }

    pub fn m(&self) -> usize {
        match self {
            Examples::Memory(d) => d.m,
            Examples::Stream(s) => s.m,
        }
    }

    /// The labels (always in memory: one number per example).
    pub fn y(&self) -> &[f64] {
        match self {
            Examples::Memory(d) => &d.y,
            Examples::Stream(s) => &s.y,
        }
    }

    /// The labels, to change (`evaluate` aligns another file's classes with the run's).
    pub fn y_mut(&mut self) -> &mut [f64] {
        match self {
            Examples::Memory(d) => &mut d.y,
            Examples::Stream(s) => Arc::make_mut(&mut s.y).as_mut_slice(),
        }
    }

    /// The set itself, when it is in memory.
    pub fn in_memory(&self) -> Option<&Dataset> {
        match self {
            Examples::Memory(d) => Some(d),
            Examples::Stream(_) => None,
        }
    }

    /// The set in memory, or an error saying that `what` needs it there.
    pub fn need_memory(&self, what: &str) -> Result<&Dataset> {
        self.in_memory().ok_or_else(|| {
            Error::Usage(format!(
                "{what} needs the whole set in memory; set data.stream = false (or --set data.stream=false)"
            ))
        })
    }

    /// Example `i`'s features.
    pub fn example(&self, i: usize) -> Result<Vec<f64>> {
        match self {
            Examples::Memory(d) => Ok(d.example(i)),
            Examples::Stream(s) => s.read_rows(i, 1),
        }
    }

    /// What cuts this set into mini-batches of `dtype` values, for as many epochs as needed.
    pub fn reader(&self, dtype: DType) -> BatchReader<'_> {
        match self {
            // Once per run: a batch is then its examples' rows, copied whole (cutting a batch
            // from X (n_x, m) gathers one value per feature and example, and the first layer's
            // product wants the rows anyway), already in the training's float type.
            Examples::Memory(d) => BatchReader::Rows {
                rows: Rows::of(crate::tensor_util::transpose(&d.x, d.n_x, d.m), dtype),
                n_x: d.n_x,
                y: &d.y,
            },
            Examples::Stream(s) => BatchReader::Stream(s, dtype),
        }
    }
}

/// Examples as rows (Xᵀ, m × n_x, row-major) in the training's float type: an f32 run copies
/// and transposes half the bytes, and its tensors need no conversion.
pub enum Rows {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Rows {
    fn of(values: Vec<f64>, dtype: DType) -> Rows {
        match dtype {
            DType::F64 => Rows::F64(values),
            // f64 → f32 rounds to nearest, as Burn's own conversion of f64 data does.
            _ => Rows::F32(values.into_iter().map(|v| v as f32).collect()),
        }
    }

    /// The rows `indices`, each `n_x` values, in that order.
    fn cut(&self, indices: &[usize], n_x: usize) -> Rows {
        fn cut<T: Copy>(rows: &[T], indices: &[usize], n_x: usize) -> Vec<T> {
            let mut out = Vec::with_capacity(indices.len() * n_x);
            for &i in indices {
                out.extend_from_slice(&rows[i * n_x..(i + 1) * n_x]);
            }
            out
        }
        match self {
            Rows::F32(r) => Rows::F32(cut(r, indices, n_x)),
            Rows::F64(r) => Rows::F64(cut(r, indices, n_x)),
        }
    }
}

/// A mini-batch: its examples as rows and their labels.
pub struct Batch {
    pub n_x: usize,
    pub rows: Rows,
    pub y: Vec<f64>,
}

impl Batch {
    pub fn m(&self) -> usize {
        self.y.len()
    }

    /// X (n_x, m) and Y for a model with `units` output units ([`super::classes::targets`]),
    /// placed `at`.
    pub fn tensors(self, at: Placement, units: usize) -> (DataMatrix, burn::tensor::Tensor<2>) {
        let m = self.m();
        let y = super::classes::targets(&self.y, units);
        let y = crate::tensor_util::matrix(y, units, m, at.dtype, at.device);
        let x = match self.rows {
            Rows::F32(r) => DataMatrix::from_rows(r, m, self.n_x, at),
            Rows::F64(r) => DataMatrix::from_rows(r, m, self.n_x, at),
        };
        (x, y)
    }
}

/// Cuts a set into mini-batches: [`Examples::reader`].
pub enum BatchReader<'a> {
    /// A set in memory, its examples as rows.
    Rows {
        rows: Rows,
        n_x: usize,
        y: &'a [f64],
    },
    /// A set on disk: a worker thread reads each epoch's batches ahead (in this float type).
    Stream(&'a StreamSet, DType),
}

impl BatchReader<'_> {
    /// The batches of `size` examples taken in `order` (every index once), skipping the first
    /// `skip` batches.
    pub fn epoch(
        &self,
        order: Vec<usize>,
        size: usize,
        skip: usize,
    ) -> Box<dyn Iterator<Item = Result<Batch>> + '_> {
        let size = size.max(1);
        match self {
            BatchReader::Rows { rows, n_x, y } => {
                let n_x = *n_x;
                let batches: Vec<Vec<usize>> = order
                    .chunks(size)
                    .skip(skip)
                    .map(<[usize]>::to_vec)
                    .collect();
                Box::new(batches.into_iter().map(move |batch| {
                    Ok(Batch {
                        n_x,
                        rows: rows.cut(&batch, n_x),
                        y: batch.iter().map(|&i| y[i]).collect(),
                    })
                }))
            }
            BatchReader::Stream(s, dtype) => {
                Box::new(BatchStream::start(s, order, size, skip, *dtype))
            }
        }
    }
}

/// A set on disk: its size and labels, and how to read its examples.
#[derive(Clone)]
pub struct StreamSet {
    pub n_x: usize,
    pub m: usize,
    pub y: Arc<Vec<f64>>,
    /// Examples per read.
    pub block: usize,
    source: Arc<Source>,
    /// The training set's statistics (`standardize`), applied to every row read.
    scaling: Option<Arc<Scaling>>,
}

/// How a streamed set's examples are read.
enum Source {
    /// An HDF5 dataset, by hyperslabs of consecutive examples.
    H5(Blocks),
    /// Pictures, decoded and resized to [height, width] when their block is read.
    Pictures {
        files: Vec<PathBuf>,
        size: [usize; 2],
    },
}

impl Source {
    /// Examples `start .. start + count` as rows of n_x values.
    fn read_rows(&self, start: usize, count: usize) -> Result<Vec<f64>> {
        match self {
            Source::H5(blocks) => blocks.read_rows(start, count),
            Source::Pictures { files, size } => {
                let mut rows = Vec::new();
                for file in &files[start..start + count] {
                    // An unreadable picture stops the run with its checkpoint.
                    rows.extend(images::decode(file, *size, "then try again")?);
                }
                Ok(rows)
            }
        }
    }
}

/// Rows as training sees them: read, then scaled when the run standardizes its features.
fn scaled_rows(
    source: &Source,
    scaling: Option<&Scaling>,
    start: usize,
    count: usize,
) -> Result<Vec<f64>> {
    let mut rows = source.read_rows(start, count)?;
    if let Some(scaling) = scaling {
        for row in rows.chunks_exact_mut(scaling.mean.len().max(1)) {
            scaling.apply_one(row);
        }
    }
    Ok(rows)
}

impl StreamSet {
    /// Examples `start .. start + count` as rows, scaled if the set is.
    fn read_rows(&self, start: usize, count: usize) -> Result<Vec<f64>> {
        scaled_rows(&self.source, self.scaling.as_deref(), start, count)
    }

    /// The set's feature statistics for `standardize`: [`Scaling::fit_passes`], each pass
    /// reading the file in order, so the numbers are those of `Scaling::fit` in memory.
    pub fn fit_scaling(&self) -> Result<Scaling> {
        Scaling::fit_passes(self.n_x, self.m, |f| self.each_row(f))
    }

    /// Every example's raw row, in file order, a block at a time.
    fn each_row(&self, mut f: impl FnMut(&[f64])) -> Result<()> {
        for start in (0..self.m).step_by(self.block.max(1)) {
            let rows = self
                .source
                .read_rows(start, self.block.min(self.m - start))?;
            rows.chunks_exact(self.n_x.max(1)).for_each(&mut f);
        }
        Ok(())
    }

    /// The same set, its rows scaled by `scaling` as they are read.
    pub fn scaled(mut self, scaling: Scaling) -> StreamSet {
        self.scaling = Some(Arc::new(scaling));
        self
    }

    /// An HDF5 dataset read by blocks, with its labels.
    pub fn h5(blocks: Blocks, y: Vec<f64>, block: Option<usize>) -> StreamSet {
        StreamSet::new(blocks.n_x, y, block, Source::H5(blocks))
    }

    /// A listed folder of pictures, decoded a block at a time at `size` = [height, width].
    pub fn pictures(listing: images::Listing, size: [usize; 2], block: Option<usize>) -> StreamSet {
        let (files, y): (Vec<PathBuf>, Vec<f64>) = listing.pictures.into_iter().unzip();
        StreamSet::new(
            size[0] * size[1] * 3,
            y,
            block,
            Source::Pictures { files, size },
        )
    }

    /// `y.len()` examples of `n_x` features from `source`, unscaled, read `block` at a time
    /// (default: 4 MB of them).
    fn new(n_x: usize, y: Vec<f64>, block: Option<usize>, source: Source) -> StreamSet {
        StreamSet {
            n_x,
            m: y.len(),
            y: Arc::new(y),
            block: block.unwrap_or_else(|| default_block(n_x)),
            source: Arc::new(source),
            scaling: None,
        }
    }
}

/// The batches of one epoch of a streamed set, read ahead by a worker thread.
struct BatchStream {
    batches: Receiver<Result<Batch>>,
    worker: Option<JoinHandle<()>>,
}

impl BatchStream {
    fn start(
        set: &StreamSet,
        order: Vec<usize>,
        size: usize,
        skip: usize,
        dtype: DType,
    ) -> BatchStream {
        let (sender, batches) = sync_channel(QUEUE_DEPTH);
        let job = Job {
            source: set.source.clone(),
            scaling: set.scaling.clone(),
            y: set.y.clone(),
            n_x: set.n_x,
            block: set.block.max(1),
            order,
            size,
            skip,
            dtype,
        };
        let report = sender.clone();
        let worker = std::thread::Builder::new()
            .name("simplenn-reader".into())
            .spawn(move || job.run(sender))
            .map_err(|e| {
                let message = format!("the data reader thread could not be started ({e})");
                let _ = report.send(Err(Error::Internal(message)));
            })
            .ok();
        BatchStream { batches, worker }
    }
}

impl Iterator for BatchStream {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        match self.batches.recv() {
            Ok(batch) => Some(batch),
            // The channel closed: the worker sent every batch or an error, or it panicked (an
            // epoch cut short must not pass for a whole one).
            Err(_) => match self.worker.take().map(JoinHandle::join) {
                Some(Err(_)) => Some(Err(Error::Internal(
                    "the data reader thread stopped on an internal error before the epoch's end"
                        .into(),
                ))),
                _ => None,
            },
        }
    }
}

impl Drop for BatchStream {
    /// A run that stops early drops the stream: the worker's next send fails and it ends.
    fn drop(&mut self) {
        let (_, closed) = sync_channel(0);
        drop(std::mem::replace(&mut self.batches, closed));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// What the worker thread does for one epoch.
struct Job {
    source: Arc<Source>,
    scaling: Option<Arc<Scaling>>,
    y: Arc<Vec<f64>>,
    n_x: usize,
    block: usize,
    order: Vec<usize>,
    size: usize,
    skip: usize,
    dtype: DType,
}

impl Job {
    /// Read blocks as the order needs them and send each batch, or the first error. Rows of a block that later batches need wait in `held`; the order's shuffle
    /// buffer bounds how many.
    fn run(self, sender: SyncSender<Result<Batch>>) {
        let todo = &self.order[(self.skip * self.size).min(self.order.len())..];
        let mut needed = vec![false; self.y.len()];
        for &i in todo {
            needed[i] = true;
        }
        let mut held: HashMap<usize, Vec<f64>> = HashMap::new();
        for batch in todo.chunks(self.size) {
            let assembled = self.assemble(batch, &mut held, &mut needed);
            let failed = assembled.is_err();
            if sender.send(assembled).is_err() || failed {
                return;
            }
        }
    }

    fn assemble(
        &self,
        batch: &[usize],
        held: &mut HashMap<usize, Vec<f64>>,
        needed: &mut [bool],
    ) -> Result<Batch> {
        let mut rows = Vec::with_capacity(batch.len() * self.n_x);
        for &i in batch {
            if !held.contains_key(&i) {
                let start = i / self.block * self.block;
                let count = self.block.min(self.y.len() - start);
                let values = scaled_rows(&self.source, self.scaling.as_deref(), start, count)?;
                for (k, row) in values.chunks_exact(self.n_x).enumerate() {
                    if needed[start + k] {
                        held.insert(start + k, row.to_vec());
                    }
                }
            }
            let row = held.remove(&i).ok_or_else(|| {
                Error::Internal(format!("example {i} was asked for twice in one epoch"))
            })?;
            needed[i] = false;
            rows.extend(row);
        }
        let y = batch.iter().map(|&i| self.y[i]).collect();
        Ok(Batch {
            n_x: self.n_x,
            rows: Rows::of(rows, self.dtype),
            y,
        })
    }
}
