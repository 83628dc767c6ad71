//! nic and proxy devices on real containers: a p2p nic's host side (with traffic shaping) seen
//! from the host, a proxy forwarding bytes from the host's loopback into the container and back,
//! and bad values refused naming the key.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use common::{expect_error, manager, Guard, IMAGE};
use libinstance::{api, ErrorCode, ExecOptions, StopOptions};

fn create_with(name: &str, devices: &[(&str, &[(&str, &str)])]) -> Guard {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(IMAGE));
    for (dev, keys) in devices {
        post.devices.insert(dev.to_string(), keys.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    }
    post.start = true;
    Guard(manager().create_instance(&post).unwrap_or_else(|e| panic!("creating {name}: {e:?}")))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sends data through the port (retrying while the server comes up) and reads to the end.
fn exchange(port: u16, data: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            s.write_all(data).unwrap();
            s.shutdown(Shutdown::Write).unwrap();
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out);
            if !out.is_empty() || Instant::now() > deadline {
                return out;
            }
        } else if Instant::now() > deadline {
            panic!("nothing listens on port {port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn p2p_nic_has_a_shaped_host_side_removed_at_stop() {
    let host = format!("rsv{}", std::process::id() % 1_000_000);
    let c = create_with("rs-nic", &[("eth0", &[("type", "nic"), ("nictype", "p2p"), ("host_name", &host), ("limits.ingress", "4Mbit")])]);
    let sys = format!("/sys/class/net/{host}");
    assert!(Path::new(&sys).exists());
    let tc = std::process::Command::new("tc").args(["qdisc", "show", "dev", &host]).output().unwrap();
    assert!(String::from_utf8_lossy(&tc.stdout).contains("rate 4Mbit"), "{tc:?}");
    let mac = c.exec(&["cat", "/sys/class/net/eth0/address"], &ExecOptions::default()).unwrap();
    assert!(String::from_utf8_lossy(&mac.stdout).starts_with("00:16:3e:"));
    c.stop(StopOptions { force: true, timeout: None }).unwrap();
    assert!(!Path::new(&sys).exists());
}

#[test]
fn proxy_forwards_host_to_container_and_back() {
    let port = free_port();
    let listen = format!("tcp:127.0.0.1:{port}");
    let c = create_with("rs-prx", &[("web", &[("type", "proxy"), ("listen", &listen), ("connect", "tcp:127.0.0.1:8080")])]);
    // The echo server runs in the container's network namespace, entered from the host.
    let pid = c.state().unwrap().pid;
    let mut server = std::process::Command::new("nsenter")
        .args([format!("--net=/proc/{pid}/ns/net"), "busybox".into(), "nc".into(), "-ll".into(), "-p".into(), "8080".into(), "-e".into(), "cat".into()])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..3 {
        let text = format!("rust-{i}");
        assert_eq!(exchange(port, text.as_bytes()), text.as_bytes());
    }
    c.stop(StopOptions { force: true, timeout: None }).unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn bad_nic_and_proxy_values_are_refused_naming_the_key() {
    let mgr = manager();
    let cases: [(&[(&str, &str)], &str, &str); 3] = [
        (&[("type", "nic"), ("nictype", "macvlan")], "devices.d.parent", "parent"),
        (&[("type", "nic"), ("nictype", "p2p"), ("mtu", "tiny")], "devices.d.mtu", "tiny"),
        (&[("type", "proxy"), ("listen", "tcp:127.0.0.1:80"), ("connect", "tcp:127.0.0.1:0")], "devices.d.connect", "0"),
    ];
    for (device, key, word) in cases {
        let mut post = api::InstancesPost::new("rs-badnic", api::InstanceSource::image_alias(IMAGE));
        post.devices.insert("d".into(), device.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let err = expect_error(mgr.create_instance(&post), ErrorCode::InvalidArgument, word);
        assert_eq!(err.key.as_deref(), Some(key));
        assert!(mgr.instance("rs-badnic").is_err());
    }
}
