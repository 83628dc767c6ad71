//! Events from real work: lifecycle events in order through a channel and a closure, operation
//! events up to Success, filters, logging, and subscriptions that end cleanly (the closure dropped
//! exactly once, also from inside itself) and never slow the library down.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{expect_error, manager, wait_until, DropCounter, TempDir};
use libinstance::api::{self, operation_status};
use libinstance::{
    ErrorCode, Event, EventFilter, EventType, LogLevel, LogTarget, Manager, StopOptions, Subscription,
};

const TIMEOUT: Duration = Duration::from_secs(60);
const FORCE: StopOptions = StopOptions { force: true, timeout: None };

fn lifecycle_only() -> EventFilter {
    EventFilter::types(&[EventType::Lifecycle])
}

/// The lifecycle actions on `source` received on `events`, until `count` of them came.
fn actions_on(events: &Receiver<Event>, source: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + TIMEOUT;
    let mut actions = Vec::new();
    while actions.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let event =
            events.recv_timeout(left).unwrap_or_else(|e| panic!("{e:?}; only {actions:?} on {source}"));
        assert_eq!(event.event_type, "lifecycle", "{event:?}");
        let lifecycle = event.lifecycle().unwrap_or_else(|| panic!("no lifecycle metadata: {event:?}"));
        if lifecycle.source == source || lifecycle.source == format!("{source}/snapshots/snap0") {
            assert_eq!(event.project, "default", "{event:?}");
            assert!(event.timestamp.len() >= 20 && event.timestamp.contains('T'), "{event:?}");
            actions.push(lifecycle.action);
        }
    }
    actions
}

/// Deleting an instance deletes (and announces) its snapshots first, as LXD does.
const LIFECYCLE: [&str; 6] = [
    "instance-created",
    "instance-started",
    "instance-snapshot-created",
    "instance-stopped",
    "instance-snapshot-deleted",
    "instance-deleted",
];

#[test]
fn lifecycle_in_order_through_a_channel() {
    let mgr = manager();
    let (subscription, events) = mgr.events(&lifecycle_only()).unwrap();
    let c = common::container(&mgr, "rs-ev-chan", false);
    c.start().unwrap();
    c.snapshot(&api::InstanceSnapshotsPost::new("snap0")).unwrap();
    c.stop(FORCE).unwrap();
    c.delete(false).unwrap();
    assert_eq!(actions_on(&events, "/1.0/instances/rs-ev-chan", LIFECYCLE.len()), LIFECYCLE);

    // Dropping the subscription drops its sender: the receiver drains, then ends.
    drop(subscription);
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(_) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("the receiver outlived its subscription"),
        }
    }
}

#[test]
fn lifecycle_in_order_through_a_closure_with_async_calls() {
    let mgr = manager();
    let seen = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let subscription = mgr
        .subscribe(&lifecycle_only(), {
            let seen = seen.clone();
            move |event: Event| {
                let lifecycle = event.lifecycle().expect("lifecycle metadata");
                seen.lock().unwrap().push((lifecycle.source, lifecycle.action));
            }
        })
        .unwrap();

    let post = api::InstancesPost::new("rs-ev-closure", api::InstanceSource::image_alias(common::IMAGE));
    mgr.create_instance_async(&post).unwrap().wait(Some(TIMEOUT)).unwrap();
    let c = common::Guard(mgr.instance("rs-ev-closure").unwrap());
    c.start_async().unwrap().wait(Some(TIMEOUT)).unwrap();
    c.snapshot_async(&api::InstanceSnapshotsPost::new("snap0")).unwrap().wait(Some(TIMEOUT)).unwrap();
    c.stop_async(FORCE).unwrap().wait(Some(TIMEOUT)).unwrap();
    c.delete_async(false).unwrap().wait(Some(TIMEOUT)).unwrap();

    let ours = || -> Vec<String> {
        let seen = seen.lock().unwrap();
        seen.iter()
            .filter(|(s, _)| s.as_str() == "/1.0/instances/rs-ev-closure" || s.as_str() == "/1.0/instances/rs-ev-closure/snapshots/snap0")
            .map(|(_, a)| a.clone())
            .collect()
    };
    assert!(wait_until(TIMEOUT, || ours().len() >= LIFECYCLE.len()), "only {:?}", ours());
    drop(subscription);
    assert_eq!(ours(), LIFECYCLE);
}

/// "Unpack: 42%" -> 42.
fn percent(progress: &str) -> u32 {
    let number = progress.rsplit(' ').next().and_then(|p| p.strip_suffix('%'));
    number.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("progress {progress:?}"))
}

