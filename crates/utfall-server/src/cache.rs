//! Results cached by what they answer and the generation of the data and definitions they were
//! computed from: a page asked twice is computed once, and twenty clients asking at once wait
//! for the one computation.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// How many results are kept before the oldest generation's are dropped.
const CAPACITY: usize = 1024;

/// The cache.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Cache {
    /// The result under `key`, computed by `compute` when missing.
    pub(crate) async fn get<T, E, F>(&self, key: String, compute: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, E>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if slots.len() >= CAPACITY && !slots.contains_key(&key) {
                slots.clear();
            }
            slots.entry(key).or_default().clone()
        };
        let value = slot
            .get_or_try_init(|| async {
                compute
                    .await
                    .map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>)
            })
            .await?
            .clone();
        // A key names one type; a mismatch is a programming error caught by the tests.
        Ok(value
            .downcast::<T>()
            .unwrap_or_else(|_| panic!("a cache key was used for two types")))
    }

    /// The result under `key` when it is there already (never waits, never computes).
    pub(crate) fn peek<T: Send + Sync + 'static>(&self, key: &str) -> Option<Arc<T>> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let value = slots.get(key)?.get()?.clone();
        value.downcast::<T>().ok()
    }

    /// Drops everything (after the data or definitions changed).
    pub(crate) fn clear(&self) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_result_is_computed_once_and_errors_are_not_kept() {
        let cache = Cache::default();
        let runs = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            let got: Arc<u32> = cache
                .get("a".into(), async {
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Ok::<_, ()>(7)
                })
                .await
                .unwrap();
            assert_eq!(*got, 7);
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        let failed: Result<Arc<u32>, &str> = cache.get("b".into(), async { Err("no") }).await;
        assert_eq!(failed.unwrap_err(), "no");
        let got: Arc<u32> = cache
            .get("b".into(), async { Ok::<_, ()>(9) })
            .await
            .unwrap();
        assert_eq!(*got, 9);
        cache.clear();
        let got: Arc<u32> = cache
            .get("a".into(), async { Ok::<_, ()>(8) })
            .await
            .unwrap();
        assert_eq!(*got, 8);
    }
}
