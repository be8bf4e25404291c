//! Summary statistics of per-worker wages: percentiles by linear interpolation between closest
//! ranks (numpy's default, Hyndman and Fan's type 7), a distribution-free confidence interval
//! of the median from binomial order statistics, Wilson's score interval of a share, and a
//! seeded percentile-bootstrap interval of the mean.

use rand::distributions::{Distribution, Uniform};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};

/// The `p`-quantile (0 ≤ p ≤ 1) of sorted values: `h = (n - 1) p`, interpolating between the
/// values at ranks ⌊h⌋ and ⌈h⌉. `None` for an empty slice.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let below = h.floor() as usize;
    let above = (below + 1).min(last);
    Some(sorted[below] + (h - below as f64) * (sorted[above] - sorted[below]))
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// A confidence interval of the median that assumes nothing about the distribution: the order
/// statistics `x(l)` and `x(n+1-l)` with the largest `l` such that the number of values below the
/// median, which is Binomial(n, ½), falls in `[l, n-l]` with probability at least `level`.
/// `None` when even the full range `[x(1), x(n)]` has lower coverage (n < 6 for 95%).
pub fn median_confidence_interval(sorted: &[f64], level: f64) -> Option<(f64, f64)> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    let binomial = Binomial::new(0.5, n).expect("p = 0.5 is a valid probability");
    let tail = (1.0 - level) / 2.0;
    // P(B <= l - 1) <= tail, so the interval [x(l), x(n+1-l)] covers at least `level`.
    let mut lower_rank = 0;
    for l in 1..=n.div_ceil(2) {
        if binomial.cdf(l - 1) <= tail {
            lower_rank = l;
        } else {
            break;
        }
    }
    if lower_rank == 0 {
        return None;
    }
    let upper_rank = n + 1 - lower_rank;
    Some((sorted[lower_rank as usize - 1], sorted[upper_rank as usize - 1]))
}

/// Wilson's score interval (Wilson 1927) of a share of `successes` among `trials`, at
/// confidence `level`: the shares `p` for which `|p̂ - p| ≤ z √(p (1-p) / n)`, which is
/// `(p̂ + z²/2n ± z √(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`. Brown, Cai and DasGupta (2001, "Interval
/// Estimation for a Binomial Proportion") recommend it over the Wald interval `p̂ ± z √(p̂(1-p̂)/n)`,
/// whose coverage collapses near 0 and 1, which is where the shares below a minimum wage sit;
/// unlike Wald's it never leaves [0, 1] and is not empty at `p̂ = 0` or 1. `None` without trials.
pub fn wilson_interval(successes: u64, trials: u64, level: f64) -> Option<(f64, f64)> {
    if trials == 0 || successes > trials {
        return None;
    }
    let z = Normal::standard().inverse_cdf(0.5 + level / 2.0);
    let n = trials as f64;
    let share = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (share + z2 / (2.0 * n)) / denominator;
    let half_width = z * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // At p̂ = 0 (or 1) the low (high) end is 0 (1) exactly; clamping removes the rounding error.
    let low = if successes == 0 { 0.0 } else { (centre - half_width).max(0.0) };
    let high = if successes == trials { 1.0 } else { (centre + half_width).min(1.0) };
    Some((low, high))
}

