//! Event subscriptions: the library's lifecycle, operation and logging events, delivered to a
//! closure or a channel.
//!
//! The closure crosses the C ABI as the subscription's payload, an `Arc<Payload>` whose
//! reference the library holds until it calls `free_payload` (exactly once, after the last
//! callback); the closure is dropped there, which is what ends a channel's receiver.

use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};

use libinstance_sys as sys;

use crate::api::Event;
use crate::error::{check, Result};
use crate::log::LogLevel;
use crate::manager::Manager;
use crate::strings::{c_string, c_string_opt, ptr_or_null};

/// The kinds of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// An object was created, started, stopped, deleted... ([`Event::lifecycle`]).
    Lifecycle,
    /// An operation changed status or made progress ([`Event::operation`]).
    Operation,
    /// A log record of the library ([`Event::logging`]).
    Logging,
}

impl EventType {
    /// The name in [`Event::event_type`]: "lifecycle", "operation", "logging".
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Lifecycle => "lifecycle",
            EventType::Operation => "operation",
            EventType::Logging => "logging",
        }
    }
}

/// Which events a subscription gets. The default: every type, of the `default` project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Empty: all types.
    pub types: Vec<EventType>,
    /// None: the `default` project. Ignored with `all_projects`.
    pub project: Option<String>,
    pub all_projects: bool,
    /// Lowest level of logging events; None: info.
    pub log_level: Option<LogLevel>,
    /// Events buffered while the callback is busy before new ones are dropped (and counted by
    /// [`Subscription::dropped`]); 0: the library's default, 1024.
    pub queue_size: usize,
}

impl EventFilter {
    /// Events of these types only, of the `default` project.
    pub fn types(types: &[EventType]) -> EventFilter {
        EventFilter { types: types.to_vec(), ..Default::default() }
    }
}

/// A live subscription; dropping it stops delivery (waiting for a callback in progress, unless
/// dropped from inside the callback) and drops the closure. Thread-safe.
#[derive(Debug)]
pub struct Subscription {
    raw: NonNull<sys::li_subscription>,
}

// The C ABI documents every handle as safe to use from several threads at once.
unsafe impl Send for Subscription {}
unsafe impl Sync for Subscription {}

impl Drop for Subscription {
    fn drop(&mut self) {
        // We own the handle and free it exactly once; the library then calls release().
        unsafe { sys::li_subscription_free(self.raw.as_ptr()) };
    }
}

impl Subscription {
    /// Events dropped so far because the queue was full (the callback was too slow).
    pub fn dropped(&self) -> u64 {
        unsafe { sys::li_subscription_dropped(self.raw.as_ptr()) }
    }

    /// Ends the subscription now (as dropping it does).
    pub fn unsubscribe(self) {}
}

type Callback = Box<dyn FnMut(Event) + Send>;

/// What the library holds as the payload.
struct Payload {
    /// None once released.
    callback: Mutex<Option<Callback>>,
    /// release() ran; the callback is dropped by it or, when it ran inside the callback (the
    /// subscription was dropped from there), by deliver() once the callback returns.
    released: AtomicBool,
}

impl Payload {
    fn take_callback(&self) -> Option<Callback> {
        self.callback.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The library's li_event_cb: parses the event and calls the closure, on the subscription's thread.
unsafe extern "C" fn deliver(event_json: *const c_char, payload: *mut c_void) {
    // Our own reference for the call, since release() may run inside it.
    let payload = unsafe {
        Arc::increment_strong_count(payload as *const Payload);
        Arc::from_raw(payload as *const Payload)
    };
    if payload.released.load(Ordering::SeqCst) || event_json.is_null() {
        return;
    }
    let text = unsafe { CStr::from_ptr(event_json) }.to_string_lossy();
    let event: Event = match serde_json::from_str(&text) {
        Ok(event) => event,
        Err(e) => {
            // A bug on one side of the boundary; no error channel reaches the subscriber.
            eprintln!("libinstance: skipping an unparsable event ({e}): {text}");
            return;
        }
    };
    // A panic must not unwind into C; the panic hook has reported it, and delivery goes on.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let mut callback = payload.callback.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(callback) = callback.as_mut() {
            callback(event);
        }
    }));
    if payload.released.load(Ordering::SeqCst) {
        drop(payload.take_callback());
    }
}

/// The library's li_free_cb: gives back its reference and drops the closure, once.
unsafe extern "C" fn release(payload: *mut c_void) {
    let payload = unsafe { Arc::from_raw(payload as *const Payload) };
    payload.released.store(true, Ordering::SeqCst);
    // Busy only when release() runs inside the callback, on its thread: deliver() drops it then.
    let callback = match payload.callback.try_lock() {
        Ok(mut callback) => callback.take(),
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().take(),
        Err(TryLockError::WouldBlock) => None,
    };
    drop(callback);
}

