//! numpy's legacy global random generator (`np.random.seed(s)`, `np.random.randn(...)`),
//! reimplemented so that a seed in a simplenn config draws the *same* numbers as the course's
//! notebooks: the planar flower and the course's initial weights come out identical without any
//! file. It is also backend-independent, so every backend starts from the same weights.
//!
//! MT19937 (Matsumoto & Nishimura, 1998), numpy's 53-bit `random_sample`, and numpy's legacy
//! polar Box–Muller `gauss` (which caches the second value of each pair).

const N: usize = 624;
const M: usize = 397;

pub struct NumpyRng {
    state: [u32; N],
    index: usize,
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// `np.random.seed(seed)` for an integer seed below 2³².
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        NumpyRng {
            state,
            index: N,
            cached_gauss: None,
        }
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut next = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 == 1 {
                next ^= 0x9908_b0df;
            }
            self.state[i] = next;
        }
        self.index = 0;
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `np.random.random_sample()`: uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// One draw of `np.random.randn()`.
    pub fn gauss(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.uniform() - 1.0;
            let x2 = 2.0 * self.uniform() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `np.random.randn(n)` (row-major when reshaped, like numpy).
    pub fn randn(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.gauss()).collect()
    }

    /// Fisher–Yates on this generator, from the last item down (one `uniform` draw per item but
    /// the first): the one shuffle of simplenn, for the seeded split and the epochs' orders.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.uniform() * (i + 1) as f64) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values printed by numpy 1.x/2.x: `np.random.seed(1); np.random.randn(3)` and
    /// `np.random.seed(0); np.random.random_sample()` (published in countless tutorials).
    #[test]
    fn matches_numpy_legacy_stream() {
        let mut rng = NumpyRng::new(1);
        let v = rng.randn(3);
        let expected = [
            1.624_345_363_663_241_7,
            -0.611_756_413_650_075_4,
            -0.528_171_752_263_455_7,
        ];
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        let mut rng = NumpyRng::new(0);
        assert!((rng.uniform() - 0.548_813_503_927_324_8).abs() < 1e-15);
    }
}