/// The percentile bootstrap interval of the mean (Efron and Tibshirani, *An Introduction to the
/// Bootstrap*, 1993, ch. 13): `resamples` samples of `values.len()` values drawn with replacement,
/// and the `(1 - level)/2` and `(1 + level)/2` percentiles of their means. Wages are skewed (a
/// few workers earn several times the median), which the bootstrap follows and a normal
/// interval does not. The draws come from ChaCha8 seeded with `seed`, and indices are drawn as
/// 32-bit numbers, so the same values, resamples and seed give the same interval on every
/// platform, wasm32 included. `None` for fewer than two values.
pub fn bootstrap_mean_interval(values: &[f64], level: f64, resamples: u32, seed: u64) -> Option<(f64, f64)> {
    let n = u32::try_from(values.len()).ok().filter(|&n| n >= 2)?;
    if resamples == 0 {
        return None;
    }
    let mut random = ChaCha8Rng::seed_from_u64(seed);
    let index = Uniform::new(0, n);
    // A resample's indices are drawn first, then its values summed in a loop of their own: with
    // the draw inside the sum, the running sum went through memory at every draw's call. Same
    // draws, same order of additions, same bits; 1.9 ns a draw instead of 2.4 for 5,000 values
    // and 2,000 resamples (docs/benchmarks.md, "A fresh machine").
    let mut indices = vec![0u32; values.len()];
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            indices.iter_mut().for_each(|slot| *slot = index.sample(&mut random));
            let sum: f64 = indices.iter().map(|&at| values[at as usize]).sum();
            sum / f64::from(n)
        })
        .collect();
    means.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Some((percentile(&means, tail)?, percentile(&means, 1.0 - tail)?))
}