/// The filter as C strings, alive while `call` runs.
fn with_subscribe_opts<T>(
    filter: &EventFilter,
    call: impl FnOnce(&sys::li_subscribe_opts) -> Result<T>,
) -> Result<T> {
    let types = if filter.types.is_empty() {
        None
    } else {
        let names: Vec<&str> = filter.types.iter().map(|t| t.as_str()).collect();
        Some(c_string("types", &names.join(","))?)
    };
    let project = c_string_opt("project", filter.project.as_deref())?;
    let log_level = filter.log_level.map(|l| c_string("log_level", l.as_str())).transpose()?;
    let opts = sys::li_subscribe_opts {
        version: sys::LI_SUBSCRIBE_OPTS_VERSION,
        types: ptr_or_null(&types),
        project: ptr_or_null(&project),
        all_projects: filter.all_projects.into(),
        log_level: ptr_or_null(&log_level),
        queue_size: filter.queue_size,
    };
    call(&opts)
}

impl Manager {
    /// Calls `callback` with each event matching `filter`, on a library thread owned by the
    /// subscription, one event at a time and in order, until the [`Subscription`] is dropped.
    ///
    /// A slow callback never blocks the library: events queue and, past
    /// [`EventFilter::queue_size`], are dropped and counted. The closure is dropped once, when the
    /// subscription ends. A panic in it is reported and the next event is still delivered.
    pub fn subscribe<F>(&self, filter: &EventFilter, callback: F) -> Result<Subscription>
    where
        F: FnMut(Event) + Send + 'static,
    {
        let payload = Arc::new(Payload {
            callback: Mutex::new(Some(Box::new(callback))),
            released: AtomicBool::new(false),
        });
        let result = with_subscribe_opts(filter, |opts| self.subscribe_raw(opts, &payload));
        match result {
            Ok(raw) => Ok(Subscription {
                raw: NonNull::new(raw).expect("libinstance returned a NULL subscription on success"),
            }),
            Err(e) => {
                drop(payload.take_callback());
                Err(e)
            }
        }
    }

    /// Hands the library a reference to `payload`; on failure takes it back unless the library
    /// released it itself.
    fn subscribe_raw(
        &self,
        opts: &sys::li_subscribe_opts,
        payload: &Arc<Payload>,
    ) -> Result<*mut sys::li_subscription> {
        let mut raw: *mut sys::li_subscription = ptr::null_mut();
        // The library's reference, given back through release().
        let library_ref = Arc::into_raw(payload.clone()) as *mut c_void;
        let rc = check(|err| unsafe {
            sys::li_manager_subscribe(
                &mut raw,
                self.as_ptr(),
                opts,
                Some(deliver),
                library_ref,
                Some(release),
                err,
            )
        });
        if rc.is_err() && !payload.released.load(Ordering::SeqCst) {
            // Refused without calling release(): the reference is still ours to give back.
            drop(unsafe { Arc::from_raw(library_ref as *const Payload) });
        }
        rc.map(|()| raw)
    }

    /// The events matching `filter` as a channel: the receiver gets them in order and ends once
    /// the [`Subscription`] is dropped. The channel is unbounded, so read it while subscribed.
    pub fn events(&self, filter: &EventFilter) -> Result<(Subscription, Receiver<Event>)> {
        let (sender, receiver) = mpsc::channel();
        let subscription = self.subscribe(filter, move |event| {
            // A dropped receiver just means nobody listens any more.
            let _ = sender.send(event);
        })?;
        Ok((subscription, receiver))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct DropCounter(Arc<AtomicUsize>);

    impl Drop for DropCounter {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    // The typed filter cannot express what the library refuses, so raw options stand in for it:
    // a refused subscription drops the closure exactly once and leaves no reference behind.
    #[test]
    fn refused_subscription_drops_the_closure_once() {
        let dir = std::env::temp_dir().join(format!("libinstance-rs-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manager = Manager::open(Some(&dir)).unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let counter = DropCounter(drops.clone());
        let payload = Arc::new(Payload {
            callback: Mutex::new(Some(Box::new(move |_| {
                let _ = &counter;
            }))),
            released: AtomicBool::new(false),
        });
        let types = c"lifecycle,bogus";
        let opts = sys::li_subscribe_opts {
            version: sys::LI_SUBSCRIBE_OPTS_VERSION,
            types: types.as_ptr(),
            project: ptr::null(),
            all_projects: 0,
            log_level: ptr::null(),
            queue_size: 0,
        };
        let err = manager.subscribe_raw(&opts, &payload).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidArgument, "{err:?}");
        assert!(err.message.contains("bogus"), "{err:?}");
        assert_eq!(err.key.as_deref(), Some("opts.types"));
        // Only our reference is left, and the closure is still there until we drop it.
        assert_eq!(Arc::strong_count(&payload), 1);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(payload.take_callback());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(manager);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
