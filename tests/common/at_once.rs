//! Calls several functions (each standing for one process) at the same
//! moment, one thread each, and returns what each returned.

use std::sync::Barrier;
use std::thread;

pub fn at_once<F, A, R>(functions: &[F], arg: A) -> Vec<R>
where
    F: Fn(A) -> R + Copy + Send,
    A: Copy + Send,
    R: Send,
{
    let start = Barrier::new(functions.len());
    thread::scope(|s| {
        let handles: Vec<_> = functions
            .iter()
            .map(|&f| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    f(arg)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