/// [`bootstrap_mean_interval`] of each sample, the samples shared among up to `threads`
/// threads: each interval depends on its own sample only, so the result is the same whatever
/// the number of threads. A report computes its intervals once every record is read; in one
/// thread, with the other core idle, they took 0.38 s of a 3.5 s report on the 10-million-record
/// benchmark (44 cells, 50,000 workers).
pub fn bootstrap_mean_intervals(
    samples: &[&[f64]],
    level: f64,
    resamples: u32,
    seed: u64,
    threads: usize,
) -> Vec<Option<(f64, f64)>> {
    // Below this many draws in all a thread costs more than it saves.
    const DRAWS_PER_THREAD: u64 = 1 << 20;
    let draws: u64 = samples.iter().map(|sample| sample.len() as u64 * u64::from(resamples)).sum();
    let threads = threads.min(usize::try_from(draws / DRAWS_PER_THREAD).unwrap_or(usize::MAX)).max(1);
    let interval = |sample: &[f64]| bootstrap_mean_interval(sample, level, resamples, seed);
    if threads == 1 {
        return samples.iter().map(|sample| interval(sample)).collect();
    }
    // Each thread takes the next sample not yet taken, so that one large sample does not leave
    // the other threads idle behind it.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(sample) = samples.get(index) else { return done };
            done.push((index, interval(sample)));
        }
    };
    let mut intervals = vec![None; samples.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(take)).collect();
        for handle in handles {
            let done = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (index, interval) in done {
                intervals[index] = interval;
            }
        }
    });
    intervals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [10, 25, 50, 75, 90]) = [1.3, 1.75, 2.5, 3.25, 3.7]
        let values = [1.0, 2.0, 3.0, 4.0];
        for (p, expected) in [(0.10, 1.3), (0.25, 1.75), (0.5, 2.5), (0.75, 3.25), (0.9, 3.7)] {
            assert!((percentile(&values, p).unwrap() - expected).abs() < 1e-12, "p{p}");
        }
        assert_eq!(percentile(&[5.0], 0.9), Some(5.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn median_interval_uses_binomial_ranks() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        // For n = 10 the 95% interval is [x(2), x(9)] with coverage 97.9%.
        assert_eq!(median_confidence_interval(&values, 0.95), Some((2.0, 9.0)));
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        // For n = 100 the ranks are 40 and 61 (coverage 96.5%).
        assert_eq!(median_confidence_interval(&values, 0.95), Some((40.0, 61.0)));
        assert_eq!(median_confidence_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
        assert_eq!(median_confidence_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.95), Some((1.0, 6.0)));
    }

    #[test]
    fn wilson_intervals_match_an_independent_computation() {
        // statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05, method="wilson"),
        // written out in Python with z = 1.959963984540054:
        //   p = k/n; d = 1 + z*z/n; c = (p + z*z/(2*n)) / d
        //   h = z * sqrt(p*(1-p)/n + z*z/(4*n*n)) / d; (c - h, c + h)
        for (k, n, low, high) in [
            (3, 10, 0.10779126740630099, 0.6032218525388546),
            (0, 10, 0.0, 0.2775327998628892),
            (10, 10, 0.7224672001371107, 1.0),
            (12, 13, 0.6668604907890041, 0.9862895787574435),
            (1, 2, 0.09453120573423074, 0.9054687942657693),
            (51, 52, 0.8987948887210774, 0.9965971919290547),
        ] {
            let (l, h) = wilson_interval(k, n, 0.95).unwrap();
            assert!((l - low).abs() < 1e-12 && (h - high).abs() < 1e-12, "{k}/{n}: ({l}, {h})");
        }
        assert_eq!(wilson_interval(0, 0, 0.95), None);
        assert_eq!(wilson_interval(3, 2, 0.95), None);
    }

    #[test]
    fn the_bootstrap_interval_of_the_mean_is_reproducible_and_near_the_normal_one() {
        // Two values: the resampled means are 0, ½ and 1 with probabilities ¼, ½, ¼, so the
        // 2.5% and 97.5% percentiles of 2,000 of them are 0 and 1.
        assert_eq!(bootstrap_mean_interval(&[0.0, 1.0], 0.95, 2000, 1), Some((0.0, 1.0)));
        assert_eq!(bootstrap_mean_interval(&[3.0; 40], 0.95, 2000, 1), Some((3.0, 3.0)));
        assert_eq!(bootstrap_mean_interval(&[3.0], 0.95, 2000, 1), None);
        // 1, 2, ..., 100: mean 50.5, population standard deviation √((100² − 1)/12) = 28.866,
        // so the bootstrap means have a standard deviation of 2.8866 and, the mean of 100
        // values being close to normal, the interval is near 50.5 ± 1.96 × 2.8866 = [44.84,
        // 56.16]; 2,000 resamples put each end within a few tenths of that.
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let (low, high) = bootstrap_mean_interval(&values, 0.95, 2000, 20261201).unwrap();
        assert!((low - 44.84).abs() < 0.4 && (high - 56.16).abs() < 0.4, "({low}, {high})");
        // The same seed gives the same interval; another seed another one.
        assert_eq!(bootstrap_mean_interval(&values, 0.95, 2000, 20261201), Some((low, high)));
        assert_ne!(bootstrap_mean_interval(&values, 0.95, 2000, 7), Some((low, high)));
    }

    /// A published interval can be computed again by anyone, with any later version: the draws
    /// and the order of the additions are part of the method. Pinned to the bit, as the first
    /// version computed it (the draws inside the sum).
    #[test]
    fn the_bootstrap_interval_is_the_same_to_the_bit_as_published() {
        let values: Vec<f64> = (1..=100).map(|i| f64::from(i * i % 97) / 3.0).collect();
        let (low, high) = bootstrap_mean_interval(&values, 0.95, 2000, 20261201).unwrap();
        // 13.586249999999996 and 17.53675.
        assert_eq!(
            (low.to_bits(), high.to_bits()),
            (0x402b_2c28_f5c2_8f5a, 0x4031_8968_72b0_20c5),
            "({low}, {high})"
        );
    }

    #[test]
    fn bootstrap_intervals_are_the_same_over_any_number_of_threads() {
        // Large enough samples that several threads are used, and some too small for an interval.
        let samples: Vec<Vec<f64>> = (0..9u32)
            .map(|cell| (0..(cell % 4) * 700).map(|i| f64::from((i * 37 + cell) % 101) / 7.0).collect())
            .collect();
        let samples: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
        let one_by_one: Vec<_> =
            samples.iter().map(|sample| bootstrap_mean_interval(sample, 0.95, 2000, 20261201)).collect();
        assert!(one_by_one.iter().filter(|interval| interval.is_some()).count() >= 6);
        for threads in [1, 2, 3, 8] {
            assert_eq!(
                bootstrap_mean_intervals(&samples, 0.95, 2000, 20261201, threads),
                one_by_one,
                "{threads}"
            );
        }
    }
}
