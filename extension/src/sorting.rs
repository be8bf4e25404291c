//! The one sort of the extension: the standard library's stable sort, run on indexes only, so
//! that the wasm module carries one copy of its code rather than one per element type (each
//! copy weighed 2 to 5 KB; measured in `docs/benchmarks.md`).

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal items in their order: the result of
/// `items.sort_by(compare)`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let order = sorted_order(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(order, &mut |a, b| items.swap(a, b));
}

/// The indexes `0..length` in the order `compare` gives them, stably.
#[inline(never)]
fn sorted_order(length: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..length).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves the item at `order[i]` to `i` for every `i`, one cycle of the permutation at a time,
/// through `swap` alone.
#[inline(never)]
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != DONE {
            let source = order[current];
            order[current] = DONE;
            if source == start {
                break;
            }
            // `source` still holds its original item: every place before it on the cycle
            // has been filled, and the item first at `start` travels along with the swaps.
            swap(current, source);
            current = source;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sort_by` against the standard library's, on every list of up to six items drawn from
    /// three keys (ties included), each item tagged with its position to see stability.
    #[test]
    fn sorts_as_the_standard_library_does() {
        for length in 0..=6u32 {
            for code in 0..3u32.pow(length) {
                let items: Vec<(u32, u32)> = (0..length).map(|i| (code / 3u32.pow(i) % 3, i)).collect();
                let mut expected = items.clone();
                expected.sort_by_key(|item| item.0);
                let mut sorted = items.clone();
                sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
                assert_eq!(sorted, expected, "{items:?}");
                let mut expected = items.clone();
                expected.sort_by_key(|item| std::cmp::Reverse(item.0));
                let mut descending = items.clone();
                sort_by(&mut descending, |a, b| b.0.cmp(&a.0));
                assert_eq!(descending, expected, "{items:?}");
            }
        }
    }

    #[test]
    fn sorts_a_long_list_of_strings() {
        let mut items: Vec<String> =
            (0..1000u32).map(|i| format!("{}", i.wrapping_mul(7919) % 1009)).collect();
        let mut expected = items.clone();
        expected.sort();
        sort_by(&mut items, |a, b| a.cmp(b));
        assert_eq!(items, expected);
    }
}
