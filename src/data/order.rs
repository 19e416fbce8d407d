//! The order in which an epoch visits the examples: one function of (m, seed, epoch), so an
//! epoch's batches do not depend on where a run was resumed, and in-memory and streamed training
//! can be given the same order.

use crate::rng::NumpyRng;

/// How an epoch orders the examples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Order {
    /// File order (`shuffle = false`).
    InFile,
    /// A uniform random permutation (Fisher–Yates): mini-batches of a set in memory.
    Shuffled,
    /// Streamed data: blocks of `block` consecutive examples in random order, passed through a
    /// shuffle buffer of `buffer` examples. Reads stay sequential within a block, and memory holds
    /// at most `buffer + block` examples; the order is a permutation, but an example can only
    /// move about `buffer` places from its block's position, so it is not a uniform one.
    Blocks { block: usize, buffer: usize },
}

impl Order {
    /// The example indices of `epoch`, in the order they are visited (every index once).
    pub fn indices(self, m: usize, seed: u32, epoch: usize) -> Vec<usize> {
        let mut rng = NumpyRng::new(seed.wrapping_add((epoch as u32).wrapping_mul(0x9E37_79B9)));
        match self {
            Order::InFile => (0..m).collect(),
            Order::Shuffled => {
                let mut order: Vec<usize> = (0..m).collect();
                rng.shuffle(&mut order);
                order
            }
            Order::Blocks { block, buffer } => {
                let block = block.max(1);
                let mut blocks: Vec<usize> = (0..m.div_ceil(block)).collect();
                rng.shuffle(&mut blocks);
                let buffer = buffer.max(1);
                let mut held = Vec::with_capacity(buffer.min(m));
                let mut order = Vec::with_capacity(m);
                for b in blocks {
                    for i in b * block..((b + 1) * block).min(m) {
                        if held.len() < buffer {
                            held.push(i);
                        } else {
                            // The buffer is full: a random held example leaves, `i` takes its place.
                            let j = (rng.uniform() * buffer as f64) as usize;
                            order.push(std::mem::replace(&mut held[j], i));
                        }
                    }
                }
                rng.shuffle(&mut held);
                order.extend(held);
                order
            }
        }
    }
}