#[test]
fn operation_events_reach_success() {
    let mgr = manager();
    let (_subscription, events) = mgr.events(&EventFilter::types(&[EventType::Operation])).unwrap();
    let post = api::InstancesPost::new("rs-ev-op", api::InstanceSource::image_alias(common::IMAGE));
    let op = mgr.create_instance_async(&post).unwrap();
    let _c = common::Guard({
        op.wait(Some(TIMEOUT)).unwrap();
        mgr.instance("rs-ev-op").unwrap()
    });

    let mut statuses = Vec::new();
    let mut progress = Vec::new();
    while statuses.last() != Some(&operation_status::SUCCESS) {
        let event = events.recv_timeout(TIMEOUT).unwrap_or_else(|e| panic!("{e:?} after {statuses:?}"));
        assert_eq!(event.event_type, "operation");
        let Some(info) = event.operation().filter(|o| o.id == op.id()) else { continue };
        assert_eq!(info.description, "Creating instance");
        assert_eq!(info.resources["instances"], ["/1.0/instances/rs-ev-op"]);
        if let Some(p) = info.metadata_str("create_instance_from_image_unpack_progress") {
            progress.push(percent(p));
        }
        statuses.push(info.status_code);
    }
    assert!(statuses.len() >= 2, "a start and an end: {statuses:?}");
    assert!(
        [operation_status::PENDING, operation_status::RUNNING].contains(&statuses[0]),
        "first status {statuses:?}"
    );
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s < operation_status::SUCCESS), "{statuses:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "progress went back: {progress:?}");
    assert!(progress.iter().all(|p| *p <= 100), "{progress:?}");
}

// The project filter: a subscriber of another project sees nothing of the default one's, one of
// every project sees it all.
#[test]
fn project_filters() {
    let mgr = manager();
    let (_other, other_events) =
        mgr.events(&EventFilter { project: Some("rs-elsewhere".into()), ..lifecycle_only() }).unwrap();
    let (_all, all_events) = mgr.events(&EventFilter { all_projects: true, ..lifecycle_only() }).unwrap();
    let (_default, default_events) = mgr.events(&lifecycle_only()).unwrap();

    mgr.create_alias("rs-ev-alias", common::IMAGE, None).unwrap();
    mgr.delete_alias("rs-ev-alias").unwrap();
    let source = "/1.0/images/aliases/rs-ev-alias";
    let expected = ["image-alias-created", "image-alias-deleted"];
    assert_eq!(actions_on(&default_events, source, 2), expected);
    assert_eq!(actions_on(&all_events, source, 2), expected);
    // Both were delivered elsewhere; give the other project's subscriber its chance too.
    std::thread::sleep(Duration::from_millis(200));
    let stray: Vec<_> = other_events.try_iter().collect();
    assert!(stray.is_empty(), "events of the default project went to rs-elsewhere: {stray:?}");
}

#[test]
fn logging_events_and_log_file() {
    let mgr = manager();
    let dir = TempDir::new("log");
    let log_file = dir.join("libinstance.log");
    mgr.set_log(LogLevel::Debug, LogTarget::File(log_file.clone())).unwrap();
    let filter = EventFilter { log_level: Some(LogLevel::Info), ..EventFilter::types(&[EventType::Logging]) };
    let (subscription, events) = mgr.events(&filter).unwrap();

    let c = common::container(&mgr, "rs-ev-log", false);
    let record = loop {
        let event = events.recv_timeout(TIMEOUT).expect("a logging event about rs-ev-log");
        let record = event.logging().unwrap_or_else(|| panic!("no logging metadata: {event:?}"));
        assert!(["info", "warn", "error"].contains(&record.level.as_str()), "below info: {record:?}");
        if record.context["instance"] == "rs-ev-log" {
            break record;
        }
    };
    assert!(!record.message.is_empty(), "{record:?}");
    drop(subscription);
    drop(c);

    let text = std::fs::read_to_string(&log_file).unwrap();
    assert!(text.contains("rs-ev-log"), "the log file has nothing on rs-ev-log: {text}");

    // A file that cannot be opened is refused, naming it, with the code of its errno; the
    // previous target stays.
    let bad = dir.join("no-such-dir").join("x.log");
    expect_error(
        mgr.set_log(LogLevel::Info, LogTarget::File(bad.clone())),
        ErrorCode::NotFound,
        &bad.to_string_lossy(),
    );
    let err = expect_error(
        mgr.set_log(LogLevel::Info, LogTarget::File("".into())),
        ErrorCode::InvalidArgument,
        "empty",
    );
    assert_eq!(err.key.as_deref(), Some("file"));
    drop(common::container(&mgr, "rs-ev-log2", false));
    let text = std::fs::read_to_string(&log_file).unwrap();
    assert!(text.contains("rs-ev-log2"), "the log file was dropped by a failed set_log: {text}");

    // Nowhere: the file stops growing.
    mgr.set_log(LogLevel::Debug, LogTarget::Nowhere).unwrap();
    let size = std::fs::metadata(&log_file).unwrap().len();
    drop(common::container(&mgr, "rs-ev-log3", false));
    assert_eq!(std::fs::metadata(&log_file).unwrap().len(), size);
    mgr.set_log(LogLevel::Warn, LogTarget::Stderr).unwrap();
}

// A filter refused before the library is called drops the closure at once, naming the value.
#[test]
fn refused_filter_drops_the_closure() {
    let mgr = manager();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let filter = EventFilter { project: Some("bad\0project".into()), ..Default::default() };
    let err = expect_error(
        mgr.subscribe(&filter, move |_| {
            let _ = &counter;
        }),
        ErrorCode::InvalidArgument,
        "bad\\0project",
    );
    assert_eq!(err.key.as_deref(), Some("project"));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn dropping_the_subscription_drops_the_closure_once() {
    let mgr = manager();
    let drops = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let subscription = mgr
        .subscribe(&lifecycle_only(), {
            let counter = DropCounter(drops.clone());
            let calls = calls.clone();
            move |_| {
                let _ = &counter;
                calls.fetch_add(1, Ordering::SeqCst);
            }
        })
        .unwrap();
    mgr.create_alias("rs-ev-once", common::IMAGE, None).unwrap();
    mgr.delete_alias("rs-ev-once").unwrap();
    assert!(wait_until(TIMEOUT, || calls.load(Ordering::SeqCst) >= 2));
    assert_eq!(drops.load(Ordering::SeqCst), 0, "dropped while subscribed");
    subscription.unsubscribe();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the closure was not dropped by unsubscribe");

    // No more calls after it ended.
    let after = calls.load(Ordering::SeqCst);
    mgr.create_alias("rs-ev-once", common::IMAGE, None).unwrap();
    mgr.delete_alias("rs-ev-once").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(calls.load(Ordering::SeqCst), after);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

// A closure may end its own subscription: the library does not wait for the call in progress,
// and the closure is dropped once, after it returns.
#[test]
fn a_closure_can_unsubscribe_itself() {
    let mgr = manager();
    let drops = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let slot: Arc<Mutex<Option<Subscription>>> = Arc::new(Mutex::new(None));
    let subscription = mgr
        .subscribe(&lifecycle_only(), {
            let counter = DropCounter(drops.clone());
            let (slot, calls) = (slot.clone(), calls.clone());
            move |event: Event| {
                let _ = &counter;
                if event.lifecycle().is_some_and(|l| l.source.ends_with("/rs-ev-self")) {
                    calls.fetch_add(1, Ordering::SeqCst);
                    // Dropped here, inside the callback.
                    drop(slot.lock().unwrap().take());
                    // The closure's own state is still intact after that.
                    calls.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
        .unwrap();
    *slot.lock().unwrap() = Some(subscription);

    mgr.create_alias("rs-ev-self", common::IMAGE, None).unwrap();
    mgr.delete_alias("rs-ev-self").unwrap();
    assert!(wait_until(TIMEOUT, || drops.load(Ordering::SeqCst) == 1), "the closure was never dropped");
    // Only the first event got through: the second came after the subscription ended.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(slot.lock().unwrap().is_none());
}

/// Creates and deletes an alias `rounds` times (two lifecycle events each) on another thread,
/// failing if that does not finish in time: a library blocked by a subscriber would hang here.
fn churn_aliases(mgr: &Arc<Manager>, tag: &str, rounds: usize) {
    let (done, finished) = mpsc::channel();
    let (mgr, alias) = (mgr.clone(), format!("rs-ev-churn-{tag}"));
    std::thread::spawn(move || {
        for _ in 0..rounds {
            mgr.create_alias(&alias, common::IMAGE, None).unwrap();
            mgr.delete_alias(&alias).unwrap();
        }
        done.send(()).unwrap();
    });
    finished.recv_timeout(TIMEOUT).expect("the library was blocked by a busy subscriber");
}

#[test]
fn a_blocked_closure_does_not_block_the_library_and_overflow_is_counted() {
    let mgr = manager();
    let queue_size = 4;
    let calls = Arc::new(AtomicUsize::new(0));
    let (release, gate) = mpsc::channel::<()>();
    let subscription = mgr
        .subscribe(&EventFilter { queue_size, ..lifecycle_only() }, {
            let calls = calls.clone();
            move |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                // Blocks until the test lets go (the sender is dropped).
                let _ = gate.recv();
            }
        })
        .unwrap();
    // Declared after the subscription, so dropped first even when an assertion fails: the
    // subscription's drop waits for the blocked call.
    let release = release;

    churn_aliases(&mgr, "a", 20);
    assert!(wait_until(TIMEOUT, || calls.load(Ordering::SeqCst) == 1), "the closure never ran");
    // 40 events: one blocked in the closure, queue_size queued, the rest dropped.
    let first = subscription.dropped();
    assert!(first >= (40 - 1 - queue_size) as u64, "dropped {first}");

    // 20 more, all dropped but one: the closure may have taken its (blocking) event off the queue
    // only after the first batch was queued, leaving one free place.
    churn_aliases(&mgr, "b", 10);
    let second = subscription.dropped();
    assert!(second >= first + 19, "dropped {first} then {second}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the closure ran again while blocked");

    // Let go: the queued events are delivered.
    drop(release);
    assert!(wait_until(TIMEOUT, || calls.load(Ordering::SeqCst) > 1), "the queue was not drained");
    drop(subscription);
}
